//! The blocking pool: threads beside the loop for work that would freeze it.
//!
//! The loop runs one task at a time and only switches at an `.await`. A task
//! that computes for a second, or calls a blocking API (`std::fs`, a C
//! library, `std::thread::sleep`), stops every other task for that second.
//! [`spawn_blocking`] moves such work to a pool of plain OS threads, where
//! it runs in parallel with the loop (Rust threads have no global lock), and
//! hands the result back through an ordinary [`JoinHandle`].
//!
//! ```text
//!  spawn_blocking(f)
//!    │  allocate a task whose future is `BlockingTask(f)` (never Pending)
//!    ▼
//!  ┌──────────── Pool (Mutex<State> + Condvar) ────────────┐
//!  │ queue: [task, task, …]   threads ≤ max_blocking_threads│
//!  │ an idle thread is notified, or a new one is started    │
//!  └───────────────┬────────────────────────────────────────┘
//!                  ▼ pool thread
//!  task.run(): RUNNING ─► poll BlockingTask ─► f() ─► COMPLETE
//!                  │   output in the task cell, JoinHandle's waker woken
//!                  ▼   (a waker from the loop goes through the remote queue)
//!  JoinHandle (awaited on the loop, or `join_blocking` on a plain thread)
//! ```
//!
//! ## Design of the hand-off
//!
//! A blocking job *is* a task: its future, [`BlockingTask`], calls the
//! closure on its first poll and is `Ready` at once. The pool thread runs it
//! with the same [`TaskRef::run`](crate::task::TaskRef) the loop uses, so
//! the result reaches the `JoinHandle` through the one state machine and the
//! one output cell that every task uses: `RUNNING` gives the pool thread
//! the future, `COMPLETE` publishes the output, `JOIN_WAKER` hands over the
//! handle's waker. Nothing here is `unsafe`; the task code allows a pool
//! thread to hold `RUNNING` because the future of a blocking task is `Send`
//! (see the ownership table in `task/mod.rs`). Panics in the closure are
//! caught by the task's poll and become [`JoinError::is_panic`].
//!
//! A blocking task is never bound to the loop (it is not in the loop's task
//! list) and never goes on a run queue: only the pool's queue holds it.
//! `JoinHandle::abort` on a job that has not started sets `CANCELLED`, and
//! the pool thread that pops it drops the closure instead of calling it; a
//! job that is running cannot be interrupted and runs to the end.
//!
//! ## Threads
//!
//! * Started lazily: a job that finds no idle thread starts one, up to
//!   `Builder::max_blocking_threads` (default
//!   [`DEFAULT_MAX_BLOCKING_THREADS`], 512 as in tokio: blocking jobs mostly
//!   *wait*, so many more threads than cores make sense). Jobs beyond the
//!   cap wait in the queue, first in first out.
//! * A thread whose job has just returned counts as available: the next
//!   job takes it instead of starting a thread, so jobs run one after
//!   another use one thread (see `pool.rs`). It watches the queue for a
//!   few microseconds before it sleeps (see `linger.rs`), so such a job
//!   finds it awake: on an idle VM that saves waking a halted vCPU.
//! * Threads are named `coop-blk-{n}`, distinct within the 15 bytes Linux
//!   keeps (see `name.rs`); `Builder::thread_name` and
//!   `Builder::thread_name_fn` choose other names.
//! * An idle thread waits for work for `Builder::thread_keep_alive`
//!   (default [`DEFAULT_THREAD_KEEP_ALIVE`], 10 s), then exits.
//! * Shutdown (`Runtime` drop or `Runtime::shutdown_timeout`) cancels every
//!   queued job that has not started (its `JoinHandle` reports
//!   cancelled), then waits for the *running* ones up to a bound
//!   ([`DEFAULT_SHUTDOWN_TIMEOUT`] on drop). Threads still running after
//!   that are left to finish on their own; their results still reach their
//!   `JoinHandle`s.
//!
//! Under `--cfg loom` there is no clock: with a zero keep-alive an idle
//! thread exits at once, with any other it waits until notified or shut
//! down (so models explore both); shutdown waits without a bound.

mod linger;
mod name;
mod pool;
mod task;

pub(crate) use name::ThreadName;
pub(crate) use pool::{on_worker, BlockingPool, PoolConfig};
pub(crate) use task::BlockingTask;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

use std::time::Duration;

use crate::task::JoinHandle;

/// Default cap on the blocking pool's threads: 512, as in tokio. Blocking
/// jobs mostly wait (on disks, locks, sleeps), so the cap is far above the
/// number of cores; CPU-bound jobs should be fewer than the cores anyway.
pub const DEFAULT_MAX_BLOCKING_THREADS: usize = 512;

/// How long an idle blocking thread waits for work before it exits: 10 s,
/// as in tokio.
pub const DEFAULT_THREAD_KEEP_ALIVE: Duration = Duration::from_secs(10);

/// How long dropping a [`Runtime`](crate::Runtime) waits for blocking jobs
/// that are still running: 10 s. Use
/// [`Runtime::shutdown_timeout`](crate::Runtime::shutdown_timeout) to choose.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the closure `f` on the current runtime's blocking pool, a set of
/// threads beside the loop, and returns a [`JoinHandle`] for its result.
///
/// Use it for CPU-heavy work and for blocking calls (`std::fs`,
/// `std::thread::sleep`, a blocking client library): on the loop they would
/// stop every other task until they return. The closure cannot be
/// cancelled once it has started; [`JoinHandle::abort`] only stops it from
/// starting.
///
/// Works on the loop's thread, inside another blocking job, and inside
/// [`Handle::block_on`](crate::Handle::block_on). From any other thread use
/// [`Handle::spawn_blocking`](crate::Handle::spawn_blocking).
///
/// # Panics
/// Outside a runtime, with a message naming `coop::spawn_blocking` and
/// saying what to do. A panic inside `f` is not
/// propagated: awaiting the handle gives a [`JoinError`](crate::JoinError)
/// that [`is_panic`](crate::JoinError::is_panic).
///
/// ```
/// coop::block_on(async {
///     let sum = coop::spawn_blocking(|| (1..=1_000u64).sum::<u64>()).await.unwrap();
///     assert_eq!(sum, 500_500);
/// });
/// ```
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    crate::context::current_handle("coop::spawn_blocking").spawn_blocking(f)
}
