//! Tasks: spawning them, waiting for them, and groups of them.
//!
//! The paths a tokio user guesses: [`spawn`], [`spawn_blocking`],
//! [`yield_now`], [`JoinHandle`], [`JoinError`], [`TaskId`] and
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
//! | the join waker    | the handle, or the task while `JOIN_WAKER` | see `state.rs`                 |
//! | the state word    | everyone                                | atomics only                      |
//! | the owned-list key| the loop's thread                       | bind at spawn (or first run), free at end |
//!
//! A task's future is polled on its loop's thread, with one exception: a
//! blocking job (`blocking/`) is a task whose `Send` future is polled on a
//! pool thread, and a `Send` task spawned through a `Handle` after shutdown
//! is cancelled on the spawning thread. Both hold `RUNNING` like the loop
//! does, so the state machine needs no change for them.
//!
//! Files: `raw.rs` (the allocation and its vtable), `state.rs` (the state
//! machine, no `unsafe`), `waker.rs` (the only place a `Waker` is built),
//! `join.rs` (`JoinHandle`), `error.rs` (`JoinError`), `id.rs` (`TaskId`),
//! `join_set/` (`JoinSet`, on top of `JoinHandle`).

mod error;
mod harness;
mod id;
mod join;
mod join_set;
mod raw;
mod state;
mod waker;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

pub use error::JoinError;
pub(crate) use harness::Ran;
pub(crate) use id::IdBlock;
pub use id::TaskId;
pub use join::JoinHandle;
pub use join_set::JoinSet;

pub use crate::blocking::spawn_blocking;
pub use crate::yield_now::{yield_now, YieldNow};
pub(crate) use raw::TaskRef;
pub(crate) use raw::UNBOUND;

use std::future::Future;
use std::panic::Location;

use crate::executor::Shared;
use crate::loom::sync::Arc;
use crate::trace;

/// Makes a new task: traces the spawn, wraps the future in its span if a
/// subscriber listens (see `trace::instrument`), and allocates it. Returns
/// the three references of [`TaskRef::allocate`].
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
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let location = std::panic::Location::caller();
    crate::context::with_core("coop::spawn", |core| core.spawn(future, location))
}
