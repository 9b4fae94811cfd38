//! Who woke a task: recorded with every wake, shown in traces, snapshots
//! and the timeline.

use super::TaskId;

/// What woke a task (or the `block_on` future).
///
/// ```
/// use coop::task::WakeSource;
///
/// let source = WakeSource::Timer;
/// assert_ne!(source, WakeSource::Io);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum WakeSource {
    /// Woken from inside this task's poll: its completion woke a
    /// `JoinHandle`'s awaiter, it sent on a channel, or it yielded.
    Task(TaskId),
    /// A timer fired (`sleep`, `timeout`, `interval`).
    Timer,
    /// A socket, pipe or signal became ready in the reactor.
    Io,
    /// Another thread (a `Handle`, a `Send` waker used off the loop).
    Remote,
    /// A job on the blocking pool finished.
    Blocking,
    /// The future given to `block_on`, from inside its poll.
    BlockOn,
    /// The first schedule of a freshly spawned task.
    Spawn,
}
