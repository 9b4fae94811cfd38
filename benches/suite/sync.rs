//! Sync-primitive workloads: each runtime with the channels and semaphore
//! its users reach for. coop: `coop::sync`; tokio: `tokio::sync` on its
//! current-thread runtime; smol: `async-channel` and `async-lock` (smol's
//! own `channel` and `lock` re-export them; `async-channel` has no oneshot,
//! so a `bounded(1)` channel stands in). LocalPool has no sync types of its
//! own and sits these rows out.
//!
//! * `mpsc_1p`: one producer sends 1,000,000 `u64` through a channel of
//!   capacity 1,024 to one consumer.
//! * `mpsc_10p`: ten producers, 100,000 each, into the same kind of channel.
//! * `oneshot_roundtrip`: 100,000 requests to a server task over a bounded
//!   channel; each carries a fresh oneshot sender for the reply (the actor
//!   pattern).
//! * `semaphore_contended`: 10 tasks × 50,000 rounds of acquire, yield,
//!   release on a semaphore of 2 permits.

use std::future::Future;
use std::rc::Rc;
use std::time::Instant;

use crate::prims::yield_now;
use crate::rt::{Coop, Rt, Smol, Tokio};
use crate::Row;

pub const MESSAGES: u64 = 1_000_000;
pub const PRODUCERS: u64 = 10;
pub const CAPACITY: usize = 1024;
pub const REQUESTS: u64 = 100_000;
pub const SEM_TASKS: usize = 10;
pub const SEM_ROUNDS: usize = 50_000;

/// The runtime's own sync types, as the workloads use them.
pub trait SyncRt: Rt {
    type Tx<T: 'static>: Clone + 'static;
    type Rx<T: 'static>: 'static;
    type OneTx<T: 'static>: 'static;
    type OneRx<T: 'static>: 'static;
    type Sem: 'static;

    fn channel<T: 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>);
    fn send<T: 'static>(tx: &Self::Tx<T>, v: T) -> impl Future<Output = ()> + '_;
    fn recv<T: 'static>(rx: &mut Self::Rx<T>) -> impl Future<Output = Option<T>> + '_;
    fn oneshot<T: 'static>() -> (Self::OneTx<T>, Self::OneRx<T>);
    fn reply<T: 'static>(tx: Self::OneTx<T>, v: T);
    fn wait_reply<T: 'static>(rx: Self::OneRx<T>) -> impl Future<Output = T>;
    fn semaphore(permits: usize) -> Self::Sem;
    /// Acquires one permit, yields once holding it, releases it.
    fn hold_permit(sem: &Self::Sem) -> impl Future<Output = ()> + '_;
}

impl SyncRt for Coop {
    type Tx<T: 'static> = coop::sync::mpsc::Sender<T>;
    type Rx<T: 'static> = coop::sync::mpsc::Receiver<T>;
    type OneTx<T: 'static> = coop::sync::oneshot::Sender<T>;
    type OneRx<T: 'static> = coop::sync::oneshot::Receiver<T>;
    type Sem = coop::sync::Semaphore;

    fn channel<T: 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        coop::sync::mpsc::channel(capacity)
    }
    async fn send<T: 'static>(tx: &Self::Tx<T>, v: T) {
        assert!(tx.send(v).await.is_ok(), "receiver gone");
    }
    async fn recv<T: 'static>(rx: &mut Self::Rx<T>) -> Option<T> {
        rx.recv().await
    }
    fn oneshot<T: 'static>() -> (Self::OneTx<T>, Self::OneRx<T>) {
        coop::sync::oneshot::channel()
    }
    fn reply<T: 'static>(tx: Self::OneTx<T>, v: T) {
        assert!(tx.send(v).is_ok(), "receiver gone");
    }
    async fn wait_reply<T: 'static>(rx: Self::OneRx<T>) -> T {
        rx.await.expect("sender gone")
    }
    fn semaphore(permits: usize) -> Self::Sem {
        coop::sync::Semaphore::new(permits)
    }
    async fn hold_permit(sem: &Self::Sem) {
        let _permit = sem.acquire().await.unwrap();
        yield_now().await;
    }
}

impl SyncRt for Tokio {
    type Tx<T: 'static> = tokio::sync::mpsc::Sender<T>;
    type Rx<T: 'static> = tokio::sync::mpsc::Receiver<T>;
    type OneTx<T: 'static> = tokio::sync::oneshot::Sender<T>;
    type OneRx<T: 'static> = tokio::sync::oneshot::Receiver<T>;
    type Sem = tokio::sync::Semaphore;

    fn channel<T: 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        tokio::sync::mpsc::channel(capacity)
    }
    async fn send<T: 'static>(tx: &Self::Tx<T>, v: T) {
        assert!(tx.send(v).await.is_ok(), "receiver gone");
    }
    async fn recv<T: 'static>(rx: &mut Self::Rx<T>) -> Option<T> {
        rx.recv().await
    }
    fn oneshot<T: 'static>() -> (Self::OneTx<T>, Self::OneRx<T>) {
        tokio::sync::oneshot::channel()
    }
    fn reply<T: 'static>(tx: Self::OneTx<T>, v: T) {
        assert!(tx.send(v).is_ok(), "receiver gone");
    }
    async fn wait_reply<T: 'static>(rx: Self::OneRx<T>) -> T {
        rx.await.expect("sender gone")
    }
    fn semaphore(permits: usize) -> Self::Sem {
        tokio::sync::Semaphore::new(permits)
    }
    async fn hold_permit(sem: &Self::Sem) {
        let _permit = sem.acquire().await.unwrap();
        yield_now().await;
    }
}

impl SyncRt for Smol {
    type Tx<T: 'static> = async_channel::Sender<T>;
    type Rx<T: 'static> = async_channel::Receiver<T>;
    type OneTx<T: 'static> = async_channel::Sender<T>;
    type OneRx<T: 'static> = async_channel::Receiver<T>;
    type Sem = async_lock::Semaphore;

    fn channel<T: 'static>(capacity: usize) -> (Self::Tx<T>, Self::Rx<T>) {
        async_channel::bounded(capacity)
    }
    async fn send<T: 'static>(tx: &Self::Tx<T>, v: T) {
        assert!(tx.send(v).await.is_ok(), "receiver gone");
    }
    async fn recv<T: 'static>(rx: &mut Self::Rx<T>) -> Option<T> {
        rx.recv().await.ok()
    }
    fn oneshot<T: 'static>() -> (Self::OneTx<T>, Self::OneRx<T>) {
        async_channel::bounded(1)
    }
    fn reply<T: 'static>(tx: Self::OneTx<T>, v: T) {
        assert!(tx.try_send(v).is_ok(), "receiver gone");
    }
    async fn wait_reply<T: 'static>(rx: Self::OneRx<T>) -> T {
        match rx.recv().await {
            Ok(v) => v,
            Err(_) => panic!("sender gone"),
        }
    }
    fn semaphore(permits: usize) -> Self::Sem {
        async_lock::Semaphore::new(permits)
    }
    async fn hold_permit(sem: &Self::Sem) {
        let _permit = sem.acquire().await;
        yield_now().await;
    }
}

/// `producers` tasks send `each` messages; the block_on task receives all.
fn mpsc<R: SyncRt>(producers: u64, each: u64) -> std::time::Duration {
    R::block_on(async move {
        let start = Instant::now();
        let (tx, mut rx) = R::channel::<u64>(CAPACITY);
        for _ in 0..producers {
            let tx = tx.clone();
            R::spawn_detached(async move {
                for i in 0..each {
                    R::send(&tx, i).await;
                }
            });
        }
        drop(tx);
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(i) = R::recv(&mut rx).await {
            count += 1;
            sum = sum.wrapping_add(i);
        }
        assert_eq!(count, producers * each);
        std::hint::black_box(sum);
        start.elapsed()
    })
}

/// One producer, one consumer, 1,000,000 messages.
pub fn mpsc_1p<R: SyncRt>() -> Vec<Row> {
    vec![Row::ms(
        "mpsc_1p (1M msgs, cap 1024)",
        mpsc::<R>(1, MESSAGES),
    )]
}

/// Ten producers, 100,000 messages each.
pub fn mpsc_10p<R: SyncRt>() -> Vec<Row> {
    let each = MESSAGES / PRODUCERS;
    vec![Row::ms(
        "mpsc_10p (10 × 100k msgs)",
        mpsc::<R>(PRODUCERS, each),
    )]
}

/// 100,000 requests, each answered through its own oneshot.
pub fn oneshot_roundtrip<R: SyncRt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        let (tx, mut rx) = R::channel::<(u64, R::OneTx<u64>)>(CAPACITY);
        R::spawn_detached(async move {
            while let Some((i, reply)) = R::recv(&mut rx).await {
                R::reply(reply, i + 1);
            }
        });
        for i in 0..REQUESTS {
            let (reply_tx, reply_rx) = R::oneshot();
            R::send(&tx, (i, reply_tx)).await;
            assert_eq!(R::wait_reply(reply_rx).await, i + 1);
        }
        start.elapsed()
    });
    vec![Row::ms("oneshot_roundtrip (100k)", ms)]
}

/// 10 tasks contend for 2 permits, 50,000 rounds each.
pub fn semaphore_contended<R: SyncRt>() -> Vec<Row> {
    let ms = R::block_on(async {
        let start = Instant::now();
        let sem = Rc::new(R::semaphore(2));
        let handles: Vec<_> = (0..SEM_TASKS)
            .map(|_| {
                let sem = sem.clone();
                R::spawn(async move {
                    for _ in 0..SEM_ROUNDS {
                        R::hold_permit(&sem).await;
                    }
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        start.elapsed()
    });
    vec![Row::ms("semaphore_contended (10 × 50k, 2 permits)", ms)]
}
