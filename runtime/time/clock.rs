//! Where coop reads the time.
//!
//! Every timer decision (is this sleep due? how long may the loop park?)
//! asks [`now`], never `Instant::now()` directly, so that a paused or
//! simulated clock for tests can later be slotted in here alone.

use std::time::{Duration, Instant};

/// The current time as the runtime sees it.
pub(crate) fn now() -> Instant {
    Instant::now()
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
