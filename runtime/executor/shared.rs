//! The half of the executor that other threads may touch.
//!
//! A `Waker` is `Send + Sync`, so a task can be woken from any thread. Each
//! task's header holds an `Arc<Shared>` of its runtime; a wake from a thread
//! other than the loop's lands here: the task goes on the [`RemoteQueue`],
//! and if the loop is asleep in `epoll_wait` it is unparked.
//!
//! The sleep/wake handshake, which loses no wake-up:
//!
//! ```text
//!  loop (about to park)                  other thread (waking a task)
//!  sleeping.store(true)        SeqCst    remote.push(task)       SeqCst
//!  if remote non-empty: don't park       if sleeping.swap(false): unpark()
//! ```
//!
//! Whichever runs second sees the other's write: either the loop finds the
//! task before parking, or the waker finds the loop asleep and unparks it.
//! Only the first wake of a sleep writes to the eventfd; while the loop is
//! awake a remote wake costs one lock and no system call.

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::park::Unparker;
use crate::task::TaskRef;

use super::run_queue::RemoteQueue;

/// The thread-safe state of one runtime.
pub(crate) struct Shared {
    /// This runtime's id, unique in the process.
    pub(crate) id: u64,
    pub(crate) remote: RemoteQueue,
    /// True while the loop is parked with a timeout other than zero.
    sleeping: AtomicBool,
    unparker: Unparker,
}

impl Shared {
    pub(crate) fn new(unparker: Unparker) -> Shared {
        Shared {
            id: crate::loom::next_unique_id(),
            remote: RemoteQueue::new(),
            sleeping: AtomicBool::new(false),
            unparker,
        }
    }

    /// Queues a task woken on another thread and wakes the loop.
    pub(crate) fn push_remote(&self, task: TaskRef) {
        match self.remote.push(task) {
            Ok(()) => self.unpark(),
            // The runtime is gone: its tasks were all cancelled, so there is
            // nothing to run. Dropping the reference is all that is left.
            Err(task) => drop(task),
        }
    }

    /// Wakes the loop if it is (about to be) asleep.
    pub(crate) fn unpark(&self) {
        if self.sleeping.swap(false, Ordering::SeqCst) {
            self.unparker.unpark();
        }
    }

    /// The loop announces it is going to sleep. Returns `false` if work
    /// arrived meanwhile (or `has_work` says so): then it must not sleep.
    pub(crate) fn prepare_park(&self, has_work: impl Fn() -> bool) -> bool {
        self.sleeping.store(true, Ordering::SeqCst);
        if !self.remote.is_empty() || has_work() {
            self.sleeping.store(false, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// The loop is awake again.
    pub(crate) fn after_park(&self) {
        self.sleeping.store(false, Ordering::SeqCst);
    }
}
