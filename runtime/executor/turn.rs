//! [`Turn`]: what one step of the loop did, for stepping it by hand with
//! [`Runtime::turn`](crate::Runtime::turn).
//!
//! ```text
//!   rt.turn()
//!    ├─ a task is runnable?  pick it, poll it once ──► Turn::Polled { task, ready }
//!    └─ none: look at I/O and timers, never sleep  ──► Turn::Parked { events, timers_fired }
//!                                  nothing happened ──► Turn::Idle
//! ```

use crate::task::TaskId;

/// What one [`Runtime::turn`](crate::Runtime::turn) did.
///
/// ```
/// use coop::Turn;
///
/// let rt = coop::Runtime::new()?;
/// let handle = rt.spawn(async {});
/// assert_eq!(rt.turn(), Turn::Polled { task: handle.id(), ready: true });
/// assert_eq!(rt.turn(), Turn::Idle);
/// # Ok::<(), std::io::Error>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Turn {
    /// One task was polled once; `ready`: it finished (returned `Ready`,
    /// panicked, or was cancelled).
    Polled {
        /// The task polled.
        task: TaskId,
        /// Whether it finished.
        ready: bool,
    },
    /// Nothing was runnable; the loop looked at I/O and timers without
    /// sleeping and found something: `events` I/O events (including the
    /// loop's own wake-ups by other threads) and `timers_fired` due timers.
    Parked {
        /// I/O events the reactor returned.
        events: usize,
        /// Timers that fired.
        timers_fired: usize,
    },
    /// Nothing was runnable and nothing happened.
    Idle,
}
