//! Timer workloads: many sleeps firing, and many timers cancelled.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::alloc::cpu_time;
use crate::prims::{poll_once, yield_now, Rng};
use crate::rt::Rt;
use crate::Row;

pub const FIRE_TASKS: usize = 100_000;
pub const FIRE_MAX_MS: u64 = 50;
pub const CANCELS: usize = 2_000_000;

#[derive(Default)]
struct Lateness {
    sum: Cell<Duration>,
    max: Cell<Duration>,
}

/// 100,000 tasks each sleep a pseudo-random 0–50 ms and record how late
/// they woke.
pub fn timers_fire<R: Rt>() -> Vec<Row> {
    let (wall, cpu, late) = R::block_on(async {
        let late = Rc::new(Lateness::default());
        let mut rng = Rng::new(42);
        let cpu0 = cpu_time();
        let start = Instant::now();
        let handles: Vec<_> = (0..FIRE_TASKS)
            .map(|_| {
                let d = Duration::from_micros(rng.next() % (FIRE_MAX_MS * 1000 + 1));
                let late = late.clone();
                R::spawn(async move {
                    let deadline = Instant::now() + d;
                    R::sleep(d).await;
                    let l = Instant::now().saturating_duration_since(deadline);
                    late.sum.set(late.sum.get() + l);
                    late.max.set(late.max.get().max(l));
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        (start.elapsed(), cpu_time() - cpu0, late)
    });
    let over = wall.saturating_sub(Duration::from_millis(FIRE_MAX_MS));
    vec![
        Row::ms("timers_fire (100k, wall − 50 ms)", over),
        Row::ms("timers_fire CPU time", cpu),
        Row::us(
            "timers_fire mean lateness (µs)",
            late.sum.get().as_secs_f64() * 1e6 / FIRE_TASKS as f64,
        ),
        Row::us(
            "timers_fire max lateness (µs)",
            late.max.get().as_secs_f64() * 1e6,
        ),
    ]
}

/// 2,000,000 one-second timers, each registered (polled once) and dropped
/// before it fires; a yield every 64 keeps every runtime's budget fresh so
/// each timer really is registered.
pub fn timers_cancel<R: Rt>() -> Vec<Row> {
    let ms = R::block_on(async {
        R::spawn(async {
            let start = Instant::now();
            for i in 0..CANCELS {
                let sleep = std::pin::pin!(R::sleep(Duration::from_secs(1)));
                poll_once(sleep).await;
                if i % 64 == 63 {
                    yield_now().await;
                }
            }
            start.elapsed()
        })
        .await
    });
    vec![Row::ms("timers_cancel (2M)", ms)]
}
