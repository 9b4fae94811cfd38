//! `coop::sync::mpsc`: order, capacity and back-pressure, FIFO service of
//! waiting senders, close from either side, values given back, cancel
//! safety of `recv` and `send`, and producers on other threads.

mod support;

use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;

use coop::sync::mpsc::{self, error::TryRecvError, error::TrySendError};
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn each_senders_messages_arrive_in_the_order_sent() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(4);
            for sender in 0..3 {
                let tx = tx.clone();
                drop(coop::spawn(async move {
                    for i in 0..200 {
                        tx.send((sender, i)).await.unwrap();
                    }
                }));
            }
            drop(tx);
            let mut next = [0; 3];
            while let Some((sender, i)) = rx.recv().await {
                assert_eq!(i, next[sender], "sender {sender} out of order");
                next[sender] += 1;
            }
            assert_eq!(next, [200; 3]);
        })
    });
}

#[test]
fn a_full_channel_holds_the_sender_until_a_message_is_received() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(2);
            tx.send(1).await.unwrap();
            tx.send(2).await.unwrap();
            assert_eq!(tx.capacity(), 0);
            assert!(matches!(tx.try_send(3), Err(TrySendError::Full(3))));
            let mut third = pin!(tx.send(3));
            for _ in 0..3 {
                assert!(poll!(third.as_mut()).is_pending(), "sent past capacity");
            }
            assert_eq!(rx.recv().await, Some(1));
            assert!(matches!(poll!(third.as_mut()), Poll::Ready(Ok(()))));
            assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(2), Ok(3)));
        })
    });
}

#[test]
fn senders_waiting_for_room_are_served_in_the_order_they_waited() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send(0).await.unwrap();
            for i in 1..=5 {
                let tx = tx.clone();
                drop(coop::spawn(async move { tx.send(i).await.unwrap() }));
                coop::yield_now().await; // sender `i` is now in line
            }
            drop(tx);
            let mut got = Vec::new();
            while let Some(i) = rx.recv().await {
                got.push(i);
            }
            assert_eq!(got, [0, 1, 2, 3, 4, 5]);
        })
    });
}

#[test]
fn a_dropped_send_gives_its_slot_to_the_next_waiting_sender() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(1);
            tx.send("queued").await.unwrap();
            let mut first = Box::pin(tx.send("dropped"));
            let mut second = pin!(tx.send("second"));
            assert!(poll!(first.as_mut()).is_pending());
            assert!(poll!(second.as_mut()).is_pending());
            assert_eq!(rx.recv().await, Some("queued")); // the slot goes to `first`
            drop(first);
            assert!(matches!(poll!(second.as_mut()), Poll::Ready(Ok(()))));
            assert_eq!(rx.try_recv(), Ok("second"));
            assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        })
    });
}

#[test]
fn a_dropped_recv_future_loses_no_message() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::unbounded_channel();
            {
                let mut recv = pin!(rx.recv());
                assert!(poll!(recv.as_mut()).is_pending());
            }
            tx.send(7).unwrap();
            assert_eq!(rx.recv().await, Some(7));
        })
    });
}

#[test]
fn recv_returns_none_once_every_sender_is_gone_and_the_queue_is_drained() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(8);
            let tx2 = tx.clone();
            tx.send(1).await.unwrap();
            drop(tx);
            let waiting = coop::spawn(async move {
                let mut got = Vec::new();
                while let Some(v) = rx.recv().await {
                    got.push(v);
                }
                got
            });
            coop::yield_now().await;
            tx2.send(2).await.unwrap();
            drop(tx2); // the waiting receiver must be woken to see the end
            assert_eq!(waiting.await.unwrap(), [1, 2]);
        })
    });
}

#[test]
fn dropping_the_receiver_fails_waiting_senders_and_gives_values_back() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, rx) = mpsc::channel(1);
            tx.send(String::from("queued")).await.unwrap();
            let blocked = coop::spawn({
                let tx = tx.clone();
                async move { tx.send(String::from("waiting")).await }
            });
            coop::yield_now().await;
            drop(rx);
            assert_eq!(blocked.await.unwrap().unwrap_err().0, "waiting");
            assert_eq!(tx.send(String::from("late")).await.unwrap_err().0, "late");
            assert!(tx.is_closed());
            assert!(tx.reserve().await.is_err());
            let (utx, urx) = mpsc::unbounded_channel();
            drop(urx);
            assert_eq!(utx.send(5).unwrap_err().0, 5);
        })
    });
}

#[test]
fn close_stops_new_sends_but_queued_messages_are_still_received() {
    within(GENEROUS, || {
        coop::block_on(async {
            let (tx, mut rx) = mpsc::channel(4);
            let permit = tx.reserve().await.unwrap();
            tx.send(1).await.unwrap();
            rx.close();
            assert!(matches!(tx.try_send(2), Err(TrySendError::Closed(2))));
            permit.send(3); // the receiver is closed: dropped, not queued
            assert_eq!(rx.recv().await, Some(1));
            assert_eq!(rx.recv().await, None, "ended although a sender lives");
            drop(tx);
        })
    });
}

#[test]
fn an_unused_permit_gives_its_slot_back() {
    let (tx, _rx) = mpsc::channel::<u8>(1);
    let permit = coop::block_on(tx.reserve()).unwrap();
    assert_eq!(tx.capacity(), 0);
    drop(permit);
    assert_eq!(tx.capacity(), 1);
    assert!(tx.try_send(1).is_ok());
}

#[test]
fn dropping_the_receiver_drops_every_queued_message_once() {
    let value = Arc::new(());
    let (tx, rx) = mpsc::unbounded_channel();
    for _ in 0..10 {
        tx.send(value.clone()).unwrap();
    }
    assert_eq!(Arc::strong_count(&value), 11);
    drop(rx);
    assert_eq!(Arc::strong_count(&value), 1);
}

#[test]
fn producers_on_threads_the_pool_and_remote_tasks_all_reach_one_receiver() {
    within(GENEROUS, || {
        const EACH: u64 = 500;
        let rt = coop::Runtime::new().unwrap();
        let (tx, mut rx) = mpsc::channel(8);
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..EACH {
                        tx.blocking_send(i).unwrap();
                    }
                })
            })
            .collect();
        let pool = {
            let tx = tx.clone();
            rt.handle().spawn_blocking(move || {
                for i in 0..EACH {
                    tx.blocking_send(i).unwrap();
                }
            })
        };
        let remote = {
            let tx = tx.clone();
            rt.handle().spawn(async move {
                for i in 0..EACH {
                    tx.send(i).await.unwrap();
                }
            })
        };
        drop(tx);
        let (count, sum) = rt.block_on(async {
            let (mut count, mut sum) = (0, 0);
            while let Some(i) = rx.recv().await {
                count += 1;
                sum += i;
            }
            remote.await.unwrap();
            pool.await.unwrap();
            (count, sum)
        });
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(count, 4 * EACH);
        assert_eq!(sum, 4 * EACH * (EACH - 1) / 2);
    });
}

#[test]
fn a_receiver_on_a_plain_thread_gets_every_message_with_blocking_recv() {
    within(GENEROUS, || {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            while let Some(v) = rx.blocking_recv() {
                got.push(v);
            }
            got
        });
        coop::block_on(async move {
            for i in 0..100 {
                tx.send(i).unwrap();
                if i % 10 == 0 {
                    coop::yield_now().await;
                }
            }
        });
        assert_eq!(reader.join().unwrap(), (0..100).collect::<Vec<_>>());
    });
}

#[test]
fn a_zero_capacity_channel_panics_with_advice() {
    let msg = support::panic_message(|| drop(mpsc::channel::<u8>(0)));
    assert!(msg.contains("unbounded_channel"), "{msg}");
}

#[test]
fn closed_waits_for_the_receiver_to_go_and_is_cancel_safe() {
    coop::block_on(async {
        let (tx, rx) = mpsc::channel::<u8>(1);
        let (utx, mut urx) = mpsc::unbounded_channel::<u8>();
        {
            // A closed() dropped while waiting takes nothing with it.
            let mut dropped = pin!(tx.closed());
            assert_eq!(poll!(dropped.as_mut()), Poll::Pending);
        }
        let mut first = pin!(tx.closed());
        let mut second = pin!(tx.closed());
        let mut unbounded = pin!(utx.closed());
        assert_eq!(poll!(first.as_mut()), Poll::Pending);
        assert_eq!(poll!(second.as_mut()), Poll::Pending);
        assert_eq!(poll!(unbounded.as_mut()), Poll::Pending);
        tx.try_send(1).unwrap(); // sending does not complete it
        assert_eq!(poll!(first.as_mut()), Poll::Pending);
        drop(rx);
        first.await;
        second.await;
        tx.closed().await; // already closed: at once
        urx.close(); // closing (not dropping) counts too
        unbounded.await;
        assert!(utx.is_closed());
    });
}

#[test]
fn closed_is_woken_by_a_receiver_dropped_on_another_thread() {
    within(GENEROUS, || {
        let (tx, rx) = mpsc::channel::<u8>(1);
        let dropper = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(rx);
        });
        coop::block_on(tx.closed());
        dropper.join().unwrap();
    });
}
