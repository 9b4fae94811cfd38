//! The timer queue: a binary min-heap of deadlines whose entries know where
//! they sit, so a timer can be cancelled in O(log n) and leaves nothing
//! behind.
//!
//! ```text
//!  slots (Slab)                 heap (Vec, min deadline first)
//!  ┌───┬─────────────────┐      ┌──────────────┬──────────────┬──────────────┬───┐
//!  │ 0 │ waker  pos=2    │      │ 12:00:01 → 1 │ 12:00:02 → 3 │ 12:00:03 → 0 │ … │
//!  │ 1 │ waker  pos=0    │      └──────────────┴──────────────┴──────────────┴───┘
//!  │ 2 │ FIRED           │      heap[i] ≤ heap[2i+1], heap[2i+2]
//!  │ 3 │ waker  pos=1    │      fired slots left the heap but keep their
//!  └───┴─────────────────┘      slot until their `Sleep` lets go of it
//! ```
//!
//! Each heap entry carries its deadline (as nanoseconds since the heap was
//! made, so it fits a word) and a tie-breaking sequence number beside the
//! slot key, so sifting compares neighbours in one contiguous array of
//! 24-byte entries; the slot is touched only to record an entry's new
//! position.
//!
//! * insert: push at the end, sift up: O(log n), and O(1) on average when
//!   deadlines mostly grow (they usually do: `now + d`).
//! * cancel: swap with the last entry, sift that one: O(log n); O(1) when the
//!   newest timer is the one dropped (a `timeout` that did not fire).
//! * fire: pop the minimum while it is due.
//!
//! A slot belongs to its `Sleep` from insert until the `Sleep` removes it.
//! The loop never frees a slot itself (it only marks it fired), so a slot key
//! held by a `Sleep` can never point at somebody else's timer.
//! Ties fire in insertion order (a sequence number breaks them).

use std::task::Waker;
use std::time::{Duration, Instant};

use slab::Slab;

/// `pos` of a slot that is no longer in the heap.
const FIRED: usize = usize::MAX;

struct Slot {
    waker: Option<Waker>,
    /// Index of this timer's entry in `heap`, or `FIRED`.
    pos: usize,
}

/// One heap entry: the ordering key and the slot it belongs to.
#[derive(Clone, Copy)]
struct Entry {
    /// The deadline in nanoseconds since `TimerHeap::base`.
    at: u64,
    seq: u64,
    key: usize,
}

impl Entry {
    fn before(&self, other: &Entry) -> bool {
        (self.at, self.seq) < (other.at, other.seq)
    }
}

/// The loop's timers. Loop-thread only (it lives in a `RefCell` in `Core`).
pub(crate) struct TimerHeap {
    slots: Slab<Slot>,
    heap: Vec<Entry>,
    seq: u64,
    /// Deadlines are stored relative to this instant. One before it is
    /// already due and is stored as `base` itself (it fires at once all the
    /// same); 2^64 ns is 584 years, so later ones saturate harmlessly.
    base: Instant,
}

impl Default for TimerHeap {
    fn default() -> TimerHeap {
        TimerHeap::new(Instant::now())
    }
}

impl TimerHeap {
    /// An empty heap whose deadlines count from `base`, which must not be
    /// later than its runtime's clock will ever read (the clock's time at
    /// the heap's birth: a paused clock may stand before the real one).
    pub(crate) fn new(base: Instant) -> TimerHeap {
        TimerHeap {
            slots: Slab::new(),
            heap: Vec::new(),
            seq: 0,
            base,
        }
    }

    #[inline]
    fn ticks(&self, deadline: Instant) -> u64 {
        let since = deadline.saturating_duration_since(self.base);
        since
            .as_secs()
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(since.subsec_nanos()))
    }

    fn instant(&self, at: u64) -> Instant {
        self.base + Duration::from_nanos(at)
    }

    /// Adds a timer; returns its slot key, which the caller keeps until it
    /// calls [`remove`](TimerHeap::remove).
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> usize {
        self.seq += 1;
        let key = self.slots.insert(Slot {
            waker: Some(waker),
            pos: self.heap.len(),
        });
        self.heap.push(Entry {
            at: self.ticks(deadline),
            seq: self.seq,
            key,
        });
        self.sift_up(self.heap.len() - 1);
        key
    }

    /// Replaces the waker of a pending timer. Returns `false` if it already
    /// fired (the caller then re-inserts if it still waits).
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) -> bool {
        let slot = &mut self.slots[key];
        if slot.pos == FIRED {
            return false;
        }
        match &slot.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => slot.waker = Some(waker.clone()),
        }
        true
    }

    /// Moves the timer `key` to `deadline`, keeping its slot and its waker
    /// (so a task that resets its `Sleep` and returns `Pending` is woken
    /// at the new deadline). A timer that already fired goes back into the
    /// heap; its waker was handed out when it fired, so it wakes nobody
    /// until its `Sleep` is polled again and stores one.
    pub(crate) fn reset(&mut self, key: usize, deadline: Instant) {
        self.seq += 1;
        let entry = Entry {
            at: self.ticks(deadline),
            seq: self.seq,
            key,
        };
        let pos = match self.slots[key].pos {
            FIRED => {
                self.heap.push(entry);
                self.heap.len() - 1
            }
            pos => pos,
        };
        self.place(pos, entry);
        self.sift_up(pos);
        self.sift_down(pos);
    }

    /// Cancels (if pending) and frees the timer's slot.
    pub(crate) fn remove(&mut self, key: usize) {
        let pos = self.slots[key].pos;
        if pos != FIRED {
            self.remove_at(pos);
        }
        self.slots.remove(key);
        // Give memory back after a burst: a slab never shrinks on its own,
        // and once empty no key is held, so it can start over.
        if self.slots.is_empty() && self.slots.capacity() > 1024 {
            self.slots = Slab::new();
        }
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.first().map(|entry| self.instant(entry.at))
    }

    /// Number of pending (not yet fired) timers.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Every pending timer that holds a waker, with its deadline: what
    /// snapshots compare task wakers against (`TaskSnapshot::waiting_on`).
    pub(crate) fn pending(&self) -> impl Iterator<Item = (Instant, &Waker)> + '_ {
        self.heap.iter().filter_map(|entry| {
            let waker = self.slots[entry.key].waker.as_ref()?;
            Some((self.instant(entry.at), waker))
        })
    }

    /// Takes the waker of every pending timer out, leaving the timers
    /// themselves to their `Sleep`s. Shutdown calls it so that wakers
    /// still here (a leaked `Sleep`'s) are dropped while the runtime is
    /// current, not later when the heap itself is freed.
    pub(crate) fn take_wakers(&mut self) -> Vec<Waker> {
        self.slots
            .iter_mut()
            .filter_map(|(_, slot)| slot.waker.take())
            .collect()
    }

    /// Moves the wakers of every timer due at `now` into `fired`, in
    /// deadline order, marking their slots fired.
    pub(crate) fn fire_due(&mut self, now: Instant, fired: &mut Vec<(Instant, Waker)>) {
        let now = self.ticks(now);
        while let Some(&first) = self.heap.first() {
            if first.at > now {
                break;
            }
            self.remove_at(0);
            let slot = &mut self.slots[first.key];
            slot.pos = FIRED;
            if let Some(waker) = slot.waker.take() {
                fired.push((self.instant(first.at), waker));
            }
        }
    }

    /// Puts `entry` at heap index `i` and tells its slot.
    fn place(&mut self, i: usize, entry: Entry) {
        self.slots[entry.key].pos = i;
        self.heap[i] = entry;
    }

    fn remove_at(&mut self, pos: usize) {
        let last = self.heap.pop().expect("remove_at on an empty heap");
        if pos < self.heap.len() {
            // The last entry fills the hole, then moves up or down.
            self.place(pos, last);
            self.sift_up(pos);
            self.sift_down(pos);
        }
        if self.heap.capacity() > 1024 && self.heap.len() < self.heap.capacity() / 4 {
            self.heap.shrink_to(self.heap.capacity() / 2);
        }
    }

    /// Moves the entry at `i` up while it is before its parent; each parent
    /// it passes moves down one level (one slot update per level).
    /// The entry's slot already knows `i`, so nothing is written when it
    /// stays (the common case: deadlines mostly grow).
    #[inline]
    fn sift_up(&mut self, start: usize) {
        let entry = self.heap[start];
        let mut i = start;
        while i > 0 {
            let parent = (i - 1) / 2;
            if !entry.before(&self.heap[parent]) {
                break;
            }
            self.place(i, self.heap[parent]);
            i = parent;
        }
        if i != start {
            self.place(i, entry);
        }
    }

    /// Moves the entry at `i` down while a child is before it.
    fn sift_down(&mut self, start: usize) {
        let entry = self.heap[start];
        let mut i = start;
        let len = self.heap.len();
        loop {
            let left = 2 * i + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && self.heap[right].before(&self.heap[left]) {
                right
            } else {
                left
            };
            if !self.heap[child].before(&entry) {
                break;
            }
            self.place(i, self.heap[child]);
            i = child;
        }
        if i != start {
            self.place(i, entry);
        }
    }

    /// Slots in use (pending, or fired and still held by their `Sleep`) and
    /// slots allocated, for tests of memory reuse.
    pub(crate) fn slot_usage(&self) -> (usize, usize) {
        (
            self.slots.len(),
            self.slots.capacity().max(self.heap.capacity()),
        )
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::Duration;

    fn noop() -> Waker {
        futures_task::noop_waker()
    }

    #[test]
    fn fires_in_deadline_order_with_ties_in_insertion_order() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let mut keys = Vec::new();
        for ms in [30u64, 10, 20, 10, 0, 50, 40] {
            keys.push((heap.insert(t0 + Duration::from_millis(ms), noop()), ms));
        }
        let mut fired = Vec::new();
        heap.fire_due(t0 + Duration::from_millis(35), &mut fired);
        let deadlines: Vec<_> = fired.iter().map(|(d, _)| (*d - t0).as_millis()).collect();
        assert_eq!(deadlines, [0, 10, 10, 20, 30]);
        assert_eq!(heap.len(), 2);
        assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(40)));
    }

    #[test]
    #[cfg_attr(miri, ignore = "safe code, and 10,000 timers take minutes under Miri")]
    fn cancelled_timers_leave_no_entries_behind() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let keys: Vec<_> = (0..10_000u64)
            .map(|i| heap.insert(t0 + Duration::from_millis(i * 7919 % 1000), noop()))
            .collect();
        for (i, key) in keys.into_iter().enumerate() {
            if i % 3 != 0 {
                heap.remove(key);
            }
        }
        assert_eq!(heap.len(), 3334);
        let mut fired = Vec::new();
        heap.fire_due(t0 + Duration::from_secs(2), &mut fired);
        assert_eq!(fired.len(), 3334);
        assert!(fired.windows(2).all(|w| w[0].0 <= w[1].0), "deadline order");
        assert_eq!(heap.len(), 0);
    }

    #[test]
    fn reset_moves_a_timer_and_keeps_its_waker() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let keys: Vec<_> = [10u64, 20, 30, 40]
            .map(|n| heap.insert(ms(n), noop()))
            .into();
        heap.reset(keys[3], ms(5)); // later → earliest
        heap.reset(keys[0], ms(35)); // earliest → later
        let mut fired = Vec::new();
        heap.fire_due(ms(25), &mut fired);
        let got: Vec<_> = fired.iter().map(|(d, _)| (*d - t0).as_millis()).collect();
        assert_eq!(
            got,
            [5, 20],
            "moved timers fire at their new deadlines, with wakers"
        );
        // A fired timer goes back into the heap.
        heap.reset(keys[1], ms(50));
        assert!(heap.set_waker(keys[1], &noop()), "pending again");
        fired.clear();
        heap.fire_due(ms(60), &mut fired);
        let got: Vec<_> = fired.iter().map(|(d, _)| (*d - t0).as_millis()).collect();
        assert_eq!(got, [30, 35, 50]);
        assert_eq!(heap.len(), 0);
    }

    #[test]
    fn a_fired_slot_stays_owned_until_removed() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let key = heap.insert(t0, noop());
        let mut fired = Vec::new();
        heap.fire_due(t0, &mut fired);
        assert!(!heap.set_waker(key, &noop()), "fired timers report so");
        // A new timer must not take the fired slot while its owner holds it.
        let other = heap.insert(t0, noop());
        assert_ne!(key, other);
        heap.remove(key);
        heap.remove(other);
        assert_eq!(heap.slot_usage().0, 0);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "5,000 timers: slow under Miri, and the heap has no unsafe"
    )]
    fn random_inserts_and_cancels_fire_exactly_the_survivors_in_order() {
        // A model check: a sorted list of (deadline, insertion order) is the
        // reference; cancels hit random live timers, including the root.
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        let mut live: Vec<(u64, usize, usize)> = Vec::new(); // (ms, order, key)
        for order in 0..5_000 {
            let ms = next() % 1_000;
            let key = heap.insert(t0 + Duration::from_millis(ms), noop());
            live.push((ms, order, key));
            if next() % 3 == 0 {
                let victim = (next() as usize) % live.len();
                let (_, _, key) = live.swap_remove(victim);
                heap.remove(key);
            }
        }
        assert_eq!(heap.len(), live.len());
        live.sort();
        let mut fired = Vec::new();
        heap.fire_due(t0 + Duration::from_secs(1), &mut fired);
        let got: Vec<u128> = fired.iter().map(|(d, _)| (*d - t0).as_millis()).collect();
        let want: Vec<u128> = live.iter().map(|(ms, _, _)| u128::from(*ms)).collect();
        assert_eq!(got, want);
        assert_eq!(heap.len(), 0);
    }
}
