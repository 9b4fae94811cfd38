//! [`TaskSnapshot`]: one live task as the loop sees it, from
//! [`Runtime::tasks`](crate::Runtime::tasks).

use std::fmt;
use std::panic::Location;

use crate::task::{TaskId, WakeSource};

/// Where a task stands in the loop's cycle.
///
/// ```
/// use coop::task::TaskState;
///
/// let rt = coop::Runtime::new()?;
/// let _handle = rt.spawn(std::future::pending::<()>());
/// assert_eq!(rt.tasks()[0].state(), TaskState::Runnable); // queued, not polled yet
/// rt.run_until_stalled();
/// assert_eq!(rt.tasks()[0].state(), TaskState::Waiting); // polled, pending, not woken
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Queued: the loop will poll it.
    Runnable,
    /// Being polled right now (seen only from inside the loop).
    Running,
    /// Returned `Pending` and not woken since: its waker sits with a
    /// timer, a socket, a channel or another task.
    Waiting,
}

/// One live task: its id, name, spawn site, state, how often it was polled
/// and what woke it last. `Debug` of a `Vec` of them prints a table.
///
/// ```
/// use coop::task::WakeSource;
///
/// let rt = coop::Runtime::new()?;
/// let _handle = rt.spawn(std::future::pending::<()>());
/// rt.run_until_stalled();
/// let tasks = rt.tasks();
/// assert_eq!(tasks[0].polls(), 1);
/// assert_eq!(tasks[0].woken_by(), Some(WakeSource::Spawn));
/// assert_eq!(tasks[0].spawned_at().file(), file!());
/// println!("{tasks:?}");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct TaskSnapshot {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Box<str>>,
    pub(crate) spawned_at: Option<&'static Location<'static>>,
    pub(crate) state: TaskState,
    pub(crate) polls: u64,
    pub(crate) woken_by: Option<WakeSource>,
}

impl TaskSnapshot {
    /// The task's id.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let handle = rt.spawn(async {});
    /// assert_eq!(rt.tasks()[0].id(), handle.id());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn id(&self) -> crate::TaskId {
        self.id
    }

    /// The name given with [`task::Builder::name`](crate::task::Builder::name).
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// rt.block_on(async {
    ///     coop::task::Builder::new().name("reader").spawn(std::future::pending::<()>());
    /// });
    /// assert_eq!(rt.tasks()[0].name(), Some("reader"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The line that spawned the task.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let _handle = rt.spawn(async {});
    /// assert_eq!(rt.tasks()[0].spawned_at().line(), line!() - 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at.unwrap_or_else(|| Location::caller())
    }

    /// Runnable, running or waiting.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let _handle = rt.spawn(async {});
    /// assert_eq!(rt.tasks()[0].state(), coop::task::TaskState::Runnable);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// How many times the loop has polled the task.
    ///
    /// ```
    /// let rt = coop::Runtime::new()?;
    /// let _handle = rt.spawn(std::future::pending::<()>());
    /// assert_eq!(rt.tasks()[0].polls(), 0);
    /// rt.turn();
    /// assert_eq!(rt.tasks()[0].polls(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// What woke the task last: [`WakeSource::Spawn`] until something else
    /// does.
    ///
    /// ```
    /// use coop::task::WakeSource;
    ///
    /// let rt = coop::Runtime::new()?;
    /// let _handle = rt.spawn(async {
    ///     coop::yield_now().await;
    ///     std::future::pending::<()>().await
    /// });
    /// rt.turn(); // polled once: it yields, waking itself
    /// let me = rt.tasks()[0].id();
    /// assert_eq!(rt.tasks()[0].woken_by(), Some(WakeSource::Task(me)));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn woken_by(&self) -> Option<WakeSource> {
        self.woken_by
    }
}

impl fmt::Debug for TaskSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One table row: `{:#?}` of `rt.tasks()` prints one per line.
        let name = self
            .name
            .as_deref()
            .map_or("-".to_string(), |n| format!("{n:?}"));
        let woken = match self.woken_by {
            Some(WakeSource::Task(id)) => format!("task {id}"),
            Some(source) => format!("{source:?}"),
            None => "-".to_string(),
        };
        let at = self
            .spawned_at
            .map_or_else(|| "?".to_string(), |at| at.to_string());
        write!(
            f,
            "task {:<5} {:<12} {:<8} polls {:<6} woken by {:<10} spawned at {}",
            self.id.as_u64(),
            name,
            format!("{:?}", self.state),
            self.polls,
            woken,
            at
        )
    }
}
