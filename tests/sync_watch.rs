//! `coop::sync::watch`: receivers see the latest value (skipping what they
//! missed), every receiver is told, the end is reported after the last
//! unseen value, sends fail without receivers, `changed` is cancel-safe,
//! and a sender on another thread is seen by a task on the loop.

mod support;

use std::pin::pin;
use std::rc::Rc;

use coop::sync::watch;
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn a_slow_receiver_sees_only_the_latest_value() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = watch::channel(0);
            for i in 1..=10 {
                tx.send(i).unwrap();
            }
            rx.changed().await.unwrap();
            assert_eq!(*rx.borrow_and_update(), 10);
            let mut next = pin!(rx.changed());
            assert!(
                poll!(next.as_mut()).is_pending(),
                "one change reported twice"
            );
        })
    });
}

#[test]
fn every_receiver_is_woken_by_one_send() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, rx) = watch::channel("old");
            let tasks: Vec<_> = (0..5)
                .map(|_| {
                    let mut rx = rx.clone();
                    coop::spawn(async move {
                        rx.changed().await.unwrap();
                        *rx.borrow()
                    })
                })
                .collect();
            coop::yield_now().await; // all five wait
            tx.send("new").unwrap();
            for t in tasks {
                assert_eq!(t.await.unwrap(), "new");
            }
        })
    });
}

#[test]
fn the_end_is_reported_after_the_last_unseen_value() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = watch::channel(0);
            tx.send(1).unwrap();
            drop(tx);
            assert!(rx.changed().await.is_ok());
            assert_eq!(*rx.borrow(), 1);
            assert!(rx.changed().await.is_err());
            assert!(rx.has_changed().is_err());

            // A receiver waiting when the sender goes is woken with the end.
            let (tx, mut rx) = watch::channel(0);
            let waiter = coop::spawn(async move { rx.changed().await });
            coop::yield_now().await;
            drop(tx);
            assert!(waiter.await.unwrap().is_err());
        })
    });
}

#[test]
fn send_needs_a_receiver_but_send_replace_does_not() {
    let (tx, rx) = watch::channel(1);
    drop(rx);
    assert_eq!(tx.send(2).unwrap_err().0, 2);
    assert_eq!(tx.send_replace(3), 1);
    let rx = tx.subscribe();
    assert_eq!(*rx.borrow(), 3);
    assert!(
        !rx.has_changed().unwrap(),
        "a new subscriber has seen the value"
    );
}

#[test]
fn a_dropped_changed_future_loses_the_change_for_no_one() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = watch::channel(0);
            {
                let mut changed = pin!(rx.changed());
                assert!(poll!(changed.as_mut()).is_pending());
            }
            tx.send(5).unwrap();
            assert!(rx.has_changed().unwrap());
            rx.changed().await.unwrap();
            assert_eq!(*rx.borrow(), 5);
        })
    });
}

#[test]
fn a_sender_on_a_plain_thread_is_seen_up_to_its_last_value() {
    within(GENEROUS, || {
        let (tx, mut rx) = watch::channel(0u32);
        let sender = std::thread::spawn(move || {
            for i in 1..=1000 {
                tx.send(i).unwrap();
            }
        });
        let seen = Rc::new(std::cell::Cell::new(0));
        coop::block_on({
            let seen = seen.clone();
            async move {
                let mut last = 0;
                while rx.changed().await.is_ok() {
                    let v = *rx.borrow_and_update();
                    assert!(v > last, "a value went backwards: {last} then {v}");
                    last = v;
                }
                seen.set(last);
            }
        });
        sender.join().unwrap();
        assert_eq!(seen.get(), 1000, "the last value was missed");
    });
}

#[test]
fn sender_closed_waits_until_the_last_receiver_is_gone() {
    coop::block_on(async {
        let (tx, rx) = watch::channel(0);
        let rx2 = rx.clone();
        {
            let mut dropped = pin!(tx.closed());
            assert!(poll!(dropped.as_mut()).is_pending());
        }
        let mut closed = pin!(tx.closed());
        assert!(poll!(closed.as_mut()).is_pending());
        drop(rx);
        assert!(poll!(closed.as_mut()).is_pending(), "one receiver is left");
        let subscribed = tx.subscribe();
        drop(rx2);
        assert!(
            poll!(closed.as_mut()).is_pending(),
            "a new subscriber is left"
        );
        drop(subscribed);
        closed.await;
        tx.closed().await; // none left: at once
    });
}

#[test]
fn sender_closed_is_woken_by_a_receiver_dropped_on_another_thread() {
    within(GENEROUS, || {
        let (tx, rx) = watch::channel(0);
        let dropper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(rx);
        });
        coop::block_on(tx.closed());
        dropper.join().unwrap();
    });
}
