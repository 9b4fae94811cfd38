//! `remote_wake`: a plain thread wakes a waiting task, in lock-step: the
//! thread bumps a round number and wakes the task; the task sees it, acks,
//! and waits again; the thread waits for the ack before the next round.
//!
//! Hot: the thread wakes again as soon as it sees the ack, racing the loop
//! on its way to sleep. Asleep: the thread waits 300 µs after each ack, so
//! the loop is surely parked in the kernel when the wake comes; there the
//! figure is the latency from wake to ack, per round.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use crate::rt::Rt;
use crate::Row;

pub const HOT_ROUNDS: u64 = 200_000;
pub const ASLEEP_ROUNDS: u64 = 2_000;

#[derive(Default)]
struct Shared {
    round: AtomicU64,
    ack: AtomicU64,
    waker: Mutex<Option<Waker>>,
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
                Poll::Pending
            }
        })
        .await
    }

    fn wait_ack(&self, round: u64) {
        let mut spins = 0u32;
        while self.ack.load(Ordering::SeqCst) != round {
            spins += 1;
            if spins % 256 == 0 {
                std::thread::yield_now();
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

/// Runs `rounds` lock-step wakes; returns (wall time, summed wake→ack latency).
fn run<R: Rt>(rounds: u64, pause: Option<Duration>) -> (Duration, Duration) {
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
    R::block_on(async move {
        let task = R::spawn(waiter);
        let start = Instant::now();
        let waker_thread = std::thread::spawn(move || {
            let shared = thread_shared;
            let mut latency = Duration::ZERO;
            for round in 1..=rounds {
                if let Some(pause) = pause {
                    std::thread::sleep(pause);
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
    })
}

pub fn remote_wake<R: Rt>() -> Vec<Row> {
    let (wall, _) = run::<R>(HOT_ROUNDS, None);
    vec![Row::ms("remote_wake (200k, hot)", wall)]
}

pub fn remote_wake_asleep<R: Rt>() -> Vec<Row> {
    let (_, latency) = run::<R>(ASLEEP_ROUNDS, Some(Duration::from_micros(300)));
    vec![Row::us(
        "remote_wake asleep (µs per wake→ack)",
        latency.as_secs_f64() * 1e6 / ASLEEP_ROUNDS as f64,
    )]
}
