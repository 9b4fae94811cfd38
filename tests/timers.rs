//! Timers: `sleep` never early and in deadline order, `timeout` elapsed and
//! not, `interval` ticks (burst, delay, skip), and timers that are dropped
//! leave nothing behind; a reset keeps the waker, huge periods do not
//! overflow, and on-time `Delay` ticks do not drift.
//!
//! Tests of order and of timeout logic run on a paused clock
//! (`support::paused()`): deadlines are met exactly, in the same order on
//! every run, in no wall time. A few stay on the real clock because the
//! real clock is their point: a sleep never ends early by the wall clock,
//! the loop really parks until a deadline, and `Delay` does not drift by
//! the loop's wake-up latency (which a paused clock does not have).

mod support;

use std::cell::RefCell;
use std::future::pending;
use std::pin::pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use coop::time::{advance, interval_at, now, sleep, sleep_until, timeout, MissedTickBehavior};
use coop::Runtime;
use futures_util::poll;
use support::{paused, DropCounter};

const MS: Duration = Duration::from_millis(1);

#[test]
fn timers_fire_in_deadline_order_and_exactly_on_time() {
    // Deadlines out of order, with ties (which fire in the order they were
    // first awaited, i.e. spawn order here).
    let offsets = [7u32, 3, 9, 1, 3, 0, 12, 5, 1, 8];
    let fired = Rc::new(RefCell::new(Vec::new()));
    paused().block_on({
        let fired = fired.clone();
        async move {
            // On a paused clock every task registers before any deadline,
            // however loaded the machine.
            let start = now() + 250 * MS;
            let handles: Vec<_> = offsets
                .iter()
                .enumerate()
                .map(|(i, &offset)| {
                    let fired = fired.clone();
                    let deadline = start + offset * 3 * MS;
                    coop::spawn(async move {
                        sleep_until(deadline).await;
                        assert_eq!(now(), deadline, "timer {i} fired off its deadline");
                        fired.borrow_mut().push((offset, i));
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }
    });
    let mut expected: Vec<_> = offsets.iter().copied().zip(0..).collect();
    expected.sort(); // by deadline, then by spawn order
    assert_eq!(*fired.borrow(), expected);
}

/// On the real clock: the wall clock is the point.
#[test]
fn sleep_waits_at_least_its_duration() {
    let rt = Runtime::new().unwrap();
    for ms in [0, 1, 15, 40] {
        let started = Instant::now();
        rt.block_on(sleep(ms * MS));
        assert!(started.elapsed() >= ms * MS, "sleep({ms} ms) ended early");
    }
}

#[test]
fn a_reset_sleep_uses_its_new_deadline() {
    paused().block_on(async {
        let started = now();
        let mut nap = pin!(sleep(Duration::from_secs(3600)));
        assert!(poll!(nap.as_mut()).is_pending(), "registered for an hour");
        nap.as_mut().get_mut().reset(now() + 10 * MS);
        nap.await;
        assert_eq!(now() - started, 10 * MS, "the hour-long timer was replaced");
    });
}

#[test]
fn timeout_that_elapses_gives_elapsed_and_drops_the_future() {
    let drops = DropCounter::new();
    let rt = paused();
    let guard = drops.guard();
    let (result, took) = rt.block_on(async move {
        let started = now();
        let result = timeout(20 * MS, async move {
            let _guard = guard;
            sleep(Duration::from_secs(3600)).await;
            "never"
        })
        .await;
        (result, now() - started)
    });
    assert_eq!(result.unwrap_err().to_string(), "deadline has elapsed");
    assert_eq!(
        took,
        20 * MS,
        "elapsed at the deadline, not before or after"
    );
    assert_eq!(drops.drops(), 1, "the abandoned future was dropped");
    assert_eq!(rt.timer_slots().0, 0, "both timers are gone");
}

#[test]
fn timeout_that_does_not_elapse_gives_the_output_and_cancels_its_timer() {
    let rt = paused();
    let result = rt.block_on(timeout(Duration::from_secs(3600), async {
        sleep(5 * MS).await;
        42
    }));
    assert_eq!(result, Ok(42));
    assert_eq!(rt.timer_slots().0, 0, "the hour-long timer was removed");

    // A future that is ready at once wins even against a zero timeout.
    assert_eq!(rt.block_on(timeout(Duration::ZERO, async { 7 })), Ok(7));
    // And a zero timeout on a pending future elapses.
    assert!(rt
        .block_on(timeout(Duration::ZERO, pending::<()>()))
        .is_err());
}

#[test]
fn a_million_timeouts_dropped_before_firing_leave_no_timer_behind() {
    let rt = Runtime::new().unwrap();
    // One at a time: each registers a timer (first poll) and drops it.
    rt.block_on(async {
        for _ in 0..1_000_000 {
            let mut t = pin!(timeout(Duration::from_secs(60), pending::<()>()));
            assert!(poll!(t.as_mut()).is_pending());
        }
    });
    let (in_use, allocated) = rt.timer_slots();
    assert_eq!(in_use, 0);
    assert!(
        allocated <= 1024,
        "slots were reused: {allocated} allocated"
    );

    // All at once: a million pending timers, then all dropped.
    rt.block_on(async {
        let mut all: Vec<_> = (0..1_000_000u32)
            .map(|i| Box::pin(timeout(Duration::from_secs(60) + i * MS, pending::<()>())))
            .collect();
        for t in &mut all {
            assert!(poll!(t.as_mut()).is_pending());
        }
    });
    let (in_use, allocated) = rt.timer_slots();
    assert_eq!(in_use, 0);
    assert!(
        allocated <= 1024,
        "the memory of a million dropped timers was given back: {allocated} slots remain"
    );

    // And the loop is still responsive: a short sleep is not stuck behind
    // the ghosts of the dropped timers.
    let started = Instant::now();
    rt.block_on(sleep(5 * MS));
    assert!(started.elapsed() < support::GENEROUS);
}

#[test]
fn interval_ticks_on_its_schedule() {
    paused().block_on(async {
        let start = now();
        let period = 5 * MS;
        let mut ticks = interval_at(start, period);
        let mut seen = Vec::new();
        for _ in 0..5 {
            let scheduled = ticks.tick().await;
            assert_eq!(now(), scheduled, "a tick came off its schedule");
            seen.push(scheduled);
        }
        let expected: Vec<_> = (0..5u32).map(|n| start + n * period).collect();
        assert_eq!(seen, expected);
    });
}

const PERIOD: Duration = Duration::from_millis(10);

/// An interval (every [`PERIOD`], from `start`, set to `behavior`) that
/// ticked once and then missed ticks: the paused clock jumps by `blocked`
/// while nobody awaits a tick (as if a badly behaved task had blocked the
/// loop's thread that long). Returns the interval, `start` and the instant
/// the block ended. Run it on a paused runtime.
async fn interval_that_missed_ticks(
    behavior: MissedTickBehavior,
    blocked: Duration,
) -> (coop::time::Interval, Instant, Instant) {
    let start = now();
    let mut ticks = interval_at(start, PERIOD);
    ticks.set_missed_tick_behavior(behavior);
    assert_eq!(ticks.tick().await, start, "the first tick is at start");
    advance(blocked).await;
    (ticks, start, now())
}

#[test]
fn interval_bursts_missed_ticks_by_default_keeping_the_schedule() {
    assert_eq!(
        coop::time::interval(PERIOD).missed_tick_behavior(),
        MissedTickBehavior::Burst
    );
    paused().block_on(async {
        let (mut ticks, start, unblocked) =
            interval_that_missed_ticks(MissedTickBehavior::Burst, 55 * MS).await;
        // Ticks at 10..50 ms were missed: they all come at once, each
        // reporting its original slot.
        let mut burst = Vec::new();
        loop {
            let scheduled = ticks.tick().await;
            burst.push(scheduled);
            if scheduled > unblocked {
                break;
            }
        }
        let expected: Vec<_> = (1..=burst.len() as u32)
            .map(|n| start + n * PERIOD)
            .collect();
        assert_eq!(burst, expected, "burst keeps start + n * period");
        let missed = burst.iter().filter(|&&s| s <= unblocked).count();
        assert_eq!(missed, 5, "the ticks at 10..50 ms burst");
        assert_eq!(now(), start + 6 * PERIOD, "then the schedule goes on");
    });
}

#[test]
fn interval_with_delay_restarts_the_schedule_after_a_late_tick() {
    paused().block_on(async {
        let (mut ticks, start, unblocked) =
            interval_that_missed_ticks(MissedTickBehavior::Delay, 35 * MS).await;
        let late = ticks.tick().await; // the missed 10 ms tick, late
        assert_eq!(late, start + PERIOD, "the missed tick is delivered late");
        assert_eq!(now(), unblocked, "at once");
        let next = ticks.tick().await;
        assert_eq!(next, unblocked + PERIOD, "one period after the late tick");
        assert_eq!(now(), next);
    });
}

#[test]
fn interval_with_skip_drops_missed_ticks_and_stays_on_the_grid() {
    paused().block_on(async {
        let (mut ticks, start, unblocked) =
            interval_that_missed_ticks(MissedTickBehavior::Skip, 35 * MS).await;
        let late = ticks.tick().await;
        assert_eq!(late, start + PERIOD, "one missed tick, late");
        assert_eq!(now(), unblocked, "at once");
        let next = ticks.tick().await;
        // 20 and 30 ms were skipped; 40 ms is the next point of the grid.
        assert_eq!(next, start + 4 * PERIOD, "skipped to the grid");
        assert_eq!(now(), next);
    });
}

#[test]
#[should_panic(expected = "needs a period greater than zero")]
fn interval_with_a_zero_period_panics() {
    let _ = coop::time::interval(Duration::ZERO);
}

/// On the real clock: the loop really parks until the deadline.
#[test]
fn timers_need_no_task_when_polled_in_block_on_directly() {
    // The block_on future awaits a timer; nothing else runs. The loop must
    // park until the deadline and then poll the main future.
    let rt = Runtime::new().unwrap();
    let mut nap = pin!(sleep(10 * MS));
    let woke = rt.block_on(std::future::poll_fn(|cx| match nap.as_mut().poll(cx) {
        Poll::Ready(()) => Poll::Ready(Instant::now()),
        Poll::Pending => Poll::Pending,
    }));
    assert!(woke >= nap.deadline());
}

use std::future::Future as _;

#[test]
fn a_sleep_reset_inside_poll_still_wakes_the_task_at_the_new_deadline() {
    // The idle-timeout pattern: activity pushes the deadline from inside
    // `poll`, and the task returns `Pending` without polling the sleep
    // again. Only the moved timer can wake it; the outer bound polls its
    // own timer first, so a task it wakes reports the lost wake-up.
    support::within(support::GENEROUS, || {
        paused().block_on(async {
            let started = now();
            let mut nap = sleep(Duration::from_secs(3600));
            let mut reset = false;
            let idle = std::future::poll_fn(|cx| {
                if !reset {
                    assert!(std::pin::Pin::new(&mut nap).poll(cx).is_pending());
                    nap.reset(now() + 50 * MS);
                    reset = true;
                    return Poll::Pending;
                }
                std::pin::Pin::new(&mut nap).poll(cx)
            });
            let bound = sleep(support::GENEROUS);
            match futures_util::future::select(pin!(bound), pin!(idle)).await {
                futures_util::future::Either::Left(_) => {
                    panic!("not woken at the new deadline: the reset lost the waker")
                }
                futures_util::future::Either::Right(_) => {}
            }
            assert_eq!(now() - started, 50 * MS, "woken at the new deadline");
        })
    });
}

#[test]
fn interval_with_a_huge_period_ticks_once_and_then_waits_without_overflowing() {
    for behavior in [
        MissedTickBehavior::Burst,
        MissedTickBehavior::Delay,
        MissedTickBehavior::Skip,
    ] {
        coop::block_on(async {
            let mut ticks = coop::time::interval(Duration::MAX);
            ticks.set_missed_tick_behavior(behavior);
            ticks.tick().await; // the first tick is at once
            let mut next = pin!(ticks.tick());
            assert!(
                poll!(next.as_mut()).is_pending(),
                "{behavior:?}: no second tick"
            );
        });
        let mut ticks = interval_at(Instant::now(), Duration::MAX);
        ticks.reset();
    }
    // Late with a huge period, for `Skip`'s arithmetic.
    coop::block_on(async {
        let mut ticks = interval_at(Instant::now() - Duration::from_secs(1), Duration::MAX / 2);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        ticks.tick().await;
        assert!(poll!(pin!(ticks.tick())).is_pending());
    });
}

#[test]
fn interval_with_delay_keeps_the_schedule_when_no_tick_is_missed() {
    // On the real clock: a paused clock has no wake-up latency to drift by.
    // Each on-time tick is observed a little late (the loop's wake-up
    // latency); re-basing on it every time would move every tick by that
    // latency. On-time ticks must stay exactly one period apart; a loaded
    // machine may make a few late (> 5 ms), so most, not all, must be.
    coop::block_on(async {
        let period = 20 * MS;
        let mut ticks = coop::time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut scheduled = Vec::new();
        for _ in 0..11 {
            scheduled.push(ticks.tick().await);
        }
        let exact = scheduled
            .windows(2)
            .filter(|w| w[1] - w[0] == period)
            .count();
        assert!(
            exact >= 5,
            "only {exact} of 10 gaps were exactly one period: the schedule drifts"
        );
    });
}
