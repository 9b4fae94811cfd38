//! `JoinHandle`: results, abort, `is_finished`, panics as `JoinError`, and
//! handing a handle to another thread.

mod support;

use std::cell::RefCell;
use std::future::pending;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coop::time::sleep;
use coop::{JoinError, JoinHandle, Runtime};
use support::{count_polls, hold_forever, DropCounter, Signal};

#[test]
fn join_handles_give_each_task_its_own_output() {
    let out = coop::block_on(async {
        let words = coop::spawn(async { String::from("words") });
        let number = coop::spawn(async {
            sleep(Duration::from_millis(5)).await;
            7u8
        });
        let unit = coop::spawn(async {});
        (
            words.await.unwrap(),
            number.await.unwrap(),
            unit.await.unwrap(),
        )
    });
    assert_eq!(out, (String::from("words"), 7, ()));
}

#[test]
fn a_task_that_finishes_before_it_is_awaited_keeps_its_output() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(async { vec![1, 2, 3] });
    rt.block_on(coop::yield_now());
    assert!(handle.is_finished());
    assert_eq!(rt.block_on(handle).unwrap(), [1, 2, 3]);
}

#[test]
fn a_dropped_join_handle_detaches_the_task_which_still_runs() {
    let ran = Rc::new(RefCell::new(false));
    let rt = Runtime::new().unwrap();
    drop(rt.spawn({
        let ran = ran.clone();
        async move {
            sleep(Duration::from_millis(5)).await;
            *ran.borrow_mut() = true;
        }
    }));
    // Wait in a task too: timers that fire together run in deadline order.
    rt.block_on(rt.spawn(sleep(Duration::from_millis(30))))
        .unwrap();
    assert!(*ran.borrow(), "the detached task ran to the end");
    assert_eq!(rt.task_count(), 0);
}

#[test]
fn is_finished_turns_true_when_the_task_completes() {
    coop::block_on(async {
        let handle = coop::spawn(sleep(Duration::from_millis(10)));
        assert!(!handle.is_finished());
        // A later timer, in a task: it runs after the first one's task.
        coop::spawn(sleep(Duration::from_millis(40))).await.unwrap();
        assert!(handle.is_finished());
        handle.await.unwrap();
    });
}

#[test]
fn abort_drops_the_waiting_future_and_the_handle_reports_cancelled() {
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(hold_forever(drops.guard()));
    rt.block_on(coop::yield_now()); // it runs and waits
    assert_eq!(drops.drops(), 0);

    handle.abort();
    let err = rt.block_on(handle).unwrap_err();
    assert!(err.is_cancelled());
    assert!(!err.is_panic());
    assert_eq!(drops.drops(), 1, "the future's destructors ran");
    assert_eq!(rt.task_count(), 0);
}

#[test]
fn abort_before_the_first_poll_never_polls_the_future() {
    let drops = DropCounter::new();
    let guard = drops.guard();
    let (future, polls) = count_polls(Box::pin(async move {
        let _guard = guard;
    }));
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(future);
    handle.abort();
    assert!(rt.block_on(handle).unwrap_err().is_cancelled());
    assert_eq!(polls.get(), 0);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn a_task_may_abort_itself_and_stops_after_that_poll() {
    let slot: Rc<RefCell<Option<JoinHandle<()>>>> = Rc::default();
    let reached_end = Rc::new(RefCell::new(false));
    coop::block_on({
        let (slot, reached_end) = (slot.clone(), reached_end.clone());
        async move {
            let handle = coop::spawn({
                let (slot, reached_end) = (slot.clone(), reached_end.clone());
                async move {
                    slot.borrow().as_ref().unwrap().abort();
                    coop::yield_now().await;
                    *reached_end.borrow_mut() = true;
                }
            });
            *slot.borrow_mut() = Some(handle);
            sleep(Duration::from_millis(10)).await;
            let handle = slot.borrow_mut().take().unwrap();
            assert!(handle.await.unwrap_err().is_cancelled());
        }
    });
    assert!(!*reached_end.borrow());
}

#[test]
fn aborting_a_finished_task_keeps_its_output() {
    coop::block_on(async {
        let handle = coop::spawn(async { 5 });
        coop::yield_now().await;
        assert!(handle.is_finished());
        handle.abort();
        assert_eq!(handle.await.unwrap(), 5);
    });
}

#[test]
fn a_panicking_task_gives_a_panic_join_error_and_other_tasks_go_on() {
    let progress = Rc::new(RefCell::new(0));
    let (bad, good) = coop::block_on({
        let progress = progress.clone();
        async move {
            let good = coop::spawn({
                let progress = progress.clone();
                async move {
                    for _ in 0..3 {
                        *progress.borrow_mut() += 1;
                        sleep(Duration::from_millis(5)).await;
                    }
                    "survived"
                }
            });
            let bad = coop::spawn(async {
                sleep(Duration::from_millis(2)).await;
                panic!("boom in a task");
            });
            (bad.await, good.await)
        }
    });
    let err: JoinError = bad.unwrap_err();
    assert!(err.is_panic());
    assert!(!err.is_cancelled());
    assert!(err.to_string().contains("panicked"), "Display: {err}");
    let payload = err.into_panic();
    assert_eq!(support::message_of(payload.as_ref()), "boom in a task");
    assert_eq!(good.unwrap(), "survived");
    assert_eq!(*progress.borrow(), 3);
}

#[test]
fn a_cancelled_join_error_displays_as_cancelled() {
    let err = coop::block_on(async {
        let handle = coop::spawn(pending::<()>());
        handle.abort();
        handle.await.unwrap_err()
    });
    assert!(err.to_string().contains("cancelled"), "Display: {err}");
}

#[test]
fn join_handle_is_send_when_its_output_is() {
    fn assert_send<T: Send>() {}
    fn assert_sync<T: Sync>() {}
    assert_send::<JoinHandle<u32>>();
    assert_send::<JoinHandle<String>>();
    assert_sync::<JoinHandle<u32>>();
    assert_send::<JoinError>();
    assert_send::<coop::time::Sleep>();
    // (`JoinHandle<Rc<_>>` is not `Send`: see the compile_fail doc test on
    // `JoinHandle`.)
}

#[test]
fn a_join_handle_can_be_awaited_on_another_thread() {
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(async {
        sleep(Duration::from_millis(20)).await;
        String::from("from the loop")
    });
    let done = Arc::new(AtomicBool::new(false));
    let waiter = std::thread::spawn({
        let done = done.clone();
        move || {
            let out = support::block_on_thread(handle);
            done.store(true, Ordering::SeqCst);
            out
        }
    });
    rt.block_on(async {
        while !done.load(Ordering::SeqCst) {
            sleep(Duration::from_millis(1)).await;
        }
    });
    assert_eq!(waiter.join().unwrap().unwrap(), "from the loop");
}

#[test]
fn a_task_can_be_aborted_from_another_thread_while_the_loop_is_parked() {
    let drops = support::within(support::GENEROUS, || {
        let drops = DropCounter::new();
        let rt = Runtime::new().unwrap();
        let handle = rt.spawn(hold_forever(drops.guard()));
        let joined = Signal::new();
        let aborter = std::thread::spawn({
            let joined = joined.clone();
            move || {
                // Let the loop park (no timers, nothing runnable) first.
                std::thread::sleep(Duration::from_millis(50));
                handle.abort();
                let result = support::block_on_thread(handle);
                joined.notify();
                result
            }
        });
        // Parks with no timeout; only the remote abort can move things on.
        rt.block_on(joined.wait());
        let result = aborter.join().unwrap();
        assert!(result.unwrap_err().is_cancelled());
        drops.drops()
    });
    assert_eq!(drops, 1);
}

#[test]
fn only_the_latest_waker_of_a_join_handle_is_woken() {
    use std::task::Context;

    let rt = Runtime::new().unwrap();
    let mut handle = rt.spawn(sleep(Duration::from_millis(10)));
    let (first, first_waker) = support::CountingWaker::new();
    let (second, second_waker) = support::CountingWaker::new();
    // Polled from two places in turn (as a `select!` might), the handle
    // must forget the first waker when given the second.
    let mut poll_with = |waker| {
        std::pin::Pin::new(&mut handle)
            .poll(&mut Context::from_waker(waker))
            .is_pending()
    };
    assert!(poll_with(&first_waker));
    assert!(poll_with(&second_waker));
    assert!(poll_with(&second_waker), "same waker again: still pending");
    rt.block_on(async {
        sleep(Duration::from_millis(40)).await;
        // On a loaded machine both timers may fire in the same turn, and
        // this future is polled before the woken task runs: let it run.
        coop::yield_now().await;
    });
    assert_eq!(first.wakes(), 0, "the replaced waker is not woken");
    assert_eq!(second.wakes(), 1);
    assert!(handle.is_finished());
}

use std::future::Future as _;
