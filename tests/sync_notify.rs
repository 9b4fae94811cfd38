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

#[test]
fn enable_takes_a_place_in_line_before_the_first_poll() {
    let notify = Notify::new();
    let mut first = pin!(notify.notified());
    let mut second = pin!(notify.notified());
    assert!(!first.as_mut().enable());
    assert!(!second.as_mut().enable());
    assert!(!first.as_mut().enable(), "enabling twice keeps the place");
    notify.notify_one();
    // The first in line was chosen; no permit was stored for a newcomer.
    assert!(first.as_mut().enable());
    assert!(!second.as_mut().enable());
    let mut later = pin!(notify.notified());
    assert!(
        !later.as_mut().enable(),
        "notify_one stored a permit as well"
    );
    coop::block_on(first);
    notify.notify_waiters();
    assert!(second.as_mut().enable());
    coop::block_on(async {
        second.await;
        later.await
    });
}

#[test]
fn enable_takes_a_stored_permit_and_an_enabled_future_dropped_passes_notify_one_on() {
    let notify = Notify::new();
    notify.notify_one(); // stored
    {
        let mut taker = pin!(notify.notified());
        assert!(taker.as_mut().enable(), "the stored permit is taken");
    }
    let mut enabled = Box::pin(notify.notified());
    assert!(
        !enabled.as_mut().enable(),
        "the permit was consumed by the first"
    );
    let mut next = pin!(notify.notified());
    assert!(!next.as_mut().enable());
    notify.notify_one(); // chooses `enabled`, which is dropped unseen
    drop(enabled);
    assert!(next.as_mut().enable(), "the notification was passed on");
}
