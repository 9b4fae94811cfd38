//! Latency under load: how late a 1 ms ticker wakes while 10,000 tasks
//! churn on the same loop.
//!
//! ```text
//!  ticker task: for k in 1..=1000 { sleep until start + k ms; record now − (start + k ms) }
//!  10,000 churn tasks: yield 3 times, spawn a successor, complete
//!  (so the run queue always holds about 10,000 runnable tasks)
//! ```
//!
//! The ticker sleeps until absolute deadlines (`sleep(deadline − now)`), the
//! same way on every runtime, so one late tick does not shift the next. Its
//! lateness is how long the loop takes to notice the due timer (how often
//! it checks timers while tasks are runnable) plus how long the woken
//! ticker waits in the run queue behind the churning tasks. Rows: p50, p99
//! and max lateness in µs, and how many churn tasks completed per second (the
//! throughput the loop kept meanwhile).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::prims::yield_now;
use crate::rt::Rt;
use crate::Row;

pub const CHURN_TASKS: usize = 10_000;
pub const TICKS: usize = 1_000;
pub const PERIOD: Duration = Duration::from_millis(1);
const YIELDS: usize = 3;

#[derive(Default)]
struct Churn {
    stop: Cell<bool>,
    completed: Cell<u64>,
}

/// One churning task: yields a few times, spawns its successor, completes.
fn churn<R: Rt>(state: Rc<Churn>) {
    R::spawn_detached(async move {
        for _ in 0..YIELDS {
            yield_now().await;
        }
        state.completed.set(state.completed.get() + 1);
        if !state.stop.get() {
            churn::<R>(state);
        }
    });
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

pub fn latency_under_load<R: Rt>() -> Vec<Row> {
    let (mut late, completed, elapsed) = R::block_on(async {
        let state = Rc::new(Churn::default());
        for _ in 0..CHURN_TASKS {
            churn::<R>(state.clone());
        }
        let ticker = R::spawn(async {
            let mut late = Vec::with_capacity(TICKS);
            let start = Instant::now();
            for k in 1..=TICKS as u32 {
                let deadline = start + PERIOD * k;
                R::sleep(deadline.saturating_duration_since(Instant::now())).await;
                late.push(Instant::now().saturating_duration_since(deadline));
            }
            (late, start.elapsed())
        });
        let (late, elapsed) = ticker.await;
        state.stop.set(true);
        let completed = state.completed.get();
        (late, completed, elapsed)
    });
    late.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    vec![
        Row::us(
            "latency under load: 1 ms ticker p50 lateness (µs)",
            us(percentile(&late, 0.5)),
        ),
        Row::us(
            "latency under load: p99 lateness (µs)",
            us(percentile(&late, 0.99)),
        ),
        Row::us(
            "latency under load: max lateness (µs)",
            us(late[late.len() - 1]),
        ),
        Row {
            name: "latency under load: churn tasks completed per second (higher is better)".into(),
            value: completed as f64 / elapsed.as_secs_f64(),
            unit: "/s",
        },
    ]
}
