//! [`TaskSnapshot`]: one live task as the loop sees it, from
//! [`Runtime::tasks`](crate::Runtime::tasks).

use std::fmt;
use std::panic::Location;
use std::time::Instant;

use crate::task::{TaskId, WaitingOn, WakeSource};

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

/// One live task: its id, name, spawn site, state, how often it was polled,
/// what woke it last and, where known, what it waits on. `Debug` of a `Vec`
/// of them prints a table.
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
    pub(crate) waiting_on: Option<WaitingOn>,
    /// The runtime's clock when the snapshot was taken (for the table's
    /// "timer +1.5s").
    pub(crate) taken_at: Instant,
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

    /// What the task waits on, where the loop can tell: a timer (with its
    /// deadline), a socket (which directions) or another task (whose
    /// `JoinHandle` it awaits). See [`WaitingOn`].
    ///
    /// `None` means *not known*, not "not waiting": a task that is
    /// runnable or running, or that waits on something the loop does not
    /// own (a `coop::sync` channel or lock, a `Notify`, a hand-written
    /// future keeping its waker, or a combinator such as `JoinSet` that
    /// polls with a waker of its own). A task whose waker sits in several
    /// places (a read under a `timeout`) shows the socket or the task, not
    /// the deadline.
    ///
    /// Worked out when the snapshot is taken, never while the loop runs:
    /// [`Runtime::tasks`](crate::Runtime::tasks) compares each waiting
    /// task's waker with those the timers, the sockets and the join handles
    /// hold, so it costs the loop nothing.
    ///
    /// ```
    /// use coop::task::WaitingOn;
    ///
    /// let rt = coop::Runtime::new()?;
    /// let (mut tx, rx) = std::os::unix::net::UnixStream::pair()?;
    /// let reader = rt.spawn(async move {
    ///     use futures_util::AsyncReadExt;
    ///     let mut rx = coop::net::UnixStream::from_std(rx)?;
    ///     let mut byte = [0u8];
    ///     rx.read_exact(&mut byte).await?;
    ///     Ok::<u8, std::io::Error>(byte[0])
    /// });
    /// rt.run_until_stalled();
    /// let expected = WaitingOn::Io { readable: true, writable: false };
    /// assert_eq!(rt.tasks()[0].waiting_on(), Some(expected));
    /// std::io::Write::write_all(&mut tx, b"!")?;
    /// assert_eq!(rt.block_on(reader)??, b'!');
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn waiting_on(&self) -> Option<WaitingOn> {
        self.waiting_on
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
        let waits = self
            .waiting_on
            .map_or_else(|| "-".to_string(), |on| on.cell(self.taken_at).to_string());
        write!(
            f,
            "task {:<5} {:<12} {:<8} polls {:<6} woken by {:<10} waits on {:<14} spawned at {}",
            self.id.as_u64(),
            name,
            format!("{:?}", self.state),
            self.polls,
            woken,
            waits,
            at
        )
    }
}
