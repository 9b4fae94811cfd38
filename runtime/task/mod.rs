//! Tasks: spawning them, waiting for them, and groups of them.
//!
//! The paths a tokio user guesses: [`spawn`], [`spawn_blocking`],
//! [`yield_now`], [`JoinHandle`], [`AbortHandle`], [`JoinError`], [`TaskId`] and
//! [`JoinSet`] (the first three are also at the crate root, as
//! `coop::spawn`, ...).
//!
//! ```
//! use coop::task::{self, JoinSet};
//!
//! coop::block_on(async {
//!     let mut set = JoinSet::new();
//!     set.spawn(async { 1 });
//!     set.spawn_blocking(|| 2);
//!     let three = task::spawn(async { 3 });
//!     task::yield_now().await;
//!     let mut sum = three.await.unwrap();
//!     while let Some(n) = set.join_next().await {
//!         sum += n.unwrap();
//!     }
//!     assert_eq!(sum, 6);
//! });
//! ```
//!
//! ## Inside: one allocation per task
//!
//! A spawned future, its header and its output live in one allocation.
//!
//! ```text
//!   spawn ──► [SCHEDULED] ──pop──► [RUNNING] ──Pending──► [idle] ──wake──► [SCHEDULED]
//!                                     │  ▲                                   │
//!                                     │  └───────────────pop─────────────────┘
//!                                     ├──Ready / panic──► [COMPLETE] ── output waits for the JoinHandle
//!                                     └──abort / shutdown─► [COMPLETE] ── JoinError::Cancelled
//! ```
//!
//! Who owns what, and when it may be touched:
//!
//! | part              | owner                                   | touched by                        |
//! |-------------------|-----------------------------------------|-----------------------------------|
//! | the future        | the loop's thread (any thread if `Send`)| `poll` / `cancel`, with `RUNNING` |
//! | the output        | the `JoinHandle` after `COMPLETE`       | `JoinHandle::poll` / its drop     |
//! | the join waker    | the handle, or the task while `JOIN_WAKER` | see `state.rs`; a snapshot peeks (`join_peek.rs`) |
//! | the state word    | everyone                                | atomics only (plain atomic stores while only the loop holds the task: `state.rs`) |
//! | the owned-list key| the loop's thread                       | bind at spawn (or first run), free at end |
//! | the reference pool| the loop's thread                       | waker clone / drop on the loop, the idle step; opened at bind, closed at the end (`ref_pool.rs`) |
//!
//! ## Call-outs: where coop runs user code
//!
//! Coop calls user code at the points below, often in the middle of its own
//! bookkeeping. Whatever that code does (panic, or re-enter coop with
//! `spawn`, a wake, `block_on`, `Handle::spawn`), coop guarantees: the loop
//! and the other tasks go on, shutdown completes, every future and output is
//! dropped exactly once (on the loop's thread when it is `!Send`), and every
//! `JoinHandle` resolves. A panic that coop catches is reported by the panic
//! hook as usual, then discarded (see `catch.rs`). Tests: `tests/callouts.rs`,
//! one per row.
//!
//! | user code | called from | if it panics | if it re-enters coop |
//! |---|---|---|---|
//! | a task's `poll` | the loop (`harness.rs`); a pool thread for a blocking job | caught: the task completes with [`JoinError::is_panic`]; its future is dropped on the same thread | `spawn`, wakes and `Handle::spawn` work; `block_on`, `Handle::block_on` and `join_blocking` panic (they would block the loop), failing this task only |
//! | the future's `Drop` | completion, abort (also from another thread, or by dropping a `JoinSet`: on the loop's next turn), shutdown (`raw.rs`: `finish`), by the `RUNNING` holder | caught: its panic becomes the result; the output it replaces is dropped under a guard | as `poll`; during shutdown, see the shutdown row |
//! | the output's `Drop` | a detached task's completion (loop); `JoinHandle` drop (dropping thread) | caught and discarded | as `poll` |
//! | a panic payload's `Drop` | coop discarding a caught panic | caught; the payload of *that* panic is leaked | as `poll` |
//! | a `Waker`'s `wake` | the join waker at completion (`harness.rs`); timer wakers (`Core::fire_timers`); I/O wakers (`reactor/scheduled_io.rs`) | caught: the task stays complete, the other wakes of that turn are delivered. (Coop's own wakers, called by user code that panics afterwards: the wake stands; a task that woke itself and then panicked is complete and never polled again) | anything; on the loop's thread a spawn or wake lands on the local queue |
//! | a `Waker`'s `clone` | a `JoinHandle`, timer or socket storing `cx.waker()`, inside the poll that awaits it | that poll's panic (row one, or out of `block_on` for its own future); coop's state is as before the call | as `poll` |
//! | a `Waker`'s `drop` | the join waker when its task is freed (`raw.rs`: `dealloc`), wherever the last reference goes; a waker still in the timer heap (a leaked `Sleep`'s) at shutdown (`Core::shutdown`) | caught; the task is freed all the same | as the code that freed it (during shutdown: the shutdown row) |
//! | a blocking closure | a pool thread (`blocking/`); its `Drop` only, when a job still queued is cancelled (abort, or shutdown: on the shutting-down thread, the runtime current) | its job's [`JoinError::is_panic`]; the worker and its slot in the pool survive (issue 13.3, `blocking/pool.rs`) | `Handle::current`, `Handle::spawn`, `spawn_blocking`, `Handle::block_on` work; `coop::spawn` panics (no loop on that thread), failing the job |
//! | a `thread_name_fn` | the thread that starts a pool worker, pool lock held (`blocking/name.rs`) | caught: that worker gets the default name, the job runs | `spawn_blocking` from it would deadlock on the pool's lock: name threads, nothing more |
//! | a `tracing` subscriber | every event and span (`trace.rs`) | the rules, and which events may re-enter coop, are in `trace.rs` (issue 16): no task and no wake-up is lost | as stated in `trace.rs` |
//! | `Drop` of what a task owns, at shutdown | `Core::shutdown`, on the loop's thread, the runtime current | caught, as in the rows above; shutdown goes on | `spawn`: cancelled on the spot, on the loop's thread (the task list is closed); `Handle::spawn`: cancelled on the spawning thread (the remote queue is closed); `spawn_blocking`: accepted (the pool shuts down after the tasks), then run or cancelled by the pool's shutdown, its handle resolved either way; a wake: nothing left to run; `block_on`: panics, caught |
//! | `JoinHandle` drop | the handle's owner, on any thread if the output is `Send` | the output's and the join waker's `Drop` are caught | as the code that drops it |
//!
//! The door-closing order of shutdown (remote queue, then task list, then
//! local queue) is in `executor/mod.rs` (`Core::shutdown`); its race with
//! other threads is modelled in `executor/loom_tests.rs`, and the issue-13
//! recipe runs under Miri in `task/tests.rs`.
//!
//! A task's future is polled on its loop's thread, with one exception: a
//! blocking job (`blocking/`) is a task whose `Send` future is polled on a
//! pool thread, and a `Send` task spawned through a `Handle` after shutdown
//! is cancelled on the spawning thread. Both hold `RUNNING` like the loop
//! does, so the state machine needs no change for them.
//!
//! Files: `raw.rs` (the allocation and its vtable), `state.rs` (the state
//! machine, no `unsafe`), `waker.rs` (the only place a `Waker` is built),
//! `join.rs` (`JoinHandle`), `abort.rs` (`AbortHandle`), `error.rs` (`JoinError`), `id.rs` (`TaskId`),
//! `join_set/` (`JoinSet`, on top of `JoinHandle`).

mod abort;
mod builder;
mod error;
mod harness;
mod id;
mod join;
mod join_peek;
mod join_set;
mod raw;
mod ref_pool;
mod state;
#[cfg(all(test, not(loom), not(miri)))]
mod state_proptests;
mod waiting_on;
mod wake_source;
mod waker;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

pub use crate::observe::{TaskSnapshot, TaskState};
pub use abort::AbortHandle;
pub use builder::{id, try_id, Builder};
pub use error::JoinError;
pub(crate) use harness::Ran;
pub(crate) use id::IdBlock;
pub use id::TaskId;
pub use join::JoinHandle;
pub use join_set::JoinSet;
pub use waiting_on::WaitingOn;
pub use wake_source::WakeSource;

pub use crate::blocking::spawn_blocking;
pub use crate::yield_now::{yield_now, YieldNow};
pub(crate) use raw::TaskRef;
pub(crate) use raw::UNBOUND;
pub(crate) use waker::waker_ref;

use std::future::Future;
use std::panic::Location;

use crate::executor::Shared;
use crate::loom::sync::Arc;
use crate::trace;

/// Makes a new task: traces the spawn, wraps the future in its span if a
/// subscriber listens (see `trace::instrument`), and allocates it. Returns
/// the three references of [`TaskRef::allocate`].
#[inline(always)]
pub(crate) fn new_task<F>(
    future: F,
    scheduler: Arc<Shared>,
    id: TaskId,
    location: &'static Location<'static>,
) -> (TaskRef, TaskRef, TaskRef)
where
    F: Future + 'static,
{
    trace::task_spawn(id, location);
    // Asked before the future moves: an untraced spawn hands it straight
    // to the allocation (each move of it costs a copy).
    if !trace::spans_wanted() {
        return TaskRef::allocate(future, scheduler, id);
    }
    match trace::instrument(future, id, location) {
        Ok(traced) => TaskRef::allocate(traced, scheduler, id),
        Err(plain) => TaskRef::allocate(plain, scheduler, id),
    }
}

/// Spawns a future as a new task on the current runtime's loop and returns
/// a [`JoinHandle`] for its output.
///
/// The task starts running the next time the loop picks it. The future need
/// not be `Send`: tasks live on the loop's thread. To hand work to the loop
/// from another thread, use a [`Handle`](crate::Handle).
///
/// # Panics
/// When called outside a runtime (outside `block_on`, or from a thread that
/// is not running a loop).
///
/// ```
/// use std::rc::Rc;
///
/// coop::block_on(async {
///     // `Rc` is not `Send`; coop tasks don't need to be.
///     let shared = Rc::new(5);
///     let handle = coop::spawn({
///         let shared = shared.clone();
///         async move { *shared * 2 }
///     });
///     assert_eq!(handle.await.unwrap(), 10);
/// });
/// ```
#[track_caller]
#[inline]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let location = std::panic::Location::caller();
    crate::context::core("coop::spawn").spawn(future, location)
}
