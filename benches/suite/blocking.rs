//! `blocking_roundtrip`: 100,000 blocking jobs, each awaited before the
//! next is sent, so the figure is the round trip loop → pool thread → loop.
//! Peers: `tokio::task::spawn_blocking` and smol's `blocking::unblock`.

use std::future::Future;
use std::time::Instant;

use crate::rt::{self, Rt, Unwrap};
use crate::Row;

pub const ROUND_TRIPS: usize = 100_000;

/// Runs a closure on the runtime's blocking pool.
pub trait BlockingRt: Rt {
    fn spawn_blocking<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T>;
}

impl BlockingRt for rt::Coop {
    fn spawn_blocking<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> {
        Unwrap(coop::spawn_blocking(f))
    }
}

impl BlockingRt for rt::Tokio {
    fn spawn_blocking<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> {
        Unwrap(tokio::task::spawn_blocking(f))
    }
}

impl BlockingRt for rt::Smol {
    fn spawn_blocking<T: Send + 'static>(
        f: impl FnOnce() -> T + Send + 'static,
    ) -> impl Future<Output = T> {
        blocking::unblock(f)
    }
}

pub fn blocking_roundtrip<R: BlockingRt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        for i in 0..ROUND_TRIPS {
            assert_eq!(R::spawn_blocking(move || i).await, i);
        }
        start.elapsed()
    });
    vec![Row::ms("blocking_roundtrip (100k)", ms)]
}
