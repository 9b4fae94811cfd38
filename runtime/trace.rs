//! Every `tracing` span and event coop emits, named in one place.
//!
//! Turn them on with any `tracing` subscriber at `TRACE` level and watch the
//! loop work: `cargo run --example trace_loop`. Names are stable, dotted and
//! grouped under one target per subsystem, so filters like
//! `RUST_LOG=coop::executor=trace,coop::task=trace` work:
//!
//! | target           | names                                                        |
//! |------------------|--------------------------------------------------------------|
//! | `coop::task`     | span `task` (one per task: `task.id`, `spawned.at`); events `task.spawn`, `task.poll.start`, `task.poll.end`, `task.wake`, `task.complete` |
//! | `coop::executor` | `loop.pick`, `loop.block_on.poll`, `loop.park`, `loop.unpark`, `loop.budget_exhausted` |
//! | `coop::reactor`  | `io.ready`; `io.undriven` (WARN: a socket waits where no loop drives it) |
//! | `coop::time`     | `timer.fired`                                                |
//!
//! Call sites use these functions, never `tracing` macros or `cfg`s of their
//! own. With no subscriber listening, each costs a cached "is anyone
//! interested?" check. The per-task span and the poll events exist only for
//! tasks spawned while a subscriber listens (see [`instrument`]): untraced
//! tasks carry no span and pay nothing per poll.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;
use tracing::{Level, Span};

use crate::task::TaskId;

const TASK: &str = "coop::task";

pub(crate) fn task_spawn(id: TaskId, location: &'static Location<'static>) {
    tracing::event!(name: "task.spawn", target: TASK, Level::TRACE, task.id = id.as_u64(), spawned.at = %location, "spawn");
}

/// Gives `future` its own `task` span (task id and spawn site) if a
/// subscriber listens to `coop::task` at `TRACE` when it is spawned.
///
/// Untraced tasks get no wrapper at all: they pay nothing per poll, and
/// their allocation holds no span and no spawn site. The caller allocates
/// whichever of the two futures it gets back.
pub(crate) fn instrument<F: Future>(
    future: F,
    id: TaskId,
    location: &'static Location<'static>,
) -> Result<Instrumented<F>, F> {
    if !tracing::enabled!(target: TASK, Level::TRACE) {
        return Err(future);
    }
    let span = tracing::trace_span!(
        target: TASK,
        "task",
        task.id = id.as_u64(),
        spawned.at = %location
    );
    Ok(Instrumented { future, span })
}

pin_project! {
    /// A task's future inside its span: every poll enters the span and is
    /// bracketed by `task.poll.start` and `task.poll.end` (with the outcome
    /// and how long the poll took).
    pub(crate) struct Instrumented<F> {
        #[pin]
        future: F,
        span: Span,
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let me = self.project();
        let _entered = me.span.enter();
        tracing::event!(name: "task.poll.start", target: TASK, Level::TRACE, "poll");
        let started = Instant::now();
        let result = me.future.poll(cx);
        let outcome = if result.is_ready() {
            "ready"
        } else {
            "pending"
        };
        tracing::event!(
            name: "task.poll.end",
            target: TASK,
            Level::TRACE,
            outcome,
            elapsed = ?started.elapsed(),
            "{outcome}"
        );
        result
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

/// A socket of runtime `runtime` is waiting where nothing will wake it:
/// `here` is the runtime running on this thread, if any (see
/// `context::SocketWatch`).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn io_undriven(socket: &str, runtime: u64, here: Option<u64>) {
    let place = match here {
        Some(other) => format!("on the thread of another coop runtime ({other})"),
        None => "on a thread that runs no coop loop (another executor?)".to_string(),
    };
    tracing::event!(
        name: "io.undriven",
        target: "coop::reactor",
        Level::WARN,
        socket,
        runtime,
        "a coop::net::{socket} of runtime {runtime} is waiting {place}, but that runtime's \
         loop is not running anywhere, so nothing will wake it. Poll the socket inside its \
         runtime's `block_on` (or a task spawned there), or keep that loop running on another \
         thread. (Shown once per socket.)"
    );
}
