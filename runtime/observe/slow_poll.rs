//! The slow-poll warning: a poll that held the loop longer than
//! [`Builder::slow_poll_threshold`](crate::Builder::slow_poll_threshold)
//! (100 ms by default) blocked every other task meanwhile. asyncio's debug
//! mode reports slow callbacks the same way.
//!
//! The loop reads the clock once per poll, at its end; that reading is also
//! the next poll's start (see `Observer::clock_poll`), so measuring costs
//! one `Instant::now()` per poll, shared with `Metrics::longest_poll`.

use std::panic::Location;
use std::time::Duration;

use crate::task::TaskId;

/// The default of `Builder::slow_poll_threshold`.
pub const DEFAULT_SLOW_POLL: Duration = Duration::from_millis(100);

/// Emits the WARN event (target `coop::executor`, name `task.slow_poll`)
/// for a poll of `took`. `id` is `None` for the future given to `block_on`.
#[cold]
#[inline(never)]
pub(crate) fn warn(
    id: Option<TaskId>,
    name: Option<&str>,
    at: Option<&'static Location<'static>>,
    took: Duration,
) {
    let task = match (id, name) {
        (Some(id), Some(name)) => format!("task {name:?} (id {id})"),
        (Some(id), None) => format!("task {id}"),
        (None, _) => "the future given to `block_on`".to_string(),
    };
    let at = at.map_or_else(|| "unknown".to_string(), |at| at.to_string());
    // The subscriber is user code: a panic in it must not unwind into the
    // loop (see `trace.rs`).
    crate::catch::catch(|| {
        tracing::event!(
            name: "task.slow_poll",
            target: "coop::executor",
            tracing::Level::WARN,
            task.id = id.map(TaskId::as_u64),
            task.name = name,
            spawned.at = %at,
            ?took,
            "{task}, spawned at {at}, held the loop for {took:?} in one poll: every other \
             task waited meanwhile. Move blocking work (std::thread::sleep, file or \
             network I/O from std, long computations) to `coop::spawn_blocking`, or \
             `.await` something (`coop::yield_now()`) between chunks of it."
        )
    });
}
