//! Executor workloads: spawning, yielding, waking between tasks. Each
//! returns the measured rows; the timing starts inside the runtime, so
//! building and dropping it is not counted.

use std::rc::Rc;
use std::time::Instant;

use crate::prims::{yield_now, Baton, Signal};
use crate::rt::Rt;
use crate::Row;

pub const SPAWN_MANY: usize = 1_000_000;
pub const YIELD_TASKS: usize = 100;
pub const YIELDS: usize = 50_000;
pub const PAIRS: usize = 100;
pub const PASSES: usize = 50_000;
pub const CHAIN: usize = 2_000_000;

/// Spawn 1,000,000 no-op tasks, then await every handle.
pub fn spawn_many<R: Rt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = (0..SPAWN_MANY).map(|_| R::spawn(async {})).collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    });
    vec![Row::ms("spawn_many (1M tasks)", ms)]
}

/// 100 tasks, each yielding 50,000 times.
pub fn yield_many<R: Rt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        let handles: Vec<_> = (0..YIELD_TASKS)
            .map(|_| {
                R::spawn(async {
                    for _ in 0..YIELDS {
                        yield_now().await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    });
    vec![Row::ms("yield_many (100 × 50k)", ms)]
}

/// 100 pairs of tasks pass a baton back and forth, 50,000 passes per pair.
pub fn ping_pong<R: Rt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(2 * PAIRS);
        for _ in 0..PAIRS {
            let baton = Rc::new(Baton::default());
            for me in 0..2 {
                let baton = baton.clone();
                handles.push(R::spawn(async move {
                    for _ in 0..PASSES / 2 {
                        baton.wait(me).await;
                        baton.pass(me);
                    }
                }));
            }
        }
        for h in handles {
            h.await;
        }
        start.elapsed()
    });
    vec![Row::ms("ping_pong (100 pairs × 50k)", ms)]
}

/// Each task spawns the next, 2,000,000 deep; the last one signals.
pub fn spawn_chain<R: Rt>() -> Vec<Row> {
    fn link<R: Rt>(left: usize, done: Rc<Signal>) {
        R::spawn_detached(async move {
            if left == 0 {
                done.set();
            } else {
                link::<R>(left - 1, done);
            }
        });
    }
    let ms = R::block_on(async {
        let start = Instant::now();
        let done = Rc::new(Signal::default());
        link::<R>(CHAIN, done.clone());
        done.wait().await;
        start.elapsed()
    });
    vec![Row::ms("spawn_chain (2M deep)", ms)]
}
