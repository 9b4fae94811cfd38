//! How the loop schedules tasks: interleaving at `.await` points, FIFO
//! turns, one queue entry per wake, many tasks, and calling `block_on` again.

mod support;

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use coop::time::sleep;
use coop::Runtime;
use support::count_polls;

type Log = Rc<RefCell<Vec<String>>>;

fn log() -> Log {
    Rc::new(RefCell::new(Vec::new()))
}

#[test]
fn interleaved_sleeps_end_in_deadline_order_after_all_have_started() {
    let events = log();
    // A paused clock: the same order on every run, in no wall time.
    let took = support::paused().block_on({
        let events = events.clone();
        async move {
            let started = coop::time::now();
            let mut handles = Vec::new();
            for (name, ms) in [("a", 300u64), ("b", 100), ("c", 200)] {
                let events = events.clone();
                handles.push(coop::spawn(async move {
                    events.borrow_mut().push(format!("{name} start"));
                    sleep(Duration::from_millis(ms)).await;
                    events.borrow_mut().push(format!("{name} end"));
                }));
            }
            for handle in handles {
                handle.await.unwrap();
            }
            coop::time::now() - started
        }
    });
    // Every task started before any finished: they waited together.
    assert_eq!(
        *events.borrow(),
        ["a start", "b start", "c start", "b end", "c end", "a end"]
    );
    // The run took the longest wait, not the sum of the three.
    assert_eq!(took, Duration::from_millis(300));
}

#[test]
fn runnable_tasks_take_turns_in_spawn_order() {
    let events = log();
    coop::block_on({
        let events = events.clone();
        async move {
            let handles: Vec<_> = ["x", "y", "z"]
                .into_iter()
                .map(|name| {
                    let events = events.clone();
                    coop::spawn(async move {
                        for round in 0..3 {
                            events.borrow_mut().push(format!("{name}{round}"));
                            coop::yield_now().await;
                        }
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        }
    });
    assert_eq!(
        *events.borrow(),
        ["x0", "y0", "z0", "x1", "y1", "z1", "x2", "y2", "z2"]
    );
}

#[test]
fn a_task_woken_twice_before_it_runs_is_polled_once() {
    let stash: Rc<RefCell<Option<Waker>>> = Rc::default();
    let (task, polls) = count_polls({
        let stash = stash.clone();
        let mut first = true;
        poll_fn(move |cx| {
            if first {
                first = false;
                *stash.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        })
    });
    let rt = Runtime::new().unwrap();
    let handle = rt.spawn(task);
    rt.block_on(coop::yield_now());
    assert_eq!(polls.get(), 1, "the task ran once and parked its waker");

    let waker = stash.borrow_mut().take().unwrap();
    waker.wake_by_ref();
    waker.wake_by_ref();
    waker.wake();
    rt.block_on(handle).unwrap();
    assert_eq!(polls.get(), 2, "three wakes, one queue entry, one poll");
}

#[test]
fn a_hundred_thousand_tasks_are_spawned_and_joined() {
    const TASKS: u64 = 100_000;
    let rt = Runtime::new().unwrap();
    let sum = rt.block_on(async {
        let handles: Vec<_> = (0..TASKS)
            .map(|i| {
                coop::spawn(async move {
                    coop::yield_now().await;
                    i
                })
            })
            .collect();
        let mut sum = 0;
        for handle in handles {
            sum += handle.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, TASKS * (TASKS - 1) / 2);
    assert_eq!(rt.task_count(), 0, "every finished task left the task list");
}

#[test]
fn block_on_can_be_called_again_and_unfinished_tasks_carry_over() {
    let rt = Runtime::new().unwrap();
    assert_eq!(rt.block_on(async { 1 }), 1);

    // A task spawned in one block_on that outlives it keeps its place...
    let mut slow = None;
    rt.block_on(async {
        slow = Some(coop::spawn(sleep(Duration::from_millis(20))));
        coop::yield_now().await; // it starts, then waits on its timer
    });
    assert_eq!(rt.task_count(), 1);
    // ...and finishes during the next one.
    rt.block_on(slow.unwrap()).unwrap();
    assert_eq!(rt.task_count(), 0);

    assert_eq!(
        rt.block_on(async { coop::spawn(async { 3 }).await })
            .unwrap(),
        3
    );
}

#[test]
fn tasks_spawned_with_runtime_spawn_wait_for_the_next_block_on() {
    let rt = Runtime::new().unwrap();
    let (task, polls) = count_polls(Box::pin(async { "ran" }));
    let handle = rt.spawn(task);
    assert_eq!(polls.get(), 0, "nothing runs outside block_on");
    assert!(!handle.is_finished());
    assert_eq!(rt.block_on(handle).unwrap(), "ran");
    assert_eq!(polls.get(), 1);
}

#[test]
fn the_block_on_future_is_not_starved_by_a_task_that_keeps_yielding() {
    let out = support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let _spinner = rt.spawn(async {
            loop {
                coop::yield_now().await;
            }
        });
        rt.block_on(async {
            sleep(Duration::from_millis(10)).await;
            "main finished"
        })
    });
    assert_eq!(out, "main finished");
}
