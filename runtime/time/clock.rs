//! Where coop reads the time: the runtime's clock, real or paused.
//!
//! Every timer decision (is this sleep due? how long may the loop park?)
//! asks [`now`], never `Instant::now()` directly. Each runtime owns a
//! [`Clock`] (in its `Core`); outside a runtime `now` is the real clock.
//!
//! A clock is in one of three modes:
//!
//! ```text
//!   Real ──pause()──► Paused(t) ──resume()──► Shifted { virt: t, real: r }
//!                      │   ▲                    now = t + (Instant::now() - r)
//!     advance(d): t += d   │                       │
//!     loop idle: t = next  └─────── pause() ───────┘
//!     timer deadline
//! ```
//!
//! * **Real**: `now` is `Instant::now()`. This is the hot path: one
//!   predictable branch on the mode, then the system clock.
//! * **Paused**: time stands still at `t`. It moves only when a test calls
//!   [`advance`](crate::time::advance), or when the loop has nothing to do
//!   but wait for a timer (see `Core::turn`, "auto-advance"): then it jumps
//!   straight to the next deadline, so an hour-long sleep takes no wall
//!   time and timers fire in deadline order every run.
//! * **Shifted**: after `resume`, time flows at the real rate again from
//!   where the paused clock stood. It never goes backwards.
//!
//! Instants stay `std::time::Instant`: a paused clock's `t` is a real
//! `Instant` value that simply is not "now" any more. User code that wants
//! the runtime's time calls [`coop::time::now()`](now) instead of
//! `Instant::now()`.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The mode of a runtime's clock (see the module docs).
#[derive(Clone, Copy, Debug)]
enum Mode {
    Real,
    Paused(Instant),
    Shifted { virt: Instant, real: Instant },
}

/// One runtime's clock. Loop-thread only: it lives in the `Core`, which
/// never leaves the thread that built it.
#[derive(Debug)]
pub(crate) struct Clock {
    mode: Cell<Mode>,
}

crate::loom::thread_local! {
    /// How many clocks on this thread are not `Real` (paused or shifted).
    /// While it is zero, [`now`] is `Instant::now()` without looking up the
    /// current runtime: the hot path of every `sleep`, `Sleep::poll` and
    /// timer check stays what it was before paused time existed.
    static NOT_REAL: Cell<usize> = Cell::new(0);
}

/// Counts one more clock on this thread that has left `Real`.
fn leave_real() {
    NOT_REAL.with(|n| n.set(n.get() + 1));
}

impl Clock {
    /// A real clock, or one paused at the current instant.
    pub(crate) fn new(start_paused: bool) -> Clock {
        let mode = if start_paused {
            leave_real();
            Mode::Paused(Instant::now())
        } else {
            Mode::Real
        };
        Clock {
            mode: Cell::new(mode),
        }
    }

    /// The runtime's current time.
    #[inline]
    pub(crate) fn now(&self) -> Instant {
        match self.mode.get() {
            Mode::Real => Instant::now(),
            Mode::Paused(t) => t,
            Mode::Shifted { virt, real } => virt + real.elapsed(),
        }
    }

    /// Whether time stands still.
    #[inline]
    pub(crate) fn is_paused(&self) -> bool {
        matches!(self.mode.get(), Mode::Paused(_))
    }

    /// Freezes the clock at its current time. `false` if already paused.
    pub(crate) fn pause(&self) -> bool {
        let mode = self.mode.get();
        if matches!(mode, Mode::Paused(_)) {
            return false;
        }
        if matches!(mode, Mode::Real) {
            leave_real();
        }
        self.mode.set(Mode::Paused(self.now()));
        true
    }

    /// Lets time flow again from where it stands. `false` if not paused.
    pub(crate) fn resume(&self) -> bool {
        let Mode::Paused(t) = self.mode.get() else {
            return false;
        };
        self.mode.set(Mode::Shifted {
            virt: t,
            real: Instant::now(),
        });
        true
    }

    /// Moves a paused clock forward by `by`. `false` if not paused.
    pub(crate) fn advance(&self, by: Duration) -> bool {
        let Mode::Paused(t) = self.mode.get() else {
            return false;
        };
        self.mode.set(Mode::Paused(add_capped(t, by)));
        true
    }

    /// Moves a paused clock forward to `to` (never back): the loop's
    /// auto-advance to the next timer.
    pub(crate) fn advance_to(&self, to: Instant) {
        if let Mode::Paused(t) = self.mode.get() {
            self.mode.set(Mode::Paused(t.max(to)));
        }
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        if !matches!(self.mode.get(), Mode::Real) {
            // `try_with`: a runtime dropped during thread exit may outlive
            // the counter, which then needs no update.
            let _ = NOT_REAL.try_with(|n| n.set(n.get() - 1));
        }
    }
}

/// The current time as the runtime sees it: the current runtime's clock
/// (which may be paused, see [`pause`](crate::time::pause)), or the real
/// clock outside a runtime.
///
/// Use it instead of `Instant::now()` in code that should follow a paused
/// clock in tests: `coop::time::Instant` is `std::time::Instant`, whose
/// own `now()` always reads the system clock.
///
/// ```
/// use std::time::Duration;
///
/// coop::Builder::new().start_paused(true).build()?.block_on(async {
///     let start = coop::time::now();
///     coop::time::sleep(Duration::from_secs(3600)).await; // takes no wall time
///     assert_eq!(coop::time::now() - start, Duration::from_secs(3600));
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn now() -> Instant {
    if NOT_REAL.try_with(Cell::get).unwrap_or(0) == 0 {
        return Instant::now();
    }
    crate::context::try_with_core(|core| core.clock().now()).unwrap_or_else(Instant::now)
}

/// About thirty years: what a deadline that would overflow `Instant` is
/// capped to. "Never" in practice, and far from `Instant`'s own limit, so
/// adding a period to a capped deadline cannot overflow either.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `now + duration`, or a deadline about thirty years out if that would
/// overflow `Instant` (as `Duration::MAX` would): "never" in practice.
pub(crate) fn deadline_after(duration: Duration) -> Instant {
    add_capped(now(), duration)
}

/// `at + duration`, capped at about thirty years from `at`. Every
/// `Instant + Duration` in `time/` goes through here, so a huge period or
/// timeout never panics with "overflow when adding duration to instant".
pub(crate) fn add_capped(at: Instant, duration: Duration) -> Instant {
    at.checked_add(duration.min(FAR_FUTURE)).unwrap_or(at)
}
