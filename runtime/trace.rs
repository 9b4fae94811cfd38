//! Every `tracing` span and event coop emits, named in one place.
//!
//! Turn them on with any `tracing` subscriber at `TRACE` level and watch the
//! loop work: `cargo run --example trace_loop`. Names are stable, dotted and
//! grouped under one target per subsystem, so filters like
//! `RUST_LOG=coop::executor=trace,coop::task=trace` work:
//!
//! | target           | names                                                        |
//! |------------------|--------------------------------------------------------------|
//! | `coop::task`     | span `task` (one per task: `task.id`, `spawned.at`); events `task.spawn`, `task.poll.start`, `task.poll.end`, `task.wake` (with its `source`, a `WakeSource`), `task.complete` |
//! | `coop::executor` | `loop.pick`, `loop.block_on.poll`, `loop.park`, `loop.unpark`, `loop.budget_exhausted`; `task.slow_poll` (WARN: a poll held the loop too long, see `observe/slow_poll.rs`) |
//! | `coop::reactor`  | `io.ready`; `io.undriven` (WARN: a socket waits where no loop drives it) |
//! | `coop::time`     | `timer.fired`                                                |
//!
//! Call sites use these functions, never `tracing` macros or `cfg`s of their
//! own. With no subscriber listening, each costs a cached "is anyone
//! interested?" check. The per-task span and the poll events exist only for
//! tasks spawned while a subscriber listens (see [`instrument`]): untraced
//! tasks carry no span and pay nothing per poll.
//!
//! ## What a subscriber may do
//!
//! A subscriber is user code that coop calls in the middle of its own
//! steps. Every event, and every span callback (new, enter, exit, close), is
//! emitted at a point where coop holds no lock and no borrow that user code
//! could reach, so a subscriber may re-enter coop from any of them:
//!
//! | the subscriber...                        | what happens                                  |
//! |------------------------------------------|-----------------------------------------------|
//! | panics                                   | the panic hook reports it; coop catches and drops the panic (`catch.rs`) and finishes the step: no task, wake-up or worker is lost |
//! | spawns (`coop::spawn`, `Handle::spawn`)  | the task is queued as from any other code     |
//! | wakes a task                             | the wake is seen: in `loop.park` too, which comes *before* the loop's last look for work |
//! | creates or drops a socket                | fine: `io.ready` is emitted outside the reactor's lock |
//! | calls `block_on` on the loop's thread    | panics (nested `block_on`), caught as above   |
//! | calls `Handle::block_on` elsewhere       | runs (events of pool threads and `Handle` callers come from those threads) |
//!
//! Where each event comes from:
//!
//! | event | emitted |
//! |---|---|
//! | `task.spawn`, span new | on the spawning thread, before the task exists |
//! | `task.poll.start`/`end`, span enter/exit | inside the task's poll, around the future |
//! | `task.wake` | by the waker, on the waking thread, after the task is queued (local) or before (remote) |
//! | `task.complete` | on the thread that ran the task (the loop, or a pool worker), before the `JoinHandle` is woken |
//! | span close | when the task's future is dropped |
//! | `loop.pick`, `loop.block_on.poll` | on the loop, before the poll |
//! | `loop.park` | on the loop, before it checks for work and sleeps |
//! | `loop.unpark`, `timer.fired` | on the loop, after the sleep; before each due timer's wake |
//! | `loop.budget_exhausted` | inside the task's poll, before its forced yield |
//! | `io.ready` | on the loop, after the reactor's lock is released, before the wake |
//!
//! One rule comes from `tracing`, not coop: an event that a callback causes
//! is dispatched again, to a *global* subscriber only (a scoped one, set with
//! `with_default`, does not see events from inside its own callbacks). A
//! global subscriber that, say, wakes a task on every `task.wake` must guard
//! against its own recursion.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;
use tracing::{Level, Span};

use crate::catch::catch;
use crate::task::{TaskId, WakeSource};

/// Emits one `TRACE` event: the subscriber's callback is user code, so a
/// panic in it is caught here and the loop's step goes on (see the module
/// docs).
///
/// The cheap "is anyone listening at `TRACE`?" check (a compile-time max
/// level and one relaxed load of tracing's global filter) comes first,
/// outside the catch: with no subscriber the loop pays only that, as it did
/// before events were caught (a closure run under `catch_unwind` is called
/// through a function pointer and cannot be inlined into the hot path).
#[inline(always)]
fn emit(event: impl FnOnce()) {
    if tracing::level_enabled!(Level::TRACE) {
        emit_caught(event);
    }
}

/// The slow half of [`emit`]: out of line, so the loop's hot path holds
/// only the level check.
#[cold]
#[inline(never)]
fn emit_caught(event: impl FnOnce()) {
    catch(event);
}

const TASK: &str = "coop::task";

#[inline]
pub(crate) fn task_spawn(id: TaskId, location: &'static Location<'static>) {
    emit(
        || tracing::event!(name: "task.spawn", target: TASK, Level::TRACE, task.id = id.as_u64(), spawned.at = %location, "spawn"),
    );
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
    if !spans_wanted() {
        return Err(future);
    }
    let span = catch(|| {
        tracing::trace_span!(
            target: TASK,
            "task",
            task.id = id.as_u64(),
            spawned.at = %location
        )
    });
    match span {
        Some(span) => Ok(Instrumented { future, span }),
        // The subscriber panicked making the span: the task goes untraced.
        None => Err(future),
    }
}

/// Whether a new task gets its span ([`instrument`]): the one relaxed load
/// of `level_enabled!` when nobody listens at `TRACE`, so the spawn path
/// asks this first and moves an untraced future only once.
#[inline(always)]
pub(crate) fn spans_wanted() -> bool {
    tracing::level_enabled!(Level::TRACE) && task_spans_enabled()
}

/// The subscriber's answer for `coop::task` (user code: caught).
#[cold]
#[inline(never)]
fn task_spans_enabled() -> bool {
    catch(|| tracing::enabled!(target: TASK, Level::TRACE)).unwrap_or(false)
}

pin_project! {
    /// A task's future inside its span: every poll enters the span and is
    /// bracketed by `task.poll.start` and `task.poll.end` (with the outcome
    /// and how long the poll took). Entering, leaving and closing the span
    /// call the subscriber, so each goes through [`catch`] too; the span
    /// closes just before the future is dropped.
    pub(crate) struct Instrumented<F> {
        #[pin]
        future: F,
        span: Span,
    }

    impl<F> PinnedDrop for Instrumented<F> {
        fn drop(this: Pin<&mut Self>) {
            let span = std::mem::replace(this.project().span, Span::none());
            catch(move || drop(span));
        }
    }
}

/// Inside a span for as long as it lives (exits on unwind too).
struct Entered<'a>(&'a Span);

impl<'a> Entered<'a> {
    fn enter(span: &'a Span) -> Entered<'a> {
        catch(|| span.with_subscriber(|(id, dispatch)| dispatch.enter(id)));
        Entered(span)
    }
}

impl Drop for Entered<'_> {
    fn drop(&mut self) {
        catch(|| self.0.with_subscriber(|(id, dispatch)| dispatch.exit(id)));
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let me = self.project();
        let _entered = Entered::enter(me.span);
        emit(|| tracing::event!(name: "task.poll.start", target: TASK, Level::TRACE, "poll"));
        let started = Instant::now();
        let result = me.future.poll(cx);
        let outcome = if result.is_ready() {
            "ready"
        } else {
            "pending"
        };
        let elapsed = started.elapsed();
        emit(|| {
            tracing::event!(
                name: "task.poll.end",
                target: TASK,
                Level::TRACE,
                outcome,
                ?elapsed,
                "{outcome}"
            )
        });
        result
    }
}

/// A wake queued task `id`; `source()` says who woke it (`None`: a wake
/// on the loop's thread outside any poll, timer or I/O step). A closure, so
/// that with no subscriber the source is not even decoded.
#[inline]
pub(crate) fn task_wake(id: TaskId, remote: bool, source: impl FnOnce() -> Option<WakeSource>) {
    let from = if remote { "remote" } else { "local" };
    emit(|| {
        let source = source();
        tracing::event!(
            name: "task.wake",
            target: TASK,
            Level::TRACE,
            task.id = id.as_u64(),
            from,
            source = ?source,
            "wake ({from}, by {source:?})"
        )
    });
}

#[inline]
pub(crate) fn task_wake_ignored(id: TaskId) {
    emit(|| {
        tracing::event!(
            name: "task.wake",
            target: TASK,
            Level::TRACE,
            task.id = id.as_u64(),
            from = "already scheduled, running or done",
            "wake (no-op)"
        )
    });
}

#[inline]
pub(crate) fn task_complete(id: TaskId) {
    emit(
        || tracing::event!(name: "task.complete", target: TASK, Level::TRACE, task.id = id.as_u64(), "complete"),
    );
}

const EXECUTOR: &str = "coop::executor";

/// The loop popped a task from a run queue and is about to run it.
#[inline]
pub(crate) fn pick(id: TaskId) {
    emit(
        || tracing::event!(name: "loop.pick", target: EXECUTOR, Level::TRACE, task.id = id.as_u64(), "pick"),
    );
}

#[inline]
pub(crate) fn block_on_poll() {
    emit(
        || tracing::event!(name: "loop.block_on.poll", target: EXECUTOR, Level::TRACE, "poll the block_on future"),
    );
}

/// The loop is about to look for work and sleep for at most `timeout()`
/// (called only if a subscriber listens; a wake from the subscriber makes
/// the sleep shorter).
#[inline]
pub(crate) fn park(timeout: impl FnOnce() -> Option<Duration>) {
    emit(
        || tracing::event!(name: "loop.park", target: EXECUTOR, Level::TRACE, timeout = ?timeout(), "park"),
    );
}

#[inline]
pub(crate) fn unpark(events: usize) {
    emit(|| tracing::event!(name: "loop.unpark", target: EXECUTOR, Level::TRACE, events, "unpark"));
}

#[inline]
pub(crate) fn budget_exhausted() {
    emit(
        || tracing::event!(name: "loop.budget_exhausted", target: EXECUTOR, Level::TRACE, "budget spent: forced yield"),
    );
}

#[cfg_attr(loom, allow(dead_code))]
#[inline]
pub(crate) fn io_ready(token: usize, readable: bool, writable: bool) {
    emit(
        || tracing::event!(name: "io.ready", target: "coop::reactor", Level::TRACE, token, readable, writable, "io ready"),
    );
}

#[inline]
pub(crate) fn timer_fired(deadline: Instant, now: Instant) {
    let late_by = now.saturating_duration_since(deadline);
    emit(|| {
        tracing::event!(
            name: "timer.fired",
            target: "coop::time",
            Level::TRACE,
            ?late_by,
            "timer fired"
        )
    });
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
