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
//! The first waker lives in the list itself, so the common case (one
//! released permit, one message, one `notify_one`) allocates nothing and
//! costs a few instructions to make and drop; waking several at once
//! (`notify_waiters`, `close`) allocates one `Vec` for the rest. (An
//! inline array of four cost ~100 instructions per release to set up,
//! drain and drop: 8% of `semaphore_contended`.)

use std::task::Waker;

#[derive(Debug, Default)]
pub(crate) struct WakeList {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl WakeList {
    pub(crate) fn new() -> WakeList {
        WakeList::default()
    }

    /// Adds a waker (nothing for `None`: a waiter that left no waker).
    pub(crate) fn push(&mut self, waker: Option<Waker>) {
        let Some(waker) = waker else { return };
        if self.first.is_none() {
            self.first = Some(waker);
        } else {
            self.rest.push(waker);
        }
    }

    /// Wakes them all, in the order pushed. Call with no lock held.
    pub(crate) fn wake_all(self) {
        let WakeList { first, rest } = self;
        if let Some(waker) = first {
            waker.wake();
        }
        for waker in rest {
            waker.wake();
        }
    }
}
