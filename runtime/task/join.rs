//! `JoinHandle`: the spawner's end of a task.
//!
//! The handle owns one reference to the task. Awaiting it hands a waker to
//! the task (through the join-waker cell, guarded by the `JOIN_WAKER` bit)
//! and, once the task is `COMPLETE`, moves the output out. Dropping it
//! detaches the task, which runs on; its output is then dropped by whoever
//! sees the other side last (see `State::drop_join_handle`).

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::abort::AbortHandle;
use super::error::JoinError;
use super::id::TaskId;
use super::raw::TaskRef;
use super::state::DropJoin;

/// An owned permission to await a spawned task's output, or abort it.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked
/// or was cancelled. Dropping it *detaches* the task: it keeps running, and
/// its output is dropped when it finishes.
///
/// A `JoinHandle<T>` is `Send` when `T` is, so it can be handed to another
/// thread even though the task itself stays on the loop.
///
/// [`JoinError`] converts into [`std::io::Error`], so in a function that
/// returns `io::Result`, a task returning `io::Result<T>` is awaited with
/// `.await??`:
///
/// ```
/// async fn bound_port() -> std::io::Result<u16> {
///     let task = coop::spawn(async {
///         let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
///         Ok::<_, std::io::Error>(listener.local_addr()?.port())
///     });
///     Ok(task.await??) // the task's JoinError, then its own io::Error
/// }
///
/// assert_ne!(coop::block_on(bound_port())?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// ```compile_fail
/// // An `Rc` output may not cross threads, so neither may its handle.
/// fn assert_send<T: Send>(_: &T) {}
/// coop::block_on(async {
///     let handle = coop::spawn(async { std::rc::Rc::new(1) });
///     assert_send(&handle);
/// });
/// ```
///
/// ```
/// coop::block_on(async {
///     let handle = coop::spawn(async { 6 * 7 });
///     assert_eq!(handle.await.unwrap(), 42);
/// });
/// ```
#[must_use = "dropping a JoinHandle detaches the task; `.await` it, or `drop` it on purpose"]
pub struct JoinHandle<T> {
    /// Released by `Drop` (in one step with the join interest), hence
    /// `ManuallyDrop`.
    task: ManuallyDrop<TaskRef>,
    _output: PhantomData<T>,
}

// SAFETY: the handle touches only the state word (atomic), the join-waker
// cell (handed over by the JOIN_WAKER protocol) and the output, which it
// reads only once the task is COMPLETE. The output is a `T`, so moving the
// handle to another thread is sound exactly when `T: Send`.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: every method that takes `&self` touches only the atomic state word
// or schedules through the thread-safe waker path.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(task: TaskRef) -> JoinHandle<T> {
        JoinHandle {
            task: ManuallyDrop::new(task),
            _output: PhantomData,
        }
    }

    /// Cancels the task. If it is waiting, its future is dropped on the
    /// loop's next turn (its destructors run there, on the loop's thread);
    /// if it is being polled, right after that poll. Awaiting the handle then
    /// gives a [`JoinError`] that [`is_cancelled`](JoinError::is_cancelled).
    /// Aborting a finished task does nothing.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(async {
    ///         coop::time::sleep(std::time::Duration::from_secs(60)).await;
    ///     });
    ///     handle.abort();
    ///     assert!(handle.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort(&self) {
        super::abort::abort_task(&self.task);
    }

    /// A handle that can cancel this task, without the right to its output:
    /// cloneable, `Send + Sync` whatever `T` is, and free to outlive this
    /// `JoinHandle` and the task (see [`AbortHandle`]).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let task = coop::spawn(std::future::pending::<()>());
    ///     let abort = task.abort_handle();
    ///     coop::spawn(async move { abort.abort() });
    ///     assert!(task.await.unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(self.task.clone_ref())
    }

    /// True once the task has finished: returned, panicked or was cancelled.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(async {});
    ///     assert!(!handle.is_finished());
    ///     coop::yield_now().await;
    ///     assert!(handle.is_finished());
    /// });
    /// ```
    pub fn is_finished(&self) -> bool {
        self.task.header().state.load().is_complete()
    }

    /// The id of the task.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(async {});
    ///     println!("spawned task {}", handle.id());
    /// });
    /// ```
    pub fn id(&self) -> TaskId {
        self.task.header().id
    }

    /// Waits for the task on a plain thread (one not running a coop loop)
    /// and returns what awaiting the handle would: the output, or a
    /// [`JoinError`]. The thread parks until the task finishes.
    ///
    /// The runtime's loop must be running (a `block_on` on its thread) for a
    /// task on the loop to finish; a blocking job needs only its pool
    /// thread. If the runtime shuts down first, this returns a cancelled
    /// error rather than waiting forever.
    ///
    /// # Panics
    /// On a thread that is running a coop loop: the loop could then never
    /// run the task. `.await` the handle there instead.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let job = rt.handle().spawn_blocking(|| "done on the pool");
    /// // This thread runs no loop, so it may block.
    /// assert_eq!(job.join_blocking().unwrap(), "done on the pool");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn join_blocking(self) -> Result<T, JoinError> {
        crate::park_thread::block_on_thread("JoinHandle::join_blocking", self)
    }

    /// Hands `cx`'s waker to the task. Returns `true` if the task completed
    /// first, so the output can be read now. (`JoinSet` calls it at insert,
    /// so that an entry is queued only when its task completes.)
    pub(crate) fn register_join_waker(&self, cx: &mut Context<'_>) -> bool {
        let header = self.task.header();
        let snapshot = header.state.load();
        if snapshot.is_complete() {
            return true;
        }
        if snapshot.is_join_waker_set() {
            // The task side owns the cell but only ever reads it, so reading
            // it here too is fine.
            let same = header.join_waker.with(|w| {
                // SAFETY: shared read; no writer exists while JOIN_WAKER is set.
                let w = unsafe { &*w };
                w.as_ref().is_some_and(|w| w.will_wake(cx.waker()))
            });
            if same {
                return false;
            }
            if header.state.unset_join_waker().is_err() {
                return true;
            }
        }
        header.join_waker.with_mut(|w| {
            // SAFETY: JOIN_WAKER is unset, so this handle owns the cell.
            unsafe { *w = Some(cx.waker().clone()) };
        });
        header.state.set_join_waker().is_err()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let charge = std::task::ready!(crate::budget::poll_proceed(cx));
        if !self.register_join_waker(cx) {
            return Poll::Pending;
        }
        charge.made_progress();
        let mut out: Poll<Result<T, JoinError>> = Poll::Pending;
        // SAFETY: the task is COMPLETE and this handle still has join
        // interest, so the output is ours; `out` has the output's type; a
        // JoinHandle is not polled again after Ready (read_output checks).
        unsafe { self.task.read_output(&mut out as *mut _ as *mut ()) };
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: `task` is not used again: `drop` is the handle's end.
        let task = unsafe { ManuallyDrop::take(&mut self.task) };
        let on_loop = || crate::executor::is_own_bound_task(&task);
        match task.header().state.drop_join_handle_on_loop(on_loop) {
            // The handle's reference went with the join interest.
            DropJoin::Released { last } => task.forget_released(last),
            DropJoin::OwnsOutput => {
                // SAFETY: the task completed while we had join interest, so
                // the output is ours to drop (a `T`, on a thread where `T`
                // may live).
                unsafe { task.drop_output() };
                drop(task);
            }
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
