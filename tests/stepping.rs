//! Stepping the loop by hand: `Runtime::turn` runs exactly one step,
//! `Runtime::run_until_stalled` turns until nothing is left to do now.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use coop::{Runtime, Turn};

/// A task body that counts its polls in `polls` and yields `yields` times.
async fn counted(polls: Rc<Cell<u32>>, yields: u32) {
    for _ in 0..yields {
        polls.set(polls.get() + 1);
        coop::yield_now().await;
    }
    polls.set(polls.get() + 1);
}

#[test]
fn spawn_does_not_poll_and_one_turn_polls_exactly_one_task_once() {
    let rt = Runtime::new().unwrap();
    let polls: Vec<Rc<Cell<u32>>> = (0..3).map(|_| Rc::default()).collect();
    let handles: Vec<_> = polls
        .iter()
        .map(|p| rt.spawn(counted(p.clone(), 2)))
        .collect();
    let counts = || polls.iter().map(|p| p.get()).collect::<Vec<_>>();
    assert_eq!(counts(), [0, 0, 0], "spawn polls nothing");

    assert_eq!(
        rt.turn(),
        Turn::Polled {
            task: handles[0].id(),
            ready: false
        }
    );
    assert_eq!(counts(), [1, 0, 0]);
    rt.turn();
    assert_eq!(counts(), [1, 1, 0]);
    rt.turn();
    assert_eq!(counts(), [1, 1, 1]);
    rt.turn();
    assert_eq!(
        counts(),
        [2, 1, 1],
        "FIFO: the first yielder comes round again"
    );
    // Two more rounds of three; the last one finishes each task.
    let mut turns = Vec::new();
    for _ in 0..5 {
        turns.push(rt.turn());
    }
    assert_eq!(counts(), [3, 3, 3]);
    assert_eq!(
        turns[2..],
        [
            Turn::Polled {
                task: handles[0].id(),
                ready: true
            },
            Turn::Polled {
                task: handles[1].id(),
                ready: true
            },
            Turn::Polled {
                task: handles[2].id(),
                ready: true
            },
        ]
    );
    assert_eq!(rt.turn(), Turn::Idle);
    assert!(handles.iter().all(|h| h.is_finished()));
}

#[test]
fn an_empty_runtime_turns_idle() {
    let rt = Runtime::new().unwrap();
    assert_eq!(rt.turn(), Turn::Idle);
    rt.run_until_stalled();
}

#[test]
fn run_until_stalled_returns_without_waiting_for_a_timer() {
    support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let polls = Rc::new(Cell::new(0));
        let quick = rt.spawn(counted(polls.clone(), 5));
        let slow = rt.spawn(coop::time::sleep(Duration::from_secs(3600)));
        let started = Instant::now();
        rt.run_until_stalled();
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(quick.is_finished());
        assert_eq!(polls.get(), 6);
        assert!(!slow.is_finished());
        assert_eq!(rt.turn(), Turn::Idle);
    });
}

#[test]
fn a_due_timer_turns_as_parked_and_its_task_runs_next() {
    let rt = Runtime::new().unwrap();
    let sleeper = rt.spawn(coop::time::sleep(Duration::from_millis(5)));
    assert!(matches!(rt.turn(), Turn::Polled { ready: false, .. }));
    std::thread::sleep(Duration::from_millis(20));
    assert_eq!(
        rt.turn(),
        Turn::Parked {
            events: 0,
            timers_fired: 1
        }
    );
    assert_eq!(
        rt.turn(),
        Turn::Polled {
            task: sleeper.id(),
            ready: true
        }
    );
    assert_eq!(rt.turn(), Turn::Idle);
}

#[test]
fn a_wake_from_another_thread_is_seen_by_the_next_turn() {
    let rt = Runtime::new().unwrap();
    let (tx, rx) = coop::sync::oneshot::channel::<u8>();
    let waiter = rt.spawn(async move { rx.await.unwrap() });
    rt.run_until_stalled();
    assert!(!waiter.is_finished());
    std::thread::spawn(move || tx.send(7).unwrap())
        .join()
        .unwrap();
    assert_eq!(
        rt.turn(),
        Turn::Polled {
            task: waiter.id(),
            ready: true
        }
    );
    assert_eq!(rt.block_on(waiter).unwrap(), 7);
}

#[test]
fn tasks_left_by_turning_finish_in_a_later_block_on() {
    let rt = Runtime::new().unwrap();
    let polls = Rc::new(Cell::new(0));
    let handle = rt.spawn(counted(polls.clone(), 3));
    rt.turn();
    assert_eq!(rt.block_on(handle).map(|()| polls.get()).unwrap(), 4);
}

#[test]
fn turning_inside_the_loop_panics_like_a_nested_block_on() {
    let rt = Rc::new(Runtime::new().unwrap());
    let inner = rt.clone();
    let message = support::panic_message(|| {
        rt.block_on(async move {
            inner.turn();
        })
    });
    assert!(
        message.contains("Cannot call `block_on` from inside"),
        "{message}"
    );
}
