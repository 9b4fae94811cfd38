//! `coop::sync::Semaphore`: never more holders than permits, FIFO service
//! (a large request is not overtaken), cancel safety of `acquire`, close,
//! and use from several loops and threads at once.

mod support;

use std::cell::Cell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::Poll;

use coop::sync::{Semaphore, TryAcquireError};
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn many_tasks_never_hold_more_than_the_permits() {
    within(GENEROUS, || {
        coop::block_on(async {
            let sem = Rc::new(Semaphore::new(3));
            let (now, max) = (Rc::new(Cell::new(0)), Rc::new(Cell::new(0)));
            let tasks: Vec<_> = (0..200)
                .map(|i| {
                    let (sem, now, max) = (sem.clone(), now.clone(), max.clone());
                    coop::spawn(async move {
                        let _p = sem.acquire_many(1 + i % 2).await.unwrap();
                        now.set(now.get() + 1 + i % 2);
                        max.set(max.get().max(now.get()));
                        for _ in 0..i % 3 {
                            coop::yield_now().await;
                        }
                        now.set(now.get() - 1 - i % 2);
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(max.get(), 3, "the limit was reached but never exceeded");
            assert_eq!(sem.available_permits(), 3, "every permit came back");
        })
    });
}

#[test]
fn waiters_are_served_in_order_and_a_large_request_is_not_overtaken() {
    within(GENEROUS, || {
        coop::block_on(async {
            let sem = Semaphore::new(0);
            let mut big = pin!(sem.acquire_many(2));
            let mut small = pin!(sem.acquire());
            assert!(poll!(big.as_mut()).is_pending());
            assert!(poll!(small.as_mut()).is_pending());
            sem.add_permits(1);
            // One permit is enough for `small`, but `big` is first in line.
            assert!(poll!(small.as_mut()).is_pending());
            assert!(sem.try_acquire().is_err(), "try_acquire overtook the line");
            sem.add_permits(1);
            let Poll::Ready(Ok(big_permit)) = poll!(big.as_mut()) else {
                panic!("the first waiter did not get its two permits");
            };
            assert_eq!(big_permit.num_permits(), 2);
            assert!(poll!(small.as_mut()).is_pending());
            drop(big_permit);
            assert!(matches!(poll!(small.as_mut()), Poll::Ready(Ok(_))));
        })
    });
}

#[test]
fn a_dropped_acquire_passes_its_permits_to_the_next_waiter() {
    within(GENEROUS, || {
        coop::block_on(async {
            let sem = Semaphore::new(1);
            let held = sem.try_acquire().unwrap();
            let mut first = Box::pin(sem.acquire_many(2));
            let mut second = pin!(sem.acquire());
            assert!(poll!(first.as_mut()).is_pending());
            assert!(poll!(second.as_mut()).is_pending());
            drop(held); // goes to `first` (1 of its 2)
            assert!(poll!(second.as_mut()).is_pending());
            drop(first); // its partial permit goes on to `second`
            let Poll::Ready(Ok(permit)) = poll!(second.as_mut()) else {
                panic!("the dropped waiter kept its partial permit");
            };
            assert_eq!(sem.available_permits(), 0);
            drop(permit);
            assert_eq!(sem.available_permits(), 1, "a permit was lost or made");

            // Served in full, then dropped before it saw the permits.
            let sem = Semaphore::new(1);
            let held = sem.try_acquire().unwrap();
            let mut served = Box::pin(sem.acquire());
            let mut next = pin!(sem.acquire());
            assert!(poll!(served.as_mut()).is_pending());
            assert!(poll!(next.as_mut()).is_pending());
            drop(held);
            drop(served);
            assert!(matches!(poll!(next.as_mut()), Poll::Ready(Ok(_))));
        })
    });
}

#[test]
fn close_fails_waiters_and_later_acquires_but_held_permits_stay_valid() {
    within(GENEROUS, || {
        coop::block_on(async {
            let sem = Arc::new(Semaphore::new(1));
            let held = sem.clone().acquire_owned().await.unwrap();
            let waiter = coop::spawn({
                let sem = sem.clone();
                async move { sem.acquire().await.map(|_| ()) }
            });
            coop::yield_now().await;
            sem.close();
            assert!(waiter.await.unwrap().is_err());
            assert!(sem.acquire().await.is_err());
            assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
            drop(held);
            assert_eq!(sem.available_permits(), 1);
        })
    });
}

#[test]
fn loops_on_four_threads_share_one_semaphore_without_exceeding_it() {
    within(GENEROUS, || {
        let sem = Arc::new(Semaphore::new(2));
        let (now, max) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (sem, now, max) = (sem.clone(), now.clone(), max.clone());
                std::thread::spawn(move || {
                    coop::block_on(async move {
                        for _ in 0..500 {
                            let _p = sem.acquire().await.unwrap();
                            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                            max.fetch_max(n, Ordering::SeqCst);
                            coop::yield_now().await;
                            now.fetch_sub(1, Ordering::SeqCst);
                        }
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert!(max.load(Ordering::SeqCst) <= 2);
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn adding_permits_past_the_maximum_panics_with_a_message() {
    let sem = Semaphore::new(Semaphore::MAX_PERMITS);
    let msg = support::panic_message(|| sem.add_permits(1));
    assert!(msg.contains("would exceed the maximum"), "{msg}");
}
