//! The cooperative budget: how many times one task may find a resource
//! ready in a row before it is made to yield.
//!
//! Cooperative scheduling has a weak spot: a task that never awaits anything
//! *pending* never gives the loop back. A loop that reads from a socket that
//! always has data, or awaits timers that have already expired, would run
//! forever and starve every other task, the reactor and the timers.
//!
//! So each poll of a task starts with a budget ([`DEFAULT_BUDGET`] units,
//! set with [`Builder::budget`](crate::Builder::budget)). Every coop
//! resource (timers, sockets, `JoinHandle`s) calls [`poll_proceed`] before it
//! reports `Ready` and spends one unit. When the budget is spent, the
//! resource reports `Pending` instead and wakes the task at once: the task
//! goes to the back of the run queue, and the loop moves on.
//!
//! ## Whom the budget binds
//!
//! The budget is the *loop's* fairness tool: it exists so one task cannot
//! keep the loop from the others. Code that does not run on the loop is not
//! bound by it:
//!
//! | where the code runs | budget |
//! |---|---|
//! | a task's poll, the `block_on` future's poll, on the loop | `Builder::budget` units per poll |
//! | inside [`time::timeout`](crate::time::timeout)'s deadline check | unlimited (the deadline must fire) |
//! | a `spawn_blocking` closure (`blocking/task.rs`) | unlimited |
//! | a plain-thread wait: `Handle::block_on`, `JoinHandle::join_blocking` (`park_thread.rs`) | unlimited |
//! | any other thread, or no runtime at all | unlimited |
//!
//! Why the blocking rows matter: a thread that waits with
//! `join_blocking` polls again only after it is woken. If it ran with a
//! budget, the 129th ready wait would report `Pending` and wake itself; the
//! thread would poll again with the budget still spent (nothing on that
//! thread ever refreshes it) and spin forever. So a blocking job, and each
//! poll of a plain-thread wait, runs [`unconstrained`], even when it was
//! started from inside a task's poll.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Units of budget a task gets per poll unless the builder says otherwise.
///
/// The same figure tokio uses: large enough that the cost of the forced
/// yield is amortised, small enough that other tasks wait at most a few
/// hundred microseconds.
pub const DEFAULT_BUDGET: u32 = 128;

crate::loom::thread_local! {
    /// `None`: unlimited. `Some(n)`: n units left in this poll.
    static BUDGET: Cell<Option<u32>> = const { Cell::new(None) };
}

/// Runs `f` (one poll) with a fresh budget of `units`, then restores the
/// previous budget.
pub(crate) fn with_budget<R>(units: u32, f: impl FnOnce() -> R) -> R {
    with(Some(units), f)
}

/// Runs `f` with an unlimited budget, then restores the previous one. For a
/// deadline that must fire even when the future it guards spent the
/// budget (see `time/timeout.rs`).
pub(crate) fn unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with(None, f)
}

fn with<R>(budget: Option<u32>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<u32>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = BUDGET.try_with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BUDGET.with(|b| b.replace(budget)));
    f()
}

/// A unit of budget taken by [`poll_proceed`]. Dropped without
/// [`made_progress`](Charge::made_progress), it is given back: a resource
/// that turned out to be pending did not use the budget.
#[must_use]
pub(crate) struct Charge(bool);

impl Charge {
    /// The resource was ready: keep the unit spent.
    pub(crate) fn made_progress(mut self) {
        self.0 = false;
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        if self.0 {
            let _ = BUDGET.try_with(|b| {
                if let Some(n) = b.get() {
                    b.set(Some(n + 1));
                }
            });
        }
    }
}

/// Takes one unit of budget, or, when none is left, wakes the task and
/// returns `Pending` so it yields to the loop.
pub(crate) fn poll_proceed(cx: &mut Context<'_>) -> Poll<Charge> {
    let left = BUDGET.try_with(|b| b.get()).ok().flatten();
    match left {
        None => Poll::Ready(Charge(false)),
        Some(0) => {
            crate::trace::budget_exhausted();
            crate::context::try_with_core(|core| core.observe().budget_yield());
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            let _ = BUDGET.try_with(|b| b.set(Some(n - 1)));
            Poll::Ready(Charge(true))
        }
    }
}

/// True if the current task still has budget (or runs unconstrained).
#[allow(dead_code)]
pub(crate) fn has_remaining() -> bool {
    BUDGET.try_with(|b| b.get() != Some(0)).unwrap_or(true)
}
