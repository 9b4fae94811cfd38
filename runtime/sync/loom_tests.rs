//! Loom models of `coop::sync`'s wait lists: every interleaving of two or
//! three threads acquiring, releasing, notifying, sending and dropping.
//!
//! What they check: a permit, message or notification is never lost (a
//! lost one leaves a waiter blocked forever, which loom reports as a
//! deadlock) and never given twice (two holders at once, a value received
//! twice or dropped twice trip an assertion); a waiter dropped after it
//! was served passes what it got on.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

use loom::future::block_on;
use loom::thread;

use crate::loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::loom::sync::Arc;
use crate::sync::{mpsc, oneshot, watch, Mutex, Notify, Semaphore};

/// Polls `future` once with a waker that does nothing.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    let waker = futures_task::noop_waker();
    std::pin::Pin::new(future).poll(&mut Context::from_waker(&waker))
}

/// Holds the one permit of `sem` for a moment, asserting nobody else does.
async fn hold_alone(sem: &Semaphore, busy: &AtomicBool) {
    let _permit = sem.acquire().await.unwrap();
    assert!(
        !busy.swap(true, Ordering::SeqCst),
        "two holders of one permit"
    );
    busy.store(false, Ordering::SeqCst);
}

#[test]
fn a_semaphore_permit_is_never_held_twice_nor_lost_to_a_dropped_waiter() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let busy = Arc::new(AtomicBool::new(false));
        let other = {
            let (sem, busy) = (sem.clone(), busy.clone());
            thread::spawn(move || block_on(hold_alone(&sem, &busy)))
        };
        // A waiter that queues (or wins at once) and is then dropped.
        let mut cancelled = Box::pin(sem.acquire());
        let _ = poll_once(&mut cancelled);
        drop(cancelled);
        block_on(hold_alone(&sem, &busy));
        other.join().unwrap();
        assert_eq!(sem.available_permits(), 1, "a permit was lost or made");
    });
}

#[test]
fn a_lock_free_release_racing_a_waiter_that_queues_reaches_the_waiter() {
    // `release` adds permits with one CAS while `WAITERS` is clear; a
    // newcomer sets `WAITERS` in the CAS that empties `available` before
    // it queues. In every interleaving the permit reaches the waiter (not
    // `available` behind its back, which would leave it blocked forever).
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let other = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        block_on(async { sem.acquire().await.unwrap().forget() });
        other.join().unwrap();
        assert_eq!(sem.available_permits(), 0, "a permit was made");
    });
}

#[test]
fn a_waiter_leaving_the_line_keeps_the_lock_free_release_off_the_next_one() {
    // Two waiters queue; the first leaves the line while another thread
    // releases. The second must still get the permit: leaving clears
    // `WAITERS` only once the line is empty.
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let mut leaving = Box::pin(sem.acquire());
        assert!(poll_once(&mut leaving).is_pending());
        let mut staying = Box::pin(sem.acquire());
        assert!(poll_once(&mut staying).is_pending());
        let other = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        drop(leaving);
        other.join().unwrap();
        match poll_once(&mut staying) {
            Poll::Ready(permit) => permit.unwrap().forget(),
            Poll::Pending => panic!("the released permit did not reach the waiter in line"),
        }
        assert_eq!(sem.available_permits(), 0);
    });
}

#[test]
fn mutex_increments_from_two_threads_are_never_lost() {
    loom::model(|| {
        let count = Arc::new(Mutex::new(0));
        let other = {
            let count = count.clone();
            thread::spawn(move || block_on(async { *count.lock().await += 1 }))
        };
        block_on(async { *count.lock().await += 1 });
        other.join().unwrap();
        assert_eq!(*count.try_lock().unwrap(), 2);
    });
}

#[test]
fn notify_one_from_another_thread_is_never_lost() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let other = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        block_on(notify.notified());
        other.join().unwrap();
    });
}

#[test]
fn a_notified_dropped_while_chosen_passes_the_notification_on() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let mut first = Box::pin(notify.notified());
        assert!(poll_once(&mut first).is_pending());
        let other = {
            let notify = notify.clone();
            thread::spawn(move || notify.notify_one())
        };
        // Dropped before, while or after `notify_one` chooses it.
        drop(first);
        let mut second = pin!(notify.notified());
        let early = poll_once(&mut second).is_ready();
        other.join().unwrap();
        let done = early || poll_once(&mut second).is_ready();
        assert!(done, "the notification was lost with the dropped future");
    });
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_oneshot_value_racing_the_receivers_drop_is_dropped_exactly_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = oneshot::channel();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || {
            // Refused: the value comes back and is dropped here.
            let _ = tx.send(value);
        });
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_oneshot_value_reaches_a_receiver_on_another_thread() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

#[test]
fn a_full_bounded_channel_delivers_each_message_once_to_its_receiver() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let senders: Vec<_> = (1..=2)
            .map(|i| {
                let tx = tx.clone();
                thread::spawn(move || block_on(tx.send(i)).unwrap())
            })
            .collect();
        drop(tx);
        let mut got = block_on(async {
            let mut got = Vec::new();
            while let Some(v) = rx.recv().await {
                got.push(v);
            }
            got
        });
        for s in senders {
            s.join().unwrap();
        }
        got.sort_unstable();
        assert_eq!(got, [1, 2]);
    });
}

#[test]
fn a_watch_receiver_always_ends_on_the_latest_value() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0);
        let sender = thread::spawn(move || {
            tx.send(1).unwrap();
            tx.send(2).unwrap();
        });
        block_on(async { while rx.changed().await.is_ok() {} });
        assert_eq!(*rx.borrow(), 2);
        sender.join().unwrap();
    });
}

#[test]
fn sender_closed_sees_a_receiver_dropped_on_another_thread() {
    // `closed()` makes its `Notified` before it checks, so a receiver that
    // goes after the check still wakes it: never a wait that hangs.
    loom::model(|| {
        let (tx, rx) = mpsc::channel::<u8>(1);
        let (wtx, wrx) = watch::channel(0);
        let dropper = thread::spawn(move || {
            drop(rx);
            drop(wrx);
        });
        block_on(async {
            tx.closed().await;
            wtx.closed().await;
        });
        dropper.join().unwrap();
    });
}

#[test]
fn notify_waiters_reaches_a_notified_made_before_it_and_polled_after() {
    // The check-then-wait pattern `watch::changed` and the `closed()`s are
    // built on: make the `Notified`, check a flag, await. A `notify_waiters`
    // after the check but before the first poll queues nobody; the future
    // must still complete, from the count it was made with. Checked
    // against: `Notified` ignoring that count on its first poll, and
    // `notify_waiters` raising the count after it unlocks (both leave the
    // waiter blocked forever).
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let flag = Arc::new(AtomicBool::new(false));
        let other = {
            let (notify, flag) = (notify.clone(), flag.clone());
            thread::spawn(move || {
                flag.store(true, Ordering::SeqCst);
                notify.notify_waiters();
            })
        };
        block_on(async {
            loop {
                let notified = notify.notified();
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                notified.await;
            }
        });
        other.join().unwrap();
    });
}

#[test]
fn a_oneshot_sender_in_closed_wakes_when_the_receiver_drops_elsewhere() {
    // Checked against: the receiver's drop not waking the sender's waker.
    loom::model(|| {
        let (mut tx, rx) = oneshot::channel::<u8>();
        let dropper = thread::spawn(move || drop(rx));
        block_on(tx.closed());
        assert!(tx.is_closed());
        dropper.join().unwrap();
    });
}

#[test]
fn a_semaphore_closed_on_another_thread_fails_its_waiter() {
    // Checked against: `close` popping the waiters without waking them.
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let closer = {
            let sem = sem.clone();
            thread::spawn(move || sem.close())
        };
        assert!(block_on(sem.acquire()).is_err(), "a permit from nowhere");
        closer.join().unwrap();
    });
}
