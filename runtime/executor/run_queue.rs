//! The run queues: where a woken task waits for its turn.
//!
//! ```text
//!   wake on the loop's thread ──► LocalQueue  (VecDeque, no locks)  ──┐
//!                                                                     ├──► loop pops
//!   wake from another thread ──► RemoteQueue (Mutex<VecDeque>)  ─────┘
//!                                  + unpark the loop if it sleeps
//! ```
//!
//! Both are FIFO: a task that yields goes to the back and every other
//! runnable task gets a turn before it runs again. The loop alternates
//! between them fairly (see `executor/mod.rs`), so neither a flood of local
//! work nor a flood of remote wakes can starve the other.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::task::TaskRef;

/// Tasks woken on the loop's own thread. Loop-thread only.
#[derive(Default)]
pub(crate) struct LocalQueue {
    queue: RefCell<VecDeque<TaskRef>>,
}

impl LocalQueue {
    pub(crate) fn push(&self, task: TaskRef) {
        self.queue.borrow_mut().push_back(task);
    }

    pub(crate) fn pop(&self) -> Option<TaskRef> {
        self.queue.borrow_mut().pop_front()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.borrow().is_empty()
    }

    /// Empties the queue (at shutdown), releasing the queue references.
    pub(crate) fn clear(&self) {
        let drained: Vec<TaskRef> = self.queue.borrow_mut().drain(..).collect();
        drop(drained);
    }
}

/// Tasks woken (or spawned) from other threads.
pub(crate) struct RemoteQueue {
    inner: Mutex<Remote>,
    /// Mirror of the queue's length, so the loop can see "empty" without
    /// taking the lock on every turn.
    len: AtomicUsize,
}

struct Remote {
    queue: VecDeque<TaskRef>,
    /// Set at runtime shutdown: later pushes are refused.
    closed: bool,
}

impl RemoteQueue {
    pub(crate) fn new() -> RemoteQueue {
        RemoteQueue {
            inner: Mutex::new(Remote {
                queue: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Pushes `task`, or hands it back if the runtime has shut down.
    pub(crate) fn push(&self, task: TaskRef) -> Result<(), TaskRef> {
        let mut remote = self.inner.lock();
        if remote.closed {
            return Err(task);
        }
        remote.queue.push_back(task);
        // SeqCst: pairs with the loop's `sleeping` store-then-check in
        // `Shared::prepare_park`, so one of the two always sees the other.
        self.len.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) fn pop(&self) -> Option<TaskRef> {
        if self.is_empty() {
            return None;
        }
        let mut remote = self.inner.lock();
        let task = remote.queue.pop_front();
        if task.is_some() {
            self.len.fetch_sub(1, Ordering::SeqCst);
        }
        task
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::SeqCst) == 0
    }

    /// Refuses further pushes and returns what was queued.
    pub(crate) fn close(&self) -> VecDeque<TaskRef> {
        let mut remote = self.inner.lock();
        remote.closed = true;
        self.len.store(0, Ordering::SeqCst);
        std::mem::take(&mut remote.queue)
    }
}
