//! `coop::sync::oneshot`: the value arrives, a send to a dropped receiver
//! gives it back, close from either side wakes the other, the value is
//! dropped exactly once, and the two ends work across threads.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use coop::sync::oneshot::{self, error::TryRecvError};
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn the_value_reaches_a_waiting_receiver() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, rx) = oneshot::channel();
            let waiter = coop::spawn(rx);
            coop::yield_now().await; // the receiver is waiting now
            tx.send(String::from("hi")).unwrap();
            assert_eq!(waiter.await.unwrap().unwrap(), "hi");
        })
    });
}

#[test]
fn a_send_to_a_dropped_or_closed_receiver_gives_the_value_back() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(1), Err(1));
    let (tx, mut rx) = oneshot::channel();
    rx.close();
    assert_eq!(tx.send(2), Err(2));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
}

#[test]
fn a_dropped_sender_wakes_the_receiver_with_an_error() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, rx) = oneshot::channel::<u8>();
            let waiter = coop::spawn(rx);
            coop::yield_now().await;
            drop(tx);
            assert!(waiter.await.unwrap().is_err());
        })
    });
}

#[test]
fn closed_completes_when_the_receiver_goes_away() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (mut tx, rx) = oneshot::channel::<u8>();
            {
                let mut closed = pin!(tx.closed());
                assert!(poll!(closed.as_mut()).is_pending());
                drop(coop::spawn(async move { drop(rx) }));
                closed.await;
            }
            assert!(tx.is_closed());
        })
    });
}

#[test]
fn a_value_sent_before_close_can_still_be_received() {
    let (tx, mut rx) = oneshot::channel();
    tx.send(3).unwrap();
    rx.close();
    assert_eq!(rx.try_recv(), Ok(3));
}

#[test]
fn a_polled_then_dropped_receive_loses_nothing() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = oneshot::channel();
            assert!(poll!(&mut rx).is_pending());
            tx.send(9).unwrap();
            assert_eq!(poll!(&mut rx), Poll::Ready(Ok(9)));
        })
    });
}

#[test]
fn an_unreceived_value_is_dropped_exactly_once_with_the_receiver() {
    let value = Arc::new(());
    let (tx, rx) = oneshot::channel();
    tx.send(value.clone()).unwrap();
    assert_eq!(Arc::strong_count(&value), 2);
    drop(rx);
    assert_eq!(Arc::strong_count(&value), 1);
}

#[test]
fn senders_on_threads_the_pool_and_remote_tasks_reach_receivers_anywhere() {
    within(GENEROUS, || {
        let rt = coop::Runtime::new().unwrap();
        // Plain thread → loop.
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || tx.send(1).unwrap());
        assert_eq!(rt.block_on(rx), Ok(1));
        // Blocking pool → loop.
        let (tx, rx) = oneshot::channel();
        drop(rt.handle().spawn_blocking(move || tx.send(2).unwrap()));
        assert_eq!(rt.block_on(rx), Ok(2));
        // Remote task on the loop → a plain thread blocking on it.
        let (tx, rx) = oneshot::channel();
        let reader = std::thread::spawn(move || rx.blocking_recv());
        let task = rt.handle().spawn(async move { tx.send(3).unwrap() });
        rt.block_on(task).unwrap();
        assert_eq!(reader.join().unwrap(), Ok(3));
    });
}

#[test]
fn blocking_recv_on_the_loop_thread_panics_with_advice() {
    let msg = support::panic_message(|| {
        coop::block_on(async {
            let (_tx, rx) = oneshot::channel::<u8>();
            let _ = rx.blocking_recv();
        })
    });
    assert!(msg.contains("blocking_recv"), "{msg}");
}
