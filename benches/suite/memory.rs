//! Memory: live heap bytes per idle task and per pending timer, counted by
//! the bench's global allocator. 2^17 of each, so every runtime's doubling
//! buffers (queues, slabs, heaps) end exactly full and the figure is the
//! steady per-item cost.

use std::cell::Cell;
use std::pin::Pin;
use std::time::Duration;

use crate::alloc::{live_bytes, start_counting};
use crate::prims::{poll_once, yield_now};
use crate::rt::Rt;
use crate::Row;

pub const ITEMS: usize = 1 << 17;

thread_local! {
    static POLLED: Cell<usize> = const { Cell::new(0) };
}

/// Bytes per idle spawned task: spawn 2^17 tasks that each note their first
/// poll and then wait forever, keep their join handles, wait until all were
/// polled once, and divide the live heap growth by the count. The handle's
/// own size is added; the future's own size is subtracted.
pub fn mem_task<R: Rt>() -> Vec<Row> {
    async fn idle() {
        POLLED.with(|p| p.set(p.get() + 1));
        std::future::pending::<()>().await
    }
    let future_size = std::mem::size_of_val(&idle());
    let handle_size = std::mem::size_of::<R::Join<()>>();
    let bytes = R::block_on(async {
        let mut handles = Vec::with_capacity(ITEMS);
        yield_now().await;
        start_counting();
        for _ in 0..ITEMS {
            handles.push(R::spawn(idle()));
        }
        while POLLED.with(|p| p.get()) < ITEMS {
            yield_now().await;
        }
        let bytes = live_bytes();
        std::mem::forget(handles);
        bytes
    });
    let per = bytes as f64 / ITEMS as f64 + handle_size as f64 - future_size as f64;
    vec![Row::bytes("memory per idle task (incl. JoinHandle)", per)]
}

/// Bytes per pending timer: 2^17 one-minute sleeps, each boxed and polled
/// once; the heap growth per timer includes the sleep future itself.
pub fn mem_timer<R: Rt>() -> Vec<Row> {
    let bytes = R::block_on(async {
        R::spawn(async {
            let mut sleeps: Vec<Pin<Box<R::Sleep>>> = Vec::with_capacity(ITEMS);
            yield_now().await;
            start_counting();
            for i in 0..ITEMS {
                sleeps.push(Box::pin(R::sleep(Duration::from_secs(60))));
                poll_once(sleeps[i].as_mut()).await;
                if i % 64 == 63 {
                    yield_now().await;
                }
            }
            let bytes = live_bytes();
            std::mem::forget(sleeps);
            bytes
        })
        .await
    });
    vec![
        Row::bytes(
            "memory per pending timer (incl. the sleep)",
            bytes as f64 / ITEMS as f64,
        ),
        Row::bytes(
            "  of which the sleep future itself",
            std::mem::size_of::<R::Sleep>() as f64,
        ),
    ]
}
