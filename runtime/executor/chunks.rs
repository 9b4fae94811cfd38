//! The owned-task list's storage: fixed-size chunks, so the list grows one
//! chunk at a time and never copies what it holds.
//!
//! ```text
//!   full: [■■■■] [■■■■]      tail: [■■□□]      spare: [□□□□] (or none)
//!   keys:  0..4   4..8       base = 8: keys 8..10
//!
//!   push:           into the tail; a full tail joins `full` first and the
//!                   spare (or a new chunk) becomes the tail
//!   swap_remove(k): the tail's last item moves into slot k (the caller
//!                   updates its key); an empty tail first takes back the
//!                   last full chunk and becomes the spare
//! ```
//!
//! Why not a plain `Vec`: a `Vec` doubles, so with 10M tasks it holds 2^24
//! slots (13.4 B per task instead of 8), copies every slot at each doubling,
//! and never gives the room back. Here the slack is at most the tail's free
//! slots plus the spare, whatever the count, so the cost per item is one
//! word; the table of full chunks costs 3 words per `CHUNK` items.
//!
//! The tail is a plain `Vec` that starts empty and doubles (4, 8, … up to
//! exactly `CHUNK`): a loop with fewer than `CHUNK` tasks holds a few slots
//! and pays, per push and remove, what a `Vec` costs plus a compare or
//! two: the hot path of every spawn and every finished task. Only
//! crossing a chunk boundary calls out of line, and the spare makes a count
//! that goes back and forth across one allocate and free nothing.
//!
//! Generic over the item and the chunk size so the model test
//! (`chunks_proptests.rs`) can run it with chunks of 4. No `unsafe`.

/// A list of `T` in chunks of `1 << SHIFT`, with O(1) push and
/// swap-remove by index ("key").
pub(crate) struct Chunks<T, const SHIFT: u32> {
    /// The chunk being filled: the items at keys `base..`. Never more than
    /// `CHUNK` items. With fewer than `CHUNK` items in all, it is the whole
    /// list, and push and remove cost what they cost on a plain `Vec`.
    tail: Vec<T>,
    /// Full chunks, `CHUNK` items each: the items at keys `0..base`.
    full: Vec<Vec<T>>,
    /// `full.len() << SHIFT`: the key of the tail's first item.
    base: usize,
    /// An empty chunk, kept so that a count going back and forth across a
    /// chunk boundary allocates and frees nothing.
    spare: Option<Vec<T>>,
}

impl<T, const SHIFT: u32> Default for Chunks<T, SHIFT> {
    fn default() -> Self {
        Chunks {
            tail: Vec::new(),
            full: Vec::new(),
            base: 0,
            spare: None,
        }
    }
}

impl<T, const SHIFT: u32> Chunks<T, SHIFT> {
    const CHUNK: usize = 1 << SHIFT;
    const MASK: usize = Self::CHUNK - 1;
    /// A tail that starts empty doubles through powers of two from 4
    /// (`Vec`'s smallest capacity for small items) and so lands exactly on
    /// `CHUNK` only if `CHUNK` is at least 4.
    const CHUNK_AT_LEAST_4: () = assert!(SHIFT >= 2, "chunks of at least 4 items");

    pub(crate) fn len(&self) -> usize {
        self.base + self.tail.len()
    }

    /// Appends `item` and returns its key, after telling `item` its key
    /// (the owned list stores it in the task's header).
    #[inline(always)]
    pub(crate) fn push(&mut self, item: T, tell: impl FnOnce(&T, usize)) -> usize {
        if self.tail.len() == Self::CHUNK {
            self.seal_tail();
        }
        let key = self.base + self.tail.len();
        tell(&item, key);
        self.tail.push(item);
        key
    }

    /// The tail is full: it joins the full chunks and an empty chunk (the
    /// spare, or a new one of exactly `CHUNK` slots) takes its place.
    #[cold]
    #[inline(never)]
    fn seal_tail(&mut self) {
        let () = Self::CHUNK_AT_LEAST_4;
        let fresh = match self.spare.take() {
            Some(spare) => spare,
            None => Vec::with_capacity(Self::CHUNK),
        };
        let sealed = std::mem::replace(&mut self.tail, fresh);
        self.full.push(sealed);
        self.base += Self::CHUNK;
    }

    /// Removes the item at `key` and moves the last item into its place.
    /// Returns the removed item and the moved one (now at `key`), if any,
    /// for the caller to update its key.
    ///
    /// `key` must be below [`len`](Self::len): a key the list gave out and
    /// has not taken back.
    #[inline(always)]
    pub(crate) fn swap_remove(&mut self, key: usize) -> (T, Option<&T>) {
        debug_assert!(key < self.len(), "owned-list key {key} out of range");
        let last = match self.tail.pop() {
            Some(last) => last,
            None => self.unseal_and_pop(),
        };
        let last_key = self.base + self.tail.len();
        // One bounds check finds a key in the tail; a key below `base`
        // wraps around to a huge index and falls through.
        let slot = match self.tail.get_mut(key.wrapping_sub(self.base)) {
            Some(slot) => slot,
            // The item just popped was the one to remove.
            None if key == last_key => return (last, None),
            None => &mut self.full[key >> SHIFT][key & Self::MASK],
        };
        let removed = std::mem::replace(slot, last);
        (removed, Some(slot))
    }

    /// The tail is empty and an item must go: the last full chunk becomes
    /// the tail again (and gives up its last item, returned), and the
    /// empty tail becomes the spare (or is freed if there is one). The
    /// table of full chunks shrinks once it is mostly unused, so a burst
    /// gives its memory back when it is over.
    #[cold]
    #[inline(never)]
    fn unseal_and_pop(&mut self) -> T {
        let Some(last_full) = self.full.pop() else {
            unreachable!("swap_remove on an empty list");
        };
        let emptied = std::mem::replace(&mut self.tail, last_full);
        if self.spare.is_none() {
            self.spare = Some(emptied);
        }
        self.base -= Self::CHUNK;
        let used = self.full.len();
        if self.full.capacity() > 16 && self.full.capacity() > 4 * used {
            self.full.shrink_to(2 * used);
        }
        let Some(last) = self.tail.pop() else {
            unreachable!("a full chunk is not empty");
        };
        last
    }

    /// Every item, in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.full.iter().flatten().chain(&self.tail)
    }

    /// Empties the list, handing over every item (the spare is freed).
    pub(crate) fn take(&mut self) -> Drained<T> {
        let mut chunks = std::mem::take(&mut self.full);
        chunks.push(std::mem::take(&mut self.tail));
        self.base = 0;
        self.spare = None;
        Drained(chunks)
    }

    /// Slots allocated, in use or not (the model test checks the slack).
    #[cfg(all(test, not(loom), not(miri)))]
    pub(crate) fn slots(&self) -> usize {
        let spare = self.spare.as_ref().map_or(0, Vec::capacity);
        self.full.iter().map(Vec::capacity).sum::<usize>() + self.tail.capacity() + spare
    }
}

/// What [`Chunks::take`] hands over: every item, in chunks, dropped with it.
pub(crate) struct Drained<T>(Vec<Vec<T>>);

impl<'a, T> IntoIterator for &'a Drained<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().flatten()
    }
}
