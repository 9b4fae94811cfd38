//! `Interval`: a tick every `period`, driven by one reusable [`Sleep`].

use std::future::poll_fn;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use super::clock;
use super::sleep::{sleep_until, Sleep};

/// Ticks every `period`; the first tick completes at once.
///
/// # Panics
/// If `period` is zero.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     let start = Instant::now();
///     let mut interval = coop::time::interval(Duration::from_millis(10));
///     for _ in 0..3 {
///         interval.tick().await; // at 0 ms, 10 ms, 20 ms
///     }
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(clock::now(), period)
}

/// Ticks first at `start`, then every `period`.
///
/// # Panics
/// If `period` is zero.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     let start = Instant::now() + Duration::from_millis(5);
///     let mut interval = coop::time::interval_at(start, Duration::from_millis(5));
///     assert_eq!(interval.tick().await, start);
/// });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        period > Duration::ZERO,
        "`coop::time::interval` needs a period greater than zero"
    );
    Interval {
        delay: sleep_until(start),
        period,
        missed_tick_behavior: MissedTickBehavior::Burst,
    }
}

/// What an [`Interval`] does when the loop was too busy and ticks were
/// missed. The default is [`Burst`](MissedTickBehavior::Burst), as in tokio.
///
/// ```
/// use coop::time::{interval, MissedTickBehavior};
/// use std::time::Duration;
///
/// let mut ticks = interval(Duration::from_millis(10));
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Burst);
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back until caught up, keeping the
    /// original schedule (`start + n * period`). Right for "n ticks per
    /// second on average".
    #[default]
    Burst,
    /// Start the schedule again from now: the next tick is `period` after
    /// the late one. A tick observed no more than 5 ms late counts as on
    /// time and keeps the schedule, so on-time ticks do not drift.
    Delay,
    /// Drop the missed ticks and fire at the next point of the original
    /// schedule that is still ahead.
    Skip,
}

/// How late a tick may be observed and still count as on time: within it,
/// every behaviour keeps the schedule (`scheduled + period`), so the wake-up
/// latency of each tick does not add up (tokio uses the same 5 ms).
const ON_TIME: Duration = Duration::from_millis(5);

impl MissedTickBehavior {
    /// The tick after the one `scheduled` for, observed at `now`. Every
    /// addition is capped (`clock::add_capped`), so `Duration::MAX` works.
    fn next_tick(self, scheduled: Instant, now: Instant, period: Duration) -> Instant {
        let on_schedule = clock::add_capped(scheduled, period);
        if now.saturating_duration_since(scheduled) <= ON_TIME {
            return on_schedule;
        }
        match self {
            MissedTickBehavior::Burst => on_schedule,
            MissedTickBehavior::Delay => clock::add_capped(now, period),
            MissedTickBehavior::Skip if on_schedule > now => on_schedule,
            MissedTickBehavior::Skip => {
                // The first point of `scheduled + n * period` after `now`.
                let behind = (now - scheduled).as_nanos();
                let periods = behind / period.as_nanos() + 1;
                let ahead = u32::try_from(periods)
                    .ok()
                    .and_then(|n| period.checked_mul(n))
                    .unwrap_or(Duration::MAX);
                clock::add_capped(scheduled, ahead)
            }
        }
    }
}

/// A stream of ticks, made by [`interval`] or [`interval_at`].
///
/// ```
/// use std::time::Duration;
///
/// coop::block_on(async {
///     let mut interval = coop::time::interval(Duration::from_millis(1));
///     let first = interval.tick().await;
///     let second = interval.tick().await;
///     assert_eq!(second - first, Duration::from_millis(1));
/// });
/// ```
#[derive(Debug)]
pub struct Interval {
    delay: Sleep,
    period: Duration,
    missed_tick_behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns the instant it was scheduled for
    /// (not the instant it was observed).
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// coop::block_on(async {
    ///     let mut interval = coop::time::interval(Duration::from_millis(2));
    ///     let scheduled = interval.tick().await;
    ///     assert!(scheduled <= Instant::now());
    /// });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; for use in hand-written futures.
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::time::Duration;
    ///
    /// coop::block_on(async {
    ///     let mut interval = coop::time::interval(Duration::from_millis(1));
    ///     poll_fn(|cx| interval.poll_tick(cx)).await;
    /// });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        ready!(Pin::new(&mut self.delay).poll(cx));
        let scheduled = self.delay.deadline();
        let next = self
            .missed_tick_behavior
            .next_tick(scheduled, clock::now(), self.period);
        self.delay.reset(next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick is one `period` from now.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let mut interval = coop::time::interval(Duration::from_secs(1));
    /// interval.reset();
    /// ```
    pub fn reset(&mut self) {
        self.delay
            .reset(clock::add_capped(clock::now(), self.period));
    }

    /// The time between ticks.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let interval = coop::time::interval(Duration::from_secs(1));
    /// assert_eq!(interval.period(), Duration::from_secs(1));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// How missed ticks are handled.
    ///
    /// ```
    /// let interval = coop::time::interval(std::time::Duration::from_secs(1));
    /// assert_eq!(interval.missed_tick_behavior(), coop::time::MissedTickBehavior::Burst);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.missed_tick_behavior
    }

    /// Changes how missed ticks are handled.
    ///
    /// ```
    /// use coop::time::MissedTickBehavior;
    ///
    /// let mut interval = coop::time::interval(std::time::Duration::from_secs(1));
    /// interval.set_missed_tick_behavior(MissedTickBehavior::Skip);
    /// assert_eq!(interval.missed_tick_behavior(), MissedTickBehavior::Skip);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.missed_tick_behavior = behavior;
    }
}

use std::future::Future as _;
