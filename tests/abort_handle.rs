//! `AbortHandle`: cancelling a task without holding its `JoinHandle`, from
//! the loop, from another thread, after the task is done, and after the
//! `JoinHandle`, the task and the runtime are gone; and the handles that
//! `JoinSet::spawn` / `spawn_blocking` return.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::Duration;

use coop::task::{AbortHandle, JoinSet};
use coop::Runtime;
use support::{count_polls, hold_forever, DropCounter, Signal};

#[test]
fn abort_handle_is_send_sync_and_clone_even_for_a_non_send_output() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<AbortHandle>();
    coop::block_on(async {
        let task = coop::spawn(async { Rc::new(1) }); // `!Send` output
        let abort = task.abort_handle();
        std::thread::spawn(move || drop(abort)).join().unwrap();
        assert_eq!(*task.await.unwrap(), 1);
    });
}

#[test]
fn abort_through_the_handle_on_the_same_loop_drops_the_future_once() {
    let drops = DropCounter::new();
    coop::block_on({
        let drops = drops.clone();
        async move {
            let task = coop::spawn(hold_forever(drops.guard()));
            coop::yield_now().await; // let it start waiting
            let abort = task.abort_handle();
            assert!(!abort.is_finished());
            abort.abort();
            abort.abort(); // twice: still one cancellation
            abort.clone().abort();
            let err = task.await.unwrap_err();
            assert!(err.is_cancelled());
            assert_eq!(err.id(), abort.id());
            assert!(abort.is_finished());
        }
    });
    assert_eq!(drops.drops(), 1);
}

#[test]
fn abort_before_the_first_poll_never_polls_the_future() {
    let drops = DropCounter::new();
    let (body, polls) = count_polls(Box::pin(hold_forever(drops.guard())));
    coop::block_on(async move {
        let task = coop::spawn(body);
        task.abort_handle().abort();
        assert!(task.await.unwrap_err().is_cancelled());
    });
    assert_eq!(polls.get(), 0);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn abort_from_another_thread_wakes_the_parked_loop() {
    let drops = support::within(support::GENEROUS, || {
        let drops = DropCounter::new();
        let rt = Runtime::new().unwrap();
        let task = rt.spawn(hold_forever(drops.guard()));
        let abort = task.abort_handle();
        let aborter = std::thread::spawn(move || {
            // Let the loop park (no timers, nothing runnable) first.
            std::thread::sleep(Duration::from_millis(50));
            abort.abort();
            abort
        });
        // The loop parks with no timeout; only the remote abort moves it on.
        let err = rt.block_on(task).unwrap_err();
        assert!(err.is_cancelled());
        let abort = aborter.join().unwrap();
        assert!(abort.is_finished());
        drops.drops()
    });
    assert_eq!(drops, 1);
}

#[test]
fn aborts_from_many_threads_at_once_cancel_the_task_once() {
    let drops = support::within(support::GENEROUS, || {
        let drops = DropCounter::new();
        let rt = Runtime::new().unwrap();
        let task = rt.spawn(hold_forever(drops.guard()));
        let start = Arc::new(Barrier::new(4));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (abort, start) = (task.abort_handle(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    abort.abort();
                })
            })
            .collect();
        let err = rt.block_on(task).unwrap_err();
        assert!(err.is_cancelled());
        for t in threads {
            t.join().unwrap();
        }
        drops.drops()
    });
    assert_eq!(drops, 1);
}

#[test]
fn abort_after_completion_does_nothing_and_keeps_the_output() {
    coop::block_on(async {
        let task = coop::spawn(async { "kept" });
        let abort = task.abort_handle();
        coop::yield_now().await; // the task runs and finishes
        assert!(abort.is_finished());
        abort.abort();
        assert_eq!(task.await.unwrap(), "kept");
        abort.abort(); // after the output was taken: still nothing
        assert!(abort.is_finished());
    });
}

#[test]
fn a_task_may_abort_itself_through_its_handle_and_stops_after_that_poll() {
    let reached_end = Rc::new(Cell::new(false));
    coop::block_on({
        let reached_end = reached_end.clone();
        async move {
            let (tx, rx) = coop::sync::oneshot::channel::<AbortHandle>();
            let task = coop::spawn(async move {
                let me = rx.await.unwrap();
                me.abort(); // while RUNNING: takes effect after this poll
                coop::yield_now().await;
                reached_end.set(true);
            });
            tx.send(task.abort_handle()).unwrap();
            assert!(task.await.unwrap_err().is_cancelled());
        }
    });
    assert!(!reached_end.get());
}

#[test]
fn an_abort_handle_cancels_a_detached_task_whose_join_handle_is_gone() {
    let drops = DropCounter::new();
    coop::block_on({
        let drops = drops.clone();
        async move {
            let abort = coop::spawn(hold_forever(drops.guard())).abort_handle(); // JoinHandle dropped
            coop::yield_now().await;
            assert_eq!(drops.drops(), 0, "a detached task keeps running");
            abort.abort();
            coop::yield_now().await; // the loop drops the future
            assert_eq!(drops.drops(), 1);
            assert!(abort.is_finished());
        }
    });
    assert_eq!(drops.drops(), 1);
}

#[test]
fn an_abort_handle_outlives_the_join_handle_the_task_and_the_runtime() {
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    let (finished, stuck, finished_id) = rt.block_on({
        let drops = drops.clone();
        async move {
            let finished = coop::spawn(async { 5 });
            let finished_abort = finished.abort_handle();
            let id = finished.id();
            assert_eq!(finished.await.unwrap(), 5); // JoinHandle consumed
            let stuck = coop::spawn(hold_forever(drops.guard())).abort_handle();
            coop::yield_now().await;
            (finished_abort, stuck, id)
        }
    });
    assert_eq!(finished.id(), finished_id);
    assert!(finished.is_finished());
    assert!(!stuck.is_finished());
    drop(rt); // shutdown cancels the stuck task
    assert_eq!(drops.drops(), 1);
    assert!(stuck.is_finished());
    // No runtime any more: aborting is a safe no-op, and the last
    // references go with the handles (a thread for one of them).
    stuck.abort();
    finished.abort();
    std::thread::spawn(move || drop(stuck)).join().unwrap();
    drop(finished);
}

#[test]
fn join_set_spawn_returns_a_handle_that_cancels_only_its_own_task() {
    let drops = DropCounter::new();
    let results = coop::block_on({
        let drops = drops.clone();
        async move {
            let mut set = JoinSet::new();
            let first = set.spawn({
                let guard = drops.guard();
                async move {
                    hold_forever(guard).await;
                    "first"
                }
            });
            let second = set.spawn(async { "second" });
            assert_ne!(first.id(), second.id());
            first.abort();
            assert_eq!(
                set.len(),
                2,
                "an aborted task stays in the set until joined"
            );
            let mut results = Vec::new();
            while let Some(result) = set.join_next().await {
                results.push(result.map_err(|e| (e.is_cancelled(), e.id() == first.id())));
            }
            assert!(first.is_finished() && second.is_finished());
            results
        }
    });
    assert_eq!(drops.drops(), 1);
    assert_eq!(results.len(), 2);
    assert!(results.contains(&Ok("second")));
    assert!(results.contains(&Err((true, true))));
}

#[test]
fn join_set_spawn_blocking_returns_a_handle_that_cancels_a_job_not_yet_started() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::builder().max_blocking_threads(1).build().unwrap();
        rt.block_on(async {
            let mut set = JoinSet::new();
            let release = Signal::new();
            let started = Signal::new();
            let ran_second = Arc::new(AtomicBool::new(false));
            // The only pool thread is busy with the first job, so the second
            // waits in the queue, where an abort can still cancel it.
            set.spawn_blocking({
                let (release, started) = (release.clone(), started.clone());
                move || {
                    started.notify();
                    support::block_on_thread(release.wait());
                    "first"
                }
            });
            started.wait().await;
            let second = set.spawn_blocking({
                let ran = ran_second.clone();
                move || {
                    ran.store(true, Ordering::SeqCst);
                    "second"
                }
            });
            second.abort();
            release.notify();
            let mut outs = Vec::new();
            while let Some(result) = set.join_next().await {
                outs.push(result.map_err(|e| e.is_cancelled()));
            }
            outs.sort();
            assert_eq!(outs, [Ok("first"), Err(true)]);
            assert!(!ran_second.load(Ordering::SeqCst), "a cancelled job ran");
        });
    });
}
