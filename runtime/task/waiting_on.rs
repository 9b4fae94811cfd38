//! [`WaitingOn`]: what a waiting task waits on, as a snapshot
//! ([`TaskSnapshot::waiting_on`]) can tell.
//!
//! A task that returned `Pending` left its waker somewhere. The loop does
//! not note where (that would cost every poll something); a snapshot finds
//! out afterwards by looking at the places a waker can sit that the loop
//! itself owns, and comparing each waker there with the task's own
//! ([`Waker::will_wake`](std::task::Waker::will_wake)):
//!
//! ```text
//!   timer heap   slot: waker, deadline      ─► Timer { deadline }
//!   reactor      socket: reader / writer /  ─► Io { readable, writable }
//!                        waiter list
//!   task t       join-waker cell            ─► Task(t)   (t's JoinHandle)
//! ```
//!
//! Anything else (a `coop::sync` channel, a `Notify`, a hand-written future
//! that keeps its waker, a `select!` or `JoinSet` whose combined waker is
//! not the task's own) is not known, and the snapshot says `None`.
//!
//! [`TaskSnapshot::waiting_on`]: crate::task::TaskSnapshot::waiting_on

use std::fmt;
use std::time::Instant;

use super::id::TaskId;

/// What a [`Waiting`](crate::task::TaskState::Waiting) task waits on,
/// where the loop can tell (see
/// [`TaskSnapshot::waiting_on`](crate::task::TaskSnapshot::waiting_on)).
///
/// ```
/// use std::time::Duration;
/// use coop::task::WaitingOn;
///
/// let rt = coop::Builder::new().start_paused(true).build()?;
/// let deadline = rt.block_on(async { coop::time::now() }) + Duration::from_secs(60);
/// let sleeper = rt.spawn(coop::time::sleep_until(deadline));
/// let waiter = rt.spawn(sleeper);
/// rt.run_until_stalled();
/// let tasks = rt.tasks();
/// assert_eq!(tasks[0].waiting_on(), Some(WaitingOn::Timer { deadline }));
/// assert_eq!(tasks[1].waiting_on(), Some(WaitingOn::Task(tasks[0].id())));
/// # drop(waiter);
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitingOn {
    /// A timer ([`sleep`](crate::time::sleep), [`timeout`](crate::time::timeout),
    /// [`interval`](crate::time::interval)) due at `deadline`, on the
    /// runtime's clock ([`coop::time::now`](crate::time::now)).
    Timer {
        /// When the timer fires.
        deadline: Instant,
    },
    /// A socket (or other reactor source) to become readable and/or
    /// writable. A task waiting on several sockets shows the directions of
    /// all of them.
    Io {
        /// Waiting to read (or accept, or receive).
        readable: bool,
        /// Waiting to write (or send).
        writable: bool,
    },
    /// Another task to finish: the task awaits its
    /// [`JoinHandle`](crate::task::JoinHandle).
    Task(TaskId),
}

impl WaitingOn {
    /// How sure a snapshot is that this is *the* thing a task waits for,
    /// when its waker sits in several places: a deadline is usually the
    /// guard around something else (a read under a `timeout`), so a socket
    /// or a task is named before it.
    pub(crate) fn rank(self) -> u8 {
        match self {
            WaitingOn::Timer { .. } => 0,
            WaitingOn::Task(_) => 1,
            WaitingOn::Io { .. } => 2,
        }
    }

    /// `self` and `other` seen for the same task: the I/O directions add
    /// up; otherwise the higher [`rank`](Self::rank) wins (the first seen
    /// on a tie).
    pub(crate) fn merge(self, other: WaitingOn) -> WaitingOn {
        match (self, other) {
            (
                WaitingOn::Io { readable, writable },
                WaitingOn::Io {
                    readable: r,
                    writable: w,
                },
            ) => WaitingOn::Io {
                readable: readable || r,
                writable: writable || w,
            },
            _ if other.rank() > self.rank() => other,
            _ => self,
        }
    }

    /// The snapshot table's "waits on" cell, with a deadline shown relative
    /// to `now` (the runtime's clock when the snapshot was taken).
    pub(crate) fn cell(self, now: Instant) -> impl fmt::Display {
        Cell(self, now)
    }
}

struct Cell(WaitingOn, Instant);

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self.0 {
            WaitingOn::Timer { deadline } => match deadline.checked_duration_since(self.1) {
                Some(left) if !left.is_zero() => format!("timer +{left:.3?}"),
                _ => "timer, due".to_string(),
            },
            WaitingOn::Io {
                readable: true,
                writable: true,
            } => "io read+write".to_string(),
            WaitingOn::Io { writable: true, .. } => "io write".to_string(),
            WaitingOn::Io { .. } => "io read".to_string(),
            WaitingOn::Task(id) => format!("task {id}"),
        };
        // Padding applies to the text, so the table's columns line up.
        f.pad(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn io_directions_add_up_and_a_socket_outranks_a_deadline() {
        let read = WaitingOn::Io {
            readable: true,
            writable: false,
        };
        let write = WaitingOn::Io {
            readable: false,
            writable: true,
        };
        let both = WaitingOn::Io {
            readable: true,
            writable: true,
        };
        let timer = WaitingOn::Timer {
            deadline: Instant::now(),
        };
        assert_eq!(read.merge(write), both);
        assert_eq!(timer.merge(read), read);
        assert_eq!(read.merge(timer), read);
        let later = WaitingOn::Timer {
            deadline: Instant::now() + Duration::from_secs(1),
        };
        assert_eq!(timer.merge(later), timer, "first deadline seen stays");
    }

    #[test]
    fn cells_read_as_words() {
        let now = Instant::now();
        let timer = WaitingOn::Timer {
            deadline: now + Duration::from_millis(1500),
        };
        assert_eq!(timer.cell(now).to_string(), "timer +1.500s");
        assert_eq!(
            timer.cell(now + Duration::from_secs(2)).to_string(),
            "timer, due"
        );
        let io = WaitingOn::Io {
            readable: false,
            writable: true,
        };
        assert_eq!(format!("{:<10}|", io.cell(now)), "io write  |");
    }
}
