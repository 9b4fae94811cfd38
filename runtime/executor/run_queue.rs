//! The run queues: where a woken task waits for its turn.
//!
//! ```text
//!   wake on the loop's thread ──► LocalQueue  (VecDeque, no locks)  ──┐
//!                                                                     ├──► loop pops
//!   wake from another thread ──► RemoteQueue (Mutex<VecDeque>)  ─────┘
//!                                  + unpark the loop if it sleeps
//! ```
//!
//! Both are FIFO by default: a task that yields goes to the back and every
//! other runnable task gets a turn before it runs again. The local queue can
//! also pop its newest task or a random one ([`QueuePolicy`], in
//! `queue_policy.rs`). The loop alternates
//! between them fairly (see `executor/mod.rs`), so neither a flood of local
//! work nor a flood of remote wakes can starve the other.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::observe::Origin;
use crate::task::TaskRef;

use super::queue_policy::{splitmix64, QueuePolicy};

/// Tasks woken on the loop's thread. Loop-thread only.
pub(crate) struct LocalQueue {
    queue: RefCell<VecDeque<TaskRef>>,
    /// The longest the queue has been (`Metrics::max_queue_depth`).
    max_depth: Cell<usize>,
    policy: QueuePolicy,
    /// The PRNG's state under `QueuePolicy::Random`.
    rng: Cell<u64>,
}

impl LocalQueue {
    pub(crate) fn new(policy: QueuePolicy) -> LocalQueue {
        let seed = match policy {
            QueuePolicy::Random { seed } => seed,
            _ => 0,
        };
        LocalQueue {
            queue: RefCell::default(),
            max_depth: Cell::new(0),
            policy,
            rng: Cell::new(seed),
        }
    }

    #[inline]
    pub(crate) fn push(&self, task: TaskRef) {
        let mut queue = self.queue.borrow_mut();
        queue.push_back(task);
        if queue.len() > self.max_depth.get() {
            self.max_depth.set(queue.len());
        }
    }

    pub(crate) fn max_depth(&self) -> usize {
        self.max_depth.get()
    }

    #[inline]
    pub(crate) fn pop(&self) -> Option<TaskRef> {
        let mut queue = self.queue.borrow_mut();
        match self.policy {
            QueuePolicy::Fifo => queue.pop_front(),
            QueuePolicy::Lifo => queue.pop_back(),
            QueuePolicy::Random { .. } => {
                if queue.is_empty() {
                    return None;
                }
                let mut state = self.rng.get();
                let pick = splitmix64(&mut state) % queue.len() as u64;
                self.rng.set(state);
                // The front task moves into the hole: O(1), and still the
                // same order for the same seed.
                queue.swap_remove_front(pick as usize)
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.borrow().is_empty()
    }

    /// Gives memory back after a burst: an empty queue keeps room for
    /// `KEEP` tasks at most. Called when the loop parks, off the hot path;
    /// a burst of spawns then costs no memory once it has run.
    pub(crate) fn trim(&self) {
        const KEEP: usize = 1024;
        let mut queue = self.queue.borrow_mut();
        if queue.is_empty() && queue.capacity() > KEEP {
            queue.shrink_to(KEEP);
        }
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
    /// Each task with how it got here (a wake or a spawn), for the observer.
    queue: VecDeque<(TaskRef, Origin)>,
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
    pub(crate) fn push(&self, task: TaskRef, origin: Origin) -> Result<(), TaskRef> {
        let mut remote = self.inner.lock();
        if remote.closed {
            return Err(task);
        }
        remote.queue.push_back((task, origin));
        // SeqCst: pairs with the loop's `sleeping` store-then-check in
        // `Shared::prepare_park`, so one of the two always sees the other.
        self.len.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) fn pop(&self) -> Option<(TaskRef, Origin)> {
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
    pub(crate) fn close(&self) -> Vec<TaskRef> {
        let mut remote = self.inner.lock();
        remote.closed = true;
        self.len.store(0, Ordering::SeqCst);
        std::mem::take(&mut remote.queue)
            .into_iter()
            .map(|(task, _)| task)
            .collect()
    }
}
