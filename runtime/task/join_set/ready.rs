//! The ready list behind `JoinSet`: the keys of entries whose task woke
//! them, and the waker of the `join_next` waiting for one (see `mod.rs`).

use std::collections::VecDeque;
use std::task::{Wake, Waker};

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Mutex, WakeArc};

/// What an entry's waker does: put its key on the ready list.
pub(super) struct EntryWaker {
    key: usize,
    /// Set while `key` is on the list, so a task woken twice is queued once.
    queued: AtomicBool,
    list: WakeArc<ReadyList>,
}

/// Keys of entries woken since they were last polled, and the waker of the
/// `join_next` waiting for one.
pub(super) struct ReadyList {
    inner: Mutex<ReadyInner>,
}

struct ReadyInner {
    keys: VecDeque<usize>,
    /// Set by a `join_next` that found the list empty; taken by the next
    /// push, under the same lock, so no wake is lost between the two.
    waiter: Option<Waker>,
}

impl ReadyList {
    pub(super) fn new() -> ReadyList {
        ReadyList {
            inner: Mutex::new(ReadyInner {
                keys: VecDeque::new(),
                waiter: None,
            }),
        }
    }

    /// The next woken key, if any.
    pub(super) fn pop(&self) -> Option<usize> {
        self.inner.lock().keys.pop_front()
    }

    /// The next woken key; if there is none, leaves `waker` to be woken by
    /// the next push (under the same lock, so no push slips in between).
    pub(super) fn pop_or_wait(&self, waker: &Waker) -> Option<usize> {
        let mut inner = self.inner.lock();
        let key = inner.keys.pop_front();
        if key.is_none() && !inner.waiter.as_ref().is_some_and(|w| w.will_wake(waker)) {
            inner.waiter = Some(waker.clone());
        }
        key
    }
}

impl EntryWaker {
    /// The waker of the entry at `key`, not yet queued.
    pub(super) fn new(key: usize, list: WakeArc<ReadyList>) -> EntryWaker {
        EntryWaker {
            key,
            queued: AtomicBool::new(false),
            list,
        }
    }

    /// The entry is about to be polled: a wake from now on queues it again.
    pub(super) fn unqueue(&self) {
        self.queued.store(false, Ordering::Release);
    }
}

impl Wake for EntryWaker {
    fn wake(self: WakeArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &WakeArc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiter = {
            let mut inner = self.list.inner.lock();
            inner.keys.push_back(self.key);
            inner.waiter.take()
        };
        // Woken outside the lock: the waiter may poll the set right away.
        if let Some(waiter) = waiter {
            waiter.wake();
        }
    }
}
