//! Every `tracing` span and event coop emits, named in one place.
//!
//! Turn them on with any `tracing` subscriber at `TRACE` level and watch the
//! loop work: `cargo run --example trace_loop`. Names are stable, dotted and
//! grouped under one target per subsystem, so filters like
//! `RUST_LOG=coop::executor=trace,coop::task=trace` work:
//!
//! | target           | names                                                        |
//! |------------------|--------------------------------------------------------------|
//! | `coop::task`     | span `task.poll`; events `task.spawn`, `task.poll.start`, `task.poll.end`, `task.wake`, `task.complete` |
//! | `coop::executor` | `loop.pick`, `loop.block_on.poll`, `loop.park`, `loop.unpark`, `loop.budget_exhausted` |
//! | `coop::reactor`  | `io.ready`                                                   |
//! | `coop::time`     | `timer.fired`                                                |
//!
//! Call sites use these functions, never `tracing` macros or `cfg`s of their
//! own. With no subscriber listening, each costs a cached "is anyone
//! interested?" check.

use std::panic::Location;
use std::time::{Duration, Instant};

use tracing::{Level, Span};

use crate::task::TaskId;

const TASK: &str = "coop::task";

/// The span entered around every poll of a task. Its spawn site is in the
/// task's `task.spawn` event (same `task.id`).
pub(crate) fn task_poll_span(id: TaskId) -> Span {
    tracing::trace_span!(target: TASK, "task.poll", task.id = id.as_u64())
}

pub(crate) fn task_spawn(id: TaskId, location: &'static Location<'static>) {
    tracing::event!(name: "task.spawn", target: TASK, Level::TRACE, task.id = id.as_u64(), spawned.at = %location, "spawn");
}

/// Returns the start time only when someone is listening, so an untraced
/// loop never reads the clock for this.
pub(crate) fn task_poll_start() -> Option<Instant> {
    if tracing::enabled!(target: TASK, Level::TRACE) {
        tracing::event!(name: "task.poll.start", target: TASK, Level::TRACE, "poll");
        Some(Instant::now())
    } else {
        None
    }
}

pub(crate) fn task_poll_end(started: Option<Instant>, ready: bool) {
    if let Some(started) = started {
        let outcome = if ready { "ready" } else { "pending" };
        tracing::event!(
            name: "task.poll.end",
            target: TASK,
            Level::TRACE,
            outcome,
            elapsed = ?started.elapsed(),
            "{outcome}"
        );
    }
}

pub(crate) fn task_wake(id: TaskId, remote: bool) {
    let from = if remote { "remote" } else { "local" };
    tracing::event!(name: "task.wake", target: TASK, Level::TRACE, task.id = id.as_u64(), from, "wake ({from})");
}

pub(crate) fn task_wake_ignored(id: TaskId) {
    tracing::event!(
        name: "task.wake",
        target: TASK,
        Level::TRACE,
        task.id = id.as_u64(),
        from = "already scheduled, running or done",
        "wake (no-op)"
    );
}

pub(crate) fn task_complete(id: TaskId) {
    tracing::event!(name: "task.complete", target: TASK, Level::TRACE, task.id = id.as_u64(), "complete");
}

const EXECUTOR: &str = "coop::executor";

/// The loop popped a task from a run queue and is about to run it.
pub(crate) fn pick(id: TaskId) {
    tracing::event!(name: "loop.pick", target: EXECUTOR, Level::TRACE, task.id = id.as_u64(), "pick");
}

pub(crate) fn block_on_poll() {
    tracing::event!(name: "loop.block_on.poll", target: EXECUTOR, Level::TRACE, "poll the block_on future");
}

pub(crate) fn park(timeout: Option<Duration>) {
    tracing::event!(name: "loop.park", target: EXECUTOR, Level::TRACE, ?timeout, "park");
}

pub(crate) fn unpark(events: usize) {
    tracing::event!(name: "loop.unpark", target: EXECUTOR, Level::TRACE, events, "unpark");
}

pub(crate) fn budget_exhausted() {
    tracing::event!(name: "loop.budget_exhausted", target: EXECUTOR, Level::TRACE, "budget spent: forced yield");
}

#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn io_ready(token: usize, readable: bool, writable: bool) {
    tracing::event!(name: "io.ready", target: "coop::reactor", Level::TRACE, token, readable, writable, "io ready");
}

pub(crate) fn timer_fired(deadline: Instant, now: Instant) {
    tracing::event!(
        name: "timer.fired",
        target: "coop::time",
        Level::TRACE,
        late_by = ?now.saturating_duration_since(deadline),
        "timer fired"
    );
}
