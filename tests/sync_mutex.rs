//! `coop::sync::Mutex`: FIFO fairness (a relock goes to the back of the
//! line, `try_lock` never barges), cancel safety of `lock`, guards held
//! across `.await`, and use from loops, `Handle::spawn` and plain threads.

mod support;

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;

use coop::sync::Mutex;
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn waiters_get_the_lock_in_the_order_they_asked_and_a_relock_queues_behind() {
    within(GENEROUS, || {
        coop::block_on(async {
            let lock = Rc::new(Mutex::new(()));
            let order = Rc::new(RefCell::new(Vec::new()));
            let guard = lock.lock().await;
            let tasks: Vec<_> = (0..5)
                .map(|i| {
                    let (lock, order) = (lock.clone(), order.clone());
                    coop::spawn(async move {
                        for round in 0..2 {
                            let _g = lock.lock().await;
                            order.borrow_mut().push((round, i));
                            coop::yield_now().await;
                        }
                    })
                })
                .collect();
            for _ in 0..3 {
                coop::yield_now().await; // let every task queue
            }
            drop(guard);
            for t in tasks {
                t.await.unwrap();
            }
            let expected: Vec<_> = (0..2).flat_map(|r| (0..5).map(move |i| (r, i))).collect();
            assert_eq!(*order.borrow(), expected);
        })
    });
}

#[test]
fn try_lock_does_not_take_a_lock_handed_to_a_waiter() {
    within(GENEROUS, || {
        coop::block_on(async {
            let lock = Mutex::new(0);
            let guard = lock.try_lock().unwrap();
            let mut waiter = pin!(lock.lock());
            assert!(poll!(waiter.as_mut()).is_pending());
            drop(guard);
            assert!(lock.try_lock().is_err(), "try_lock overtook the waiter");
            assert!(matches!(poll!(waiter.as_mut()), Poll::Ready(_)));
        })
    });
}

#[test]
fn a_dropped_lock_future_passes_the_lock_to_the_next_waiter() {
    within(GENEROUS, || {
        coop::block_on(async {
            let lock = Mutex::new(0);
            let guard = lock.lock().await;
            let mut first = Box::pin(lock.lock());
            let mut second = pin!(lock.lock());
            assert!(poll!(first.as_mut()).is_pending());
            assert!(poll!(second.as_mut()).is_pending());
            drop(guard); // handed to `first`
            drop(first); // which never used it
            let Poll::Ready(mut g) = poll!(second.as_mut()) else {
                panic!("the lock was lost with the dropped future");
            };
            *g += 1;
            drop(g);
            assert_eq!(*lock.try_lock().unwrap(), 1);
        })
    });
}

#[test]
fn threads_loops_and_remote_tasks_all_increment_under_one_lock() {
    within(GENEROUS, || {
        let count = Arc::new(Mutex::new(0u64));
        let rt = coop::Runtime::new().unwrap();
        let remote: Vec<_> = (0..4)
            .map(|_| {
                let count = count.clone();
                rt.handle().spawn(async move {
                    for _ in 0..250 {
                        let mut g = count.lock().await;
                        let v = *g;
                        coop::yield_now().await; // held across an await
                        *g = v + 1;
                    }
                })
            })
            .collect();
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let count = count.clone();
                std::thread::spawn(move || {
                    for _ in 0..250 {
                        *count.blocking_lock() += 1;
                    }
                })
            })
            .collect();
        let pool = {
            let count = count.clone();
            rt.handle().spawn_blocking(move || {
                for _ in 0..250 {
                    *count.blocking_lock() += 1;
                }
            })
        };
        rt.block_on(async {
            for t in remote {
                t.await.unwrap();
            }
            pool.await.unwrap();
        });
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*count.blocking_lock(), 8 * 250);
    });
}

#[test]
fn blocking_lock_on_the_loop_thread_panics_with_advice() {
    let msg = support::panic_message(|| {
        coop::block_on(async {
            let lock = Mutex::new(());
            let _g = lock.blocking_lock();
        })
    });
    assert!(msg.contains("Mutex::blocking_lock"), "{msg}");
    assert!(msg.contains(".await"), "{msg}");
}
