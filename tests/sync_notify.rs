//! `coop::sync::Notify`: tokio's permit semantics (one stored permit,
//! `notify_waiters` stores none but counts for futures made before it),
//! FIFO `notify_one`, cancel safety, and notification from another thread.

mod support;

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coop::sync::Notify;
use futures_util::poll;
use support::{within, GENEROUS};

#[test]
fn notify_one_with_nobody_waiting_stores_exactly_one_permit() {
    within(GENEROUS, || {
        coop::block_on(async {
            let notify = Notify::new();
            notify.notify_one();
            notify.notify_one();
            notify.notified().await; // takes the permit
            let mut second = pin!(notify.notified());
            assert!(
                poll!(second.as_mut()).is_pending(),
                "two permits were stored"
            );
            notify.notify_one();
            assert!(poll!(second.as_mut()).is_ready());
        })
    });
}

#[test]
fn notify_one_wakes_waiters_in_the_order_they_waited() {
    within(GENEROUS, || {
        coop::block_on(async {
            let notify = Rc::new(Notify::new());
            let order = Rc::new(RefCell::new(Vec::new()));
            let tasks: Vec<_> = (0..4)
                .map(|i| {
                    let (notify, order) = (notify.clone(), order.clone());
                    coop::spawn(async move {
                        notify.notified().await;
                        order.borrow_mut().push(i);
                    })
                })
                .collect();
            coop::yield_now().await; // all four wait
            for _ in 0..4 {
                notify.notify_one();
                coop::yield_now().await;
            }
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*order.borrow(), [0, 1, 2, 3]);
        })
    });
}

#[test]
fn notify_waiters_wakes_everyone_made_before_it_and_stores_no_permit() {
    within(GENEROUS, || {
        coop::block_on(async {
            let notify = Notify::new();
            let mut polled = pin!(notify.notified());
            assert!(poll!(polled.as_mut()).is_pending());
            let made_not_polled = notify.notified();
            notify.notify_waiters();
            assert!(poll!(polled.as_mut()).is_ready());
            made_not_polled.await;
            let mut later = pin!(notify.notified());
            assert!(
                poll!(later.as_mut()).is_pending(),
                "notify_waiters stored a permit"
            );
        })
    });
}

#[test]
fn a_dropped_notified_that_was_chosen_passes_the_notification_on() {
    within(GENEROUS, || {
        coop::block_on(async {
            let notify = Notify::new();
            let mut first = Box::pin(notify.notified());
            let mut second = pin!(notify.notified());
            assert!(poll!(first.as_mut()).is_pending());
            assert!(poll!(second.as_mut()).is_pending());
            notify.notify_one(); // chooses `first`
            drop(first);
            assert!(
                poll!(second.as_mut()).is_ready(),
                "the notification was lost"
            );

            // With nobody else waiting, it becomes the stored permit.
            let mut only = Box::pin(notify.notified());
            assert!(poll!(only.as_mut()).is_pending());
            notify.notify_one();
            drop(only);
            assert!(poll!(pin!(notify.notified())).is_ready());
        })
    });
}

#[test]
fn notify_one_from_a_plain_thread_wakes_a_task_parked_on_the_loop() {
    within(GENEROUS, || {
        let notify = Arc::new(Notify::new());
        let done = Arc::new(AtomicBool::new(false));
        let thread = {
            let (notify, done) = (notify.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    notify.notify_one();
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        coop::block_on(async {
            // The loop parks between notifications: each wait is ended by
            // a wake from the other thread.
            for _ in 0..20 {
                notify.notified().await;
            }
        });
        done.store(true, Ordering::SeqCst);
        thread.join().unwrap();
    });
}
