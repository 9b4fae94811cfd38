//! [`Metrics`]: what the loop has done so far, counted as it goes.
//!
//! The counters are plain `Cell`s on the loop's thread: counting costs an
//! add, never an atomic. Wakes from other threads are counted by the loop
//! when it takes them off the remote queue, so the waking thread pays
//! nothing for them either.

use std::cell::Cell;
use std::time::Duration;

/// Counts of what a runtime's loop has done, from
/// [`Runtime::metrics`](crate::Runtime::metrics). Always on; a `Copy`
/// snapshot, so compare two of them to see what happened in between.
///
/// ```
/// let rt = coop::Runtime::new()?;
/// rt.block_on(async {
///     coop::spawn(async { coop::yield_now().await }).await.unwrap();
/// });
/// let m = rt.metrics();
/// assert_eq!(m.tasks_spawned, 1);
/// assert_eq!(m.tasks_completed, 1);
/// assert_eq!(m.polls, 2); // once to the yield, once to the end
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Tasks bound to the loop: spawned on it, or spawned through a
    /// [`Handle`](crate::Handle) and taken off the remote queue. Blocking
    /// jobs are not tasks of the loop and are not counted.
    pub tasks_spawned: u64,
    /// Tasks that finished on the loop (output, panic or cancellation).
    pub tasks_completed: u64,
    /// Task polls (the future given to `block_on` is not a task).
    pub polls: u64,
    /// Wakes on the loop's thread that queued a task (a wake of a task that
    /// is already queued, running or done queues nothing and is not counted).
    pub wakes_local: u64,
    /// Wakes from other threads (a [`Handle`](crate::Handle), the blocking
    /// pool, a `Send` waker) that queued a task, counted when the loop takes
    /// them off its remote queue.
    pub wakes_remote: u64,
    /// Polls that ran out of budget and were made to yield.
    pub budget_yields: u64,
    /// Times the loop looked at I/O and timers (with or without sleeping).
    pub parks: u64,
    /// I/O events the reactor returned (including the loop's own wake-ups).
    pub io_events: u64,
    /// Timers that fired.
    pub timers_fired: u64,
    /// The longest single poll (of a task or of the `block_on` future),
    /// to within a scheduler tick (1 to 4 ms on Linux: the loop reads a
    /// coarse clock, see `observe/clock.rs`).
    pub longest_poll: Duration,
    /// The most tasks that waited in the local run queue at once.
    pub max_queue_depth: u64,
}

/// The live counters behind [`Metrics`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) tasks_spawned: Cell<u64>,
    pub(crate) tasks_completed: Cell<u64>,
    pub(crate) polls: Cell<u64>,
    pub(crate) wakes_local: Cell<u64>,
    pub(crate) wakes_remote: Cell<u64>,
    pub(crate) budget_yields: Cell<u64>,
    pub(crate) parks: Cell<u64>,
    pub(crate) io_events: Cell<u64>,
    pub(crate) timers_fired: Cell<u64>,
    /// In nanoseconds.
    pub(crate) longest_poll: Cell<u64>,
}

impl Counters {
    pub(crate) fn snapshot(&self, max_queue_depth: usize) -> Metrics {
        Metrics {
            tasks_spawned: self.tasks_spawned.get(),
            tasks_completed: self.tasks_completed.get(),
            polls: self.polls.get(),
            wakes_local: self.wakes_local.get(),
            wakes_remote: self.wakes_remote.get(),
            budget_yields: self.budget_yields.get(),
            parks: self.parks.get(),
            io_events: self.io_events.get(),
            timers_fired: self.timers_fired.get(),
            longest_poll: Duration::from_nanos(self.longest_poll.get()),
            max_queue_depth: max_queue_depth as u64,
        }
    }
}
