//! Timers at scale: what one timer operation costs while 1k, 100k, 1M or
//! 10M other timers are pending, for coop's heap, tokio's hierarchical wheel
//! and smol's `BTreeMap`.
//!
//! For each size N, one task first registers N "background" sleeps (boxed,
//! polled once, deadlines an hour away and spread over an hour, so they sit
//! in the structure and never fire), then measures, with all N pending:
//!
//! * **insert + cancel**: 200,000 sleeps with pseudo-random deadlines
//!   spread over the same two hours, each registered (polled once) and
//!   dropped at once: nanoseconds per timer (wall, one loop thread, no
//!   sleeping, so wall ≈ CPU);
//! * **insert + cancel an older one**: the same, but each new sleep is kept
//!   in a ring of 1,024 and the one it replaces (a random slot, so a timer
//!   registered a while ago, somewhere in the middle of the structure) is
//!   dropped: the cancel a heap pays O(log n) for;
//! * **fire**: 50,000 tasks that each sleep a pseudo-random 0–20 ms: CPU
//!   time (`getrusage`) per fired timer, everything the runtime spends on
//!   it (task spawn, register, fire, wake, poll).
//!
//! 10M background timers take about 1 GB (88–134 B each); sizes beyond
//! `COOP_TIMER_SCALE_MAX` (default 10M) are skipped.
//!
//! ```text
//! cargo bench --bench suite -- --only timers_scale --runtimes coop,tokio,smol
//! ```

use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::alloc::cpu_time;
use crate::prims::{poll_once, yield_now, Rng};
use crate::rt::Rt;
use crate::Row;

pub const SIZES: [(usize, &str); 4] = [
    (1_000, "1k"),
    (100_000, "100k"),
    (1_000_000, "1M"),
    (10_000_000, "10M"),
];
pub const CANCELS: usize = 200_000;
pub const FIRES: usize = 50_000;
pub const FIRE_MAX_US: u64 = 20_000;
const HOUR_US: u64 = 3_600_000_000;

fn max_size() -> usize {
    std::env::var("COOP_TIMER_SCALE_MAX")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000)
}

/// Registers `n` sleeps an hour or more away; returns them (to keep them
/// pending).
async fn background<R: Rt>(n: usize, rng: &mut Rng) -> Vec<Pin<Box<R::Sleep>>> {
    let mut sleeps = Vec::with_capacity(n);
    for i in 0..n {
        let d = Duration::from_micros(HOUR_US + rng.next() % HOUR_US);
        let mut sleep = Box::pin(R::sleep(d));
        poll_once(sleep.as_mut()).await;
        sleeps.push(sleep);
        if i % 64 == 63 {
            yield_now().await;
        }
    }
    sleeps
}

/// Nanoseconds per insert + cancel with the background pending.
async fn insert_cancel<R: Rt>(rng: &mut Rng) -> f64 {
    let start = Instant::now();
    for i in 0..CANCELS {
        let d = Duration::from_micros(rng.next() % (2 * HOUR_US));
        let sleep = std::pin::pin!(R::sleep(d));
        poll_once(sleep).await;
        if i % 64 == 63 {
            yield_now().await;
        }
    }
    start.elapsed().as_secs_f64() * 1e9 / CANCELS as f64
}

/// Nanoseconds per insert + cancel of an older timer (a random slot of a
/// ring of 1,024 boxed sleeps), with the background pending.
async fn insert_cancel_older<R: Rt>(rng: &mut Rng) -> f64 {
    const RING: usize = 1024;
    let mut ring: Vec<Pin<Box<R::Sleep>>> = Vec::with_capacity(RING);
    for _ in 0..RING {
        let mut sleep = Box::pin(R::sleep(Duration::from_micros(rng.next() % (2 * HOUR_US))));
        poll_once(sleep.as_mut()).await;
        ring.push(sleep);
    }
    yield_now().await;
    let start = Instant::now();
    for i in 0..CANCELS {
        let d = Duration::from_micros(rng.next() % (2 * HOUR_US));
        let mut sleep = Box::pin(R::sleep(d));
        poll_once(sleep.as_mut()).await;
        // Drops (cancels) the timer that sat in this slot.
        ring[rng.next() as usize % RING] = sleep;
        if i % 64 == 63 {
            yield_now().await;
        }
    }
    start.elapsed().as_secs_f64() * 1e9 / CANCELS as f64
}

/// CPU nanoseconds per fired timer with the background pending.
async fn fire<R: Rt>(rng: &mut Rng) -> f64 {
    let cpu0 = cpu_time();
    let handles: Vec<_> = (0..FIRES)
        .map(|_| {
            let d = Duration::from_micros(rng.next() % (FIRE_MAX_US + 1));
            R::spawn(R::sleep(d))
        })
        .collect();
    for h in handles {
        h.await;
    }
    (cpu_time() - cpu0).as_secs_f64() * 1e9 / FIRES as f64
}

pub fn timers_scale<R: Rt>() -> Vec<Row> {
    let mut rows = Vec::new();
    for (n, label) in SIZES {
        if n > max_size() {
            continue;
        }
        let (cancel_ns, older_ns, fire_ns) = R::block_on(async move {
            R::spawn(async move {
                let mut rng = Rng::new(n as u64);
                let pending = background::<R>(n, &mut rng).await;
                let cancel = insert_cancel::<R>(&mut rng).await;
                let older = insert_cancel_older::<R>(&mut rng).await;
                let fire = fire::<R>(&mut rng).await;
                drop(pending);
                (cancel, older, fire)
            })
            .await
        });
        rows.push(Row::ns(
            &format!("timers at scale: insert+cancel, {label} pending (ns/op)"),
            cancel_ns,
        ));
        rows.push(Row::ns(
            &format!("timers at scale: insert+cancel an older one, {label} pending (ns/op)"),
            older_ns,
        ));
        rows.push(Row::ns(
            &format!("timers at scale: fire, {label} pending (CPU ns/timer)"),
            fire_ns,
        ));
    }
    rows
}
