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

/// `now + duration`, or a deadline about thirty years out if that would
/// overflow `Instant` (as `Duration::MAX` would): "never" in practice.
pub(crate) fn deadline_after(duration: Duration) -> Instant {
    let now = now();
    now.checked_add(duration)
        .unwrap_or_else(|| now + Duration::from_secs(86_400 * 365 * 30))
}
