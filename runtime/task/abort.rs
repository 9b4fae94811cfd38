//! `AbortHandle`: the right to cancel a task, without its output.
//!
//! ```text
//!   JoinHandle<T> ──abort_handle()──► AbortHandle ──clone()──► AbortHandle ...
//!        │                                 │
//!        └──── each holds one counted reference to the same task ────┘
//!
//!   abort(): state.transition_to_cancelled()
//!              Push    ─► a queue reference was added: executor::schedule
//!                         (local queue on the loop's thread, remote queue
//!                         and a wake of the loop from any other thread);
//!                         the loop drops the future when it picks the task
//!              Nothing ─► running (cancelled after this poll), already
//!                         queued, or already complete: nothing to do
//! ```
//!
//! The handle never touches the future or the output, only the state word
//! and the scheduler, which is why it is `Send + Sync` whatever the task's
//! output type is, and why it may outlive the `JoinHandle`, the task and the
//! runtime: it keeps the allocation (not the future) alive, as a waker does.

use std::fmt;

use super::id::TaskId;
use super::raw::TaskRef;
use super::state::Schedule;

/// A handle that can cancel a task, and nothing else: it gives no access to
/// the output, so it can be cloned and shared freely while the
/// [`JoinHandle`](super::JoinHandle) stays with whoever awaits the result.
///
/// Made by [`JoinHandle::abort_handle`](super::JoinHandle::abort_handle) and
/// returned by [`JoinSet::spawn`](super::JoinSet::spawn). It is `Send` and
/// `Sync` even when the task's output is not, and it may outlive the
/// `JoinHandle`, the task and the runtime (then it does nothing).
///
/// ```
/// use std::time::Duration;
///
/// coop::block_on(async {
///     let task = coop::spawn(coop::time::sleep(Duration::from_secs(3600)));
///     let abort = task.abort_handle();
///     // Another thread may cancel the task; the loop wakes up for it.
///     std::thread::spawn(move || abort.abort()).join().unwrap();
///     assert!(task.await.unwrap_err().is_cancelled());
/// });
/// ```
pub struct AbortHandle {
    task: TaskRef,
}

// SAFETY: an AbortHandle touches only the state word (atomic), the task id
// (immutable) and the scheduler (`Arc<Shared>`, through the same path a
// `Waker` takes from any thread). It never reads the future or the output.
// When it holds the last reference, freeing the task on another thread is
// what a waker does too: by then the loop has dropped the future (the task
// is complete) and the output belongs to the `JoinHandle` or was dropped
// (see `raw.rs`: `dealloc`).
unsafe impl Send for AbortHandle {}
// SAFETY: every method takes `&self` and only does the atomic work above.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    pub(crate) fn new(task: TaskRef) -> AbortHandle {
        AbortHandle { task }
    }

    /// Cancels the task, as [`JoinHandle::abort`](super::JoinHandle::abort)
    /// does: a waiting task's future is dropped on the loop's next turn (on
    /// the loop's thread), a running one right after its current poll. The
    /// task's `JoinHandle` then gives a cancelled [`JoinError`](super::JoinError).
    /// Does nothing if the task has finished. May be called from any thread.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let task = coop::spawn(std::future::pending::<()>());
    ///     task.abort_handle().abort();
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        abort_task(&self.task);
    }

    /// True once the task has finished: returned, panicked or was
    /// cancelled (an abort takes effect when the loop next picks the task,
    /// so right after [`abort`](Self::abort) this may still be `false`).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let task = coop::spawn(async { 1 });
    ///     let abort = task.abort_handle();
    ///     assert!(!abort.is_finished());
    ///     assert_eq!(task.await.unwrap(), 1);
    ///     assert!(abort.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.header().state.load().is_complete()
    }

    /// The id of the task, the same as its
    /// [`JoinHandle::id`](super::JoinHandle::id).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let task = coop::spawn(async {});
    ///     assert_eq!(task.abort_handle().id(), task.id());
    /// });
    /// ```
    pub fn id(&self) -> TaskId {
        self.task.header().id
    }
}

/// Moves the task to "cancelled" and, if it was idle, queues it so the loop
/// drops its future. Shared by `JoinHandle::abort` and `AbortHandle::abort`.
pub(super) fn abort_task(task: &TaskRef) {
    let header = task.header();
    if header.state.transition_to_cancelled() == Schedule::Push {
        // SAFETY: the transition added one reference for the queue entry.
        let queued = unsafe { TaskRef::from_raw(task.as_ptr()) };
        crate::executor::schedule(queued);
    }
}

impl Clone for AbortHandle {
    /// Another handle to the same task (one more reference to it).
    fn clone(&self) -> AbortHandle {
        AbortHandle::new(self.task.clone_ref())
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
