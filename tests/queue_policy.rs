//! `Builder::queue_policy`: FIFO by default, LIFO, and a seeded random
//! order that replays exactly. The last tests run order-independent
//! scenarios from `tests/scheduling.rs` and `tests/sync_*.rs` under many
//! seeds: what they assert must hold in every order.

mod support;

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use coop::{Builder, QueuePolicy, Runtime};

fn runtime(policy: QueuePolicy) -> Runtime {
    Builder::new().queue_policy(policy).build().unwrap()
}

/// The order in which `n` tasks spawned together, each yielding `yields`
/// times, take their steps: `(task, step)` pairs.
fn steps(policy: QueuePolicy, n: usize, yields: usize) -> Vec<(usize, usize)> {
    let rt = runtime(policy);
    let log = Rc::new(RefCell::new(Vec::new()));
    for task in 0..n {
        let log = log.clone();
        drop(rt.spawn(async move {
            for step in 0..=yields {
                log.borrow_mut().push((task, step));
                if step < yields {
                    coop::yield_now().await;
                }
            }
        }));
    }
    rt.run_until_stalled();
    assert_eq!(rt.task_count(), 0);
    let steps = log.borrow().clone();
    steps
}

#[test]
fn fifo_is_the_default_and_takes_turns_in_spawn_order() {
    let rt = Runtime::new().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    for task in 0..4 {
        let log = log.clone();
        drop(rt.spawn(async move { log.borrow_mut().push(task) }));
    }
    rt.run_until_stalled();
    assert_eq!(*log.borrow(), [0, 1, 2, 3]);
    let round_robin: Vec<_> = (0..3).flat_map(|s| (0..4).map(move |t| (t, s))).collect();
    assert_eq!(steps(QueuePolicy::Fifo, 4, 2), round_robin);
}

#[test]
fn lifo_runs_tasks_spawned_together_in_the_reverse_of_fifo() {
    let first = |policy| -> Vec<usize> {
        steps(policy, 6, 0)
            .into_iter()
            .map(|(task, _)| task)
            .collect()
    };
    let fifo = first(QueuePolicy::Fifo);
    let mut reversed = first(QueuePolicy::Lifo);
    reversed.reverse();
    assert_eq!(fifo, reversed);
    // A yielder runs again at once under LIFO: each task runs to its end.
    let lifo = steps(QueuePolicy::Lifo, 3, 2);
    assert_eq!(lifo[..3], [(2, 0), (2, 1), (2, 2)]);
}

#[test]
fn one_seed_replays_the_same_order_and_ten_seeds_give_more_than_one() {
    let mut orders = HashSet::new();
    for seed in 0..10 {
        let once = steps(QueuePolicy::Random { seed }, 6, 3);
        assert_eq!(
            once,
            steps(QueuePolicy::Random { seed }, 6, 3),
            "seed {seed}"
        );
        assert_eq!(once.len(), 24);
        // Each task's own steps stay in order, whatever the interleaving.
        for task in 0..6 {
            let mine: Vec<_> = once
                .iter()
                .filter(|(t, _)| *t == task)
                .map(|(_, s)| *s)
                .collect();
            assert_eq!(mine, [0, 1, 2, 3], "seed {seed}");
        }
        orders.insert(once);
    }
    assert!(orders.len() > 1, "ten seeds gave one order");
}

/// Runs `scenario` on a runtime of each seed in `0..SEEDS`; a failure
/// names the seed that replays it.
fn shake(scenario: impl Fn(&Runtime)) {
    const SEEDS: u64 = 64;
    for seed in 0..SEEDS {
        let rt = runtime(QueuePolicy::Random { seed });
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scenario(&rt)));
        if let Err(panic) = result {
            eprintln!("failed with QueuePolicy::Random {{ seed: {seed} }}");
            std::panic::resume_unwind(panic);
        }
    }
}

/// Sleepers all wake, none before its deadline. (Their *order* is not
/// shaken-safe: two timers that fire in the same turn queue both tasks at
/// once, and the policy picks which runs first. Shaking found that:
/// `tests/scheduling.rs` asserts deadline order under FIFO only.)
#[test]
fn shaken_sleepers_all_wake_and_none_early() {
    shake(|rt| {
        let log = Rc::new(RefCell::new(Vec::new()));
        rt.block_on(async {
            let start = coop::time::now();
            let handles: Vec<_> = [30u64, 10, 20]
                .into_iter()
                .map(|ms| {
                    let log = log.clone();
                    coop::spawn(async move {
                        coop::time::sleep(Duration::from_millis(ms)).await;
                        let slept = coop::time::now() - start;
                        assert!(slept >= Duration::from_millis(ms), "{ms} ms took {slept:?}");
                        log.borrow_mut().push(ms);
                    })
                })
                .collect();
            for handle in handles {
                handle.await.unwrap();
            }
        });
        let mut woke = log.borrow().clone();
        woke.sort_unstable();
        assert_eq!(woke, [10, 20, 30]);
    });
}

#[test]
fn shaken_many_tasks_are_all_joined_with_the_right_sum() {
    shake(|rt| {
        let sum = rt.block_on(async {
            let handles: Vec<_> = (0..200u64)
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
        assert_eq!(sum, 199 * 200 / 2);
        assert_eq!(rt.task_count(), 0);
    });
}

#[test]
fn shaken_a_waiting_task_is_polled_once_per_wake() {
    shake(|rt| {
        let (tx, rx) = coop::sync::oneshot::channel::<()>();
        let (counted, polls) = support::count_polls(rx);
        let handle = rt.spawn(counted);
        rt.run_until_stalled();
        assert_eq!(polls.get(), 1);
        tx.send(()).unwrap();
        rt.block_on(handle).unwrap().unwrap();
        assert_eq!(polls.get(), 2);
    });
}

#[test]
fn shaken_mpsc_and_mutex_deliver_everything_once() {
    shake(|rt| {
        let total = rt.block_on(async {
            let (tx, mut rx) = coop::sync::mpsc::channel::<u32>(4);
            let lock = Rc::new(coop::sync::Mutex::new(0u32));
            for p in 0..4u32 {
                let tx = tx.clone();
                let lock = lock.clone();
                drop(coop::spawn(async move {
                    for i in 0..25 {
                        *lock.lock().await += 1;
                        tx.send(p * 100 + i).await.unwrap();
                        coop::yield_now().await;
                    }
                }));
            }
            drop(tx);
            let mut seen = HashSet::new();
            while let Some(v) = rx.recv().await {
                assert!(seen.insert(v), "{v} twice");
            }
            assert_eq!(*lock.lock().await, 100);
            seen.len()
        });
        assert_eq!(total, 100);
    });
}

#[test]
fn shaken_block_on_is_not_starved_by_a_yielding_task() {
    shake(|rt| {
        let stop = Rc::new(Cell::new(false));
        let spinner = rt.spawn({
            let stop = stop.clone();
            async move {
                while !stop.get() {
                    coop::yield_now().await;
                }
            }
        });
        rt.block_on(async {
            coop::yield_now().await;
            stop.set(true);
        });
        rt.block_on(spinner).unwrap();
    });
}
