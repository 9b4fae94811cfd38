//! `remote_wake`: a plain thread wakes a waiting task, in lock-step: the
//! thread bumps a round number and wakes the task; the task sees it, acks,
//! and waits again; the thread waits for the ack before the next round.
//!
//! Hot: the thread wakes again as soon as it sees the ack, racing the loop
//! on its way to sleep. Asleep: the thread waits 300 µs after each ack, so
//! the loop is surely parked in the kernel when the wake comes; there the
//! figure is the latency from wake to ack, per round.
//!
//! Pinned: the loop's thread is pinned to core 0 and the waking thread to
//! core 1 (`core_affinity`), and the thread wakes as soon as the task has
//! returned `Pending` for the round (it publishes `armed` after storing its
//! waker), so the loop has nothing else to do and goes to sleep between
//! wakes: the wake path of a per-core launcher, whose loops are pinned.
//! The figure is wall time per wake (from the first wake to the last ack).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::rt::Rt;
use crate::Row;

pub const HOT_ROUNDS: u64 = 200_000;
pub const ASLEEP_ROUNDS: u64 = 2_000;
pub const PINNED_ROUNDS: u64 = 100_000;

#[derive(Default)]
struct Shared {
    round: AtomicU64,
    ack: AtomicU64,
    waker: Mutex<Option<Waker>>,
    /// The last round for which the task stored its waker and returned
    /// `Pending` (pinned mode waits for it before waking).
    armed: AtomicU64,
}

impl Shared {
    /// Waits for a round after `seen`; returns it.
    async fn next_round(&self, seen: u64) -> u64 {
        std::future::poll_fn(|cx| {
            let round = self.round.load(Ordering::SeqCst);
            if round > seen {
                return Poll::Ready(round);
            }
            {
                let mut slot = self.waker.lock().unwrap();
                match &*slot {
                    Some(w) if w.will_wake(cx.waker()) => {}
                    _ => *slot = Some(cx.waker().clone()),
                }
            }
            let round = self.round.load(Ordering::SeqCst);
            if round > seen {
                Poll::Ready(round)
            } else {
                self.armed.store(seen + 1, Ordering::SeqCst);
                Poll::Pending
            }
        })
        .await
    }

    fn wait_ack(&self, round: u64) {
        spin_until(&self.ack, round);
    }
}

/// Spins (yielding every 256 tries) until `what` reaches `value`.
pub(crate) fn spin_until(what: &AtomicU64, value: u64) {
    let mut spins = 0u32;
    while what.load(Ordering::SeqCst) < value {
        spins += 1;
        if spins % 256 == 0 {
            std::thread::yield_now();
        } else {
            std::hint::spin_loop();
        }
    }
}

/// How the waking thread paces its wakes.
#[derive(Clone, Copy, PartialEq)]
enum Pace {
    /// Wake again as soon as the previous round was acked.
    Hot,
    /// Sleep this long after each ack, so the loop is surely parked.
    Asleep(Duration),
    /// Both threads pinned to their own core; wake as soon as the task is
    /// `Pending` for the round.
    Pinned,
}

/// Pins the calling thread to the `n`th core the process could use when
/// this was first called; returns whether it worked.
pub(crate) fn pin_to(n: usize) -> bool {
    // Read once, before the first pinning: a pinned thread (and the threads
    // it starts) sees only its own core, and the warm-up pins this thread.
    static CORES: std::sync::OnceLock<Vec<core_affinity::CoreId>> = std::sync::OnceLock::new();
    let cores = CORES.get_or_init(|| core_affinity::get_core_ids().unwrap_or_default());
    cores
        .get(n)
        .is_some_and(|&core| core_affinity::set_for_current(core))
}

/// Runs `rounds` lock-step wakes; returns (wall time, summed wake→ack latency).
fn run<R: Rt>(rounds: u64, pace: Pace) -> (Duration, Duration) {
    if pace == Pace::Pinned {
        assert!(pin_to(0), "remote_wake_pinned needs two cores to pin to");
    }
    let shared = Arc::new(Shared::default());
    let waiter = {
        let shared = shared.clone();
        async move {
            let mut seen = 0;
            while seen < rounds {
                seen = shared.next_round(seen).await;
                shared.ack.store(seen, Ordering::SeqCst);
            }
        }
    };
    let thread_shared = shared.clone();
    let out = R::block_on(async move {
        let task = R::spawn(waiter);
        let start = Instant::now();
        let waker_thread = std::thread::spawn(move || {
            let shared = thread_shared;
            if pace == Pace::Pinned {
                assert!(pin_to(1), "remote_wake_pinned needs two cores to pin to");
            }
            let mut latency = Duration::ZERO;
            for round in 1..=rounds {
                match pace {
                    Pace::Hot => {}
                    Pace::Asleep(pause) => std::thread::sleep(pause),
                    Pace::Pinned => spin_until(&shared.armed, round),
                }
                let t0 = Instant::now();
                shared.round.store(round, Ordering::SeqCst);
                let waker = shared.waker.lock().unwrap().clone();
                if let Some(w) = waker {
                    w.wake();
                }
                shared.wait_ack(round);
                latency += t0.elapsed();
            }
            latency
        });
        task.await;
        let wall = start.elapsed();
        (wall, waker_thread.join().unwrap())
    });
    // A pinned run leaves this thread pinned: each process runs one
    // workload (warm-up and measured run, both pinned), then exits.
    out
}

pub fn remote_wake<R: Rt>() -> Vec<Row> {
    let (wall, _) = run::<R>(HOT_ROUNDS, Pace::Hot);
    vec![Row::ms("remote_wake (200k, hot)", wall)]
}

pub fn remote_wake_asleep<R: Rt>() -> Vec<Row> {
    let (_, latency) = run::<R>(ASLEEP_ROUNDS, Pace::Asleep(Duration::from_micros(300)));
    vec![Row::us(
        "remote_wake asleep (µs per wake→ack)",
        latency.as_secs_f64() * 1e6 / ASLEEP_ROUNDS as f64,
    )]
}

pub fn remote_wake_pinned<R: Rt>() -> Vec<Row> {
    let (wall, _) = run::<R>(PINNED_ROUNDS, Pace::Pinned);
    vec![Row::us(
        "remote_wake pinned (100k, µs per wake)",
        wall.as_secs_f64() * 1e6 / PINNED_ROUNDS as f64,
    )]
}
