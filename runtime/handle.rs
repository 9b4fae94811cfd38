//! [`Handle`]: a `Send + Sync` way into a runtime from other threads.
//!
//! The [`Runtime`](crate::Runtime) stays on its thread (its tasks need not
//! be `Send`). A `Handle` is just the runtime's thread-safe half, the
//! `Shared` of `executor/shared.rs`, so any thread can:
//!
//! ```text
//!  other thread                       loop thread
//!  handle.spawn(fut) ──► remote queue ──► loop pops it, binds it to its
//!        │               + unpark        task list, polls it like any task
//!        └─► JoinHandle: .await it, or `join_blocking()` on a plain thread
//!  handle.spawn_blocking(f) ──► blocking pool (`blocking/`)
//!  handle.block_on(fut): runs `fut` on *this* thread, parking between polls
//! ```
//!
//! A task spawned through a handle after the runtime shut down is cancelled
//! at once, so its `JoinHandle` reports [`JoinError::is_cancelled`](crate::JoinError::is_cancelled)
//! instead of waiting forever.

use std::fmt;
use std::future::Future;

use crate::blocking::BlockingTask;
use crate::executor::Shared;
use crate::loom::sync::Arc;
use crate::task::{new_task, JoinHandle, TaskId};

/// A cloneable, `Send + Sync` handle to a [`Runtime`](crate::Runtime), for
/// spawning work on it from other threads.
///
/// Get one with [`Runtime::handle`](crate::Runtime::handle), or
/// [`Handle::current`] inside the runtime (and inside its blocking jobs).
///
/// ```
/// let rt = coop::Runtime::new()?;
/// let handle = rt.handle();
/// let worker = std::thread::spawn(move || {
///     // From a plain thread: the task runs on the loop.
///     handle.spawn(async { 6 * 7 }).join_blocking()
/// });
/// // The loop must run for the task to run.
/// rt.block_on(async {
///     while !worker.is_finished() {
///         coop::time::sleep(std::time::Duration::from_millis(1)).await;
///     }
/// });
/// assert_eq!(worker.join().unwrap().unwrap(), 42);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Handle {
    shared: Arc<Shared>,
}

impl Handle {
    pub(crate) fn new(shared: Arc<Shared>) -> Handle {
        Handle { shared }
    }

    /// The runtime's shared half (for in-crate tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The handle of the runtime this code runs in: the loop's, on its
    /// thread; the owning runtime's, on a blocking-pool thread or inside
    /// [`Handle::block_on`].
    ///
    /// # Panics
    /// Anywhere else, with a message saying how to get a handle.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::Handle::current();
    ///     std::thread::spawn(move || handle.spawn(async {})).join().unwrap();
    /// });
    /// ```
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!(
                "`coop::Handle::current()` was called outside a coop runtime. Call it \
                 inside `block_on` (or a task, or a `spawn_blocking` job), or get a handle \
                 with `Runtime::handle()` and pass it to the thread that needs it."
            ),
        }
    }

    /// Like [`current`](Self::current), but `None` outside a runtime.
    ///
    /// ```
    /// assert!(coop::Handle::try_current().is_none());
    /// coop::block_on(async { assert!(coop::Handle::try_current().is_some()) });
    /// ```
    pub fn try_current() -> Option<Handle> {
        crate::context::current_shared().map(Handle::new)
    }

    /// Spawns a `Send` future as a task on the runtime's loop, from any
    /// thread. It runs the next time the loop runs (during a `block_on`).
    ///
    /// If the runtime has shut down, the task is cancelled right away (its
    /// future is dropped here) and the handle reports
    /// [`is_cancelled`](crate::JoinError::is_cancelled).
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let task = std::thread::scope(|s| {
    ///     let handle = rt.handle();
    ///     s.spawn(move || handle.spawn(async { "from a thread" })).join().unwrap()
    /// });
    /// assert_eq!(rt.block_on(task).unwrap(), "from a thread");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let location = std::panic::Location::caller();
        let id = TaskId::next();
        // The loop takes its owned-list reference when it binds the task.
        let (unbound, queued, join) = new_task(future, self.shared.clone(), id, location);
        drop(unbound);
        self.shared.spawn_remote(queued, location);
        JoinHandle::new(join)
    }

    /// Runs the closure `f` on the runtime's blocking pool; see
    /// [`coop::spawn_blocking`](crate::spawn_blocking). After shutdown the
    /// job is cancelled at once.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let job = rt.handle().spawn_blocking(|| 2 + 2);
    /// assert_eq!(job.join_blocking().unwrap(), 4);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let location = std::panic::Location::caller();
        let id = TaskId::next();
        let future = BlockingTask::new(f);
        // Pool jobs never join the loop's owned list.
        let (unbound, queued, join) = new_task(future, self.shared.clone(), id, location);
        drop(unbound);
        self.shared.blocking.spawn(queued, &self.shared);
        JoinHandle::new(join)
    }

    /// Runs `future` to completion on the calling thread, which must not be
    /// running a coop loop, parking the thread while the future waits.
    ///
    /// The future does not run on the loop: it can await [`JoinHandle`]s,
    /// channels and anything woken by a `Waker`, and call [`Handle::current`],
    /// [`spawn_blocking`](crate::spawn_blocking) and `Handle::spawn`. Timers
    /// and sockets belong to the loop's thread; spawn the code that uses
    /// them with [`Handle::spawn`] and await its `JoinHandle` here.
    ///
    /// # Panics
    /// On a thread that is running a coop loop (inside `block_on` or a task):
    /// it would freeze that loop. `.await` the future instead.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let handle = rt.handle();
    /// let sum = std::thread::spawn(move || {
    ///     handle.block_on(async {
    ///         let a = coop::spawn_blocking(|| 1);
    ///         let b = coop::spawn_blocking(|| 2);
    ///         a.await.unwrap() + b.await.unwrap()
    ///     })
    /// })
    /// .join()
    /// .unwrap();
    /// assert_eq!(sum, 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _current = crate::context::enter_handle(self.shared.clone());
        crate::park_thread::block_on_thread("Handle::block_on", future)
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("runtime", &self.shared.id)
            .finish()
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use crate::Runtime;

    /// `Handle::spawn` on another thread racing with the runtime's drop:
    /// the task runs or is cancelled, and its `JoinHandle` never hangs.
    #[test]
    fn handle_spawn_racing_with_runtime_drop_never_hangs() {
        loom::model(|| {
            let rt = Runtime::new().unwrap();
            let handle = rt.handle();
            let spawner =
                crate::loom::thread::spawn(move || handle.spawn(async { 1 }).join_blocking());
            rt.block_on(crate::yield_now());
            drop(rt);
            match spawner.join().unwrap() {
                Ok(n) => assert_eq!(n, 1),
                Err(e) => assert!(e.is_cancelled()),
            }
        });
    }
}
