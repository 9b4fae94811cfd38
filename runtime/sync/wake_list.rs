//! Wakers collected under a lock, woken after it is released.
//!
//! A waker is user code: waking one while holding a primitive's internal
//! lock could re-enter the primitive (and deadlock) or make every other
//! thread wait on someone else's `wake`. So each primitive collects the
//! wakers it must wake into a [`WakeList`] while it holds its lock, drops the
//! guard, and only then calls [`WakeList::wake_all`].
//!
//! ```text
//!   lock ── pop waiters, push their wakers ── unlock ── wake_all
//! ```
//!
//! The first [`INLINE`] wakers live in the list itself, so the common case
//! (one released permit, one message, one `notify_one`) allocates nothing.

use std::task::Waker;

/// Wakers held without allocating; more than this spill to a `Vec`.
const INLINE: usize = 4;

/// Wakers to wake once the lock is released.
#[derive(Debug, Default)]
pub(crate) struct WakeList {
    inline: [Option<Waker>; INLINE],
    len: usize,
    spill: Vec<Waker>,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList::default()
    }

    /// Remembers `waker` (if any) to be woken by [`WakeList::wake_all`].
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        let Some(waker) = waker else { return };
        if self.len < INLINE {
            self.inline[self.len] = Some(waker);
            self.len += 1;
        } else {
            self.spill.push(waker);
        }
    }

    /// Wakes every waker collected. Call it with no lock held.
    pub(crate) fn wake_all(mut self) {
        for slot in &mut self.inline[..self.len] {
            if let Some(waker) = slot.take() {
                waker.wake();
            }
        }
        for waker in self.spill.drain(..) {
            waker.wake();
        }
    }
}
