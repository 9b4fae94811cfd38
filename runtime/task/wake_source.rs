//! Who woke a task: recorded with every wake, shown in traces (the
//! `source` of `task.wake`), snapshots ([`TaskSnapshot::woken_by`]) and
//! the timeline.
//!
//! The loop knows who is waking without asking anyone: it sets a
//! loop-local "source" as it moves through its steps (polling task `a`:
//! `Task(a)`; polling `block_on`'s future: `BlockOn`; in the reactor: `Io`;
//! firing timers: `Timer`), and a wake on its thread reads it while it
//! looks up the runtime anyway. A wake from another thread is `Remote`, or
//! `Blocking` on a pool worker, and travels with the task in the remote
//! queue. See `observe/mod.rs`.
//!
//! [`TaskSnapshot::woken_by`]: crate::task::TaskSnapshot::woken_by

use super::TaskId;

/// What woke a task (or the `block_on` future).
///
/// ```
/// use coop::task::WakeSource;
/// use std::time::Duration;
///
/// let rt = coop::Runtime::new()?;
/// let sleeper = rt.spawn(async {
///     coop::time::sleep(Duration::from_millis(1)).await;
///     std::future::pending::<()>().await
/// });
/// rt.block_on(coop::time::sleep(Duration::from_millis(20)));
/// assert_eq!(rt.tasks()[0].woken_by(), Some(WakeSource::Timer));
/// # drop(sleeper);
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WakeSource {
    /// Woken from inside this task's poll: its completion woke a
    /// `JoinHandle`'s awaiter, it sent on a channel, or it yielded (a task
    /// woken while it runs counts as woken by itself).
    Task(TaskId),
    /// A timer fired (`sleep`, `timeout`, `interval`).
    Timer,
    /// A socket, pipe or signal became ready in the reactor.
    Io,
    /// Another thread (a `Handle`, a `Send` waker used off the loop), or
    /// this thread outside the loop (between two `block_on`s).
    Remote,
    /// A job on the blocking pool finished.
    Blocking,
    /// The future given to `block_on`, from inside its poll.
    BlockOn,
    /// The first schedule of a freshly spawned task.
    Spawn,
}
