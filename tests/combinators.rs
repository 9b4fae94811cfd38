//! The `futures-util` combinators coop re-exports, on coop: `join!` runs
//! its futures concurrently, `try_join!` and `select!` drop (cancel) the
//! futures they leave behind, `select_biased!` keeps its order, and the
//! `FutureExt` / `StreamExt` adapters work on coop's futures.

mod support;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use coop::future::FutureExt;
use coop::stream::StreamExt;
use support::{hold_forever, within, DropCounter, GENEROUS};

/// Yields until `gate` is set.
async fn wait_for(gate: &Cell<bool>) {
    while !gate.get() {
        coop::yield_now().await;
    }
}

#[test]
fn join_runs_its_futures_concurrently_so_one_can_wait_for_the_other() {
    let log = within(GENEROUS, || {
        coop::block_on(async {
            let gate = Cell::new(false);
            let log = RefCell::new(Vec::new());
            // Run one after the other, the first would wait forever.
            let ((), ()) = coop::join!(
                async {
                    log.borrow_mut().push("a waits");
                    wait_for(&gate).await;
                    log.borrow_mut().push("a done");
                },
                async {
                    log.borrow_mut().push("b opens");
                    coop::yield_now().await;
                    gate.set(true);
                    log.borrow_mut().push("b done");
                },
            );
            log.into_inner()
        })
    });
    assert_eq!(log, ["a waits", "b opens", "b done", "a done"]);
}

#[test]
fn join_of_spawned_tasks_gives_every_output() {
    let (a, b, c) = within(GENEROUS, || {
        coop::block_on(async {
            let (a, b, c) = coop::join!(
                coop::spawn(async { 1 }),
                coop::spawn_blocking(|| 2),
                coop::spawn(async {
                    coop::time::sleep(Duration::from_millis(2)).await;
                    3
                }),
            );
            (a.unwrap(), b.unwrap(), c.unwrap())
        })
    });
    assert_eq!((a, b, c), (1, 2, 3));
}

#[test]
fn try_join_returns_the_first_error_and_drops_the_other_futures() {
    let result = within(GENEROUS, || {
        let drops = DropCounter::new();
        coop::block_on(async move {
            let out: Result<((), ()), &str> = coop::try_join!(
                async {
                    hold_forever(drops.guard()).await;
                    Ok(())
                },
                async {
                    coop::yield_now().await;
                    Err("second failed")
                },
            );
            (out, drops.drops())
        })
    });
    assert_eq!(result, (Err("second failed"), 1));
}

#[test]
fn select_drops_the_losers_when_it_returns() {
    let (winner, dropped_right_after) = within(GENEROUS, || {
        let drops = DropCounter::new();
        coop::block_on(async move {
            let timer = coop::time::sleep(Duration::from_secs(3600)).fuse();
            coop::pin_mut!(timer);
            // The loser given as an expression is owned by the select! and
            // must be dropped by it, here, before the next statement.
            let winner = coop::select! {
                () = hold_forever(drops.guard()).fuse() => "slow",
                () = timer => "timer",
                quick = async { coop::yield_now().await; "quick" }.fuse() => quick,
            };
            (winner, drops.drops())
        })
    });
    assert_eq!(winner, "quick");
    assert_eq!(dropped_right_after, 1, "the loser's destructor ran");
}

#[test]
fn select_between_a_task_and_a_timeout_takes_whichever_is_first() {
    within(GENEROUS, || {
        // A paused clock: the 1 ms timer beats the 50 ms task every run.
        support::paused().block_on(async {
            let quick = coop::spawn(async { "task" }).fuse();
            coop::pin_mut!(quick);
            let first = coop::select! {
                out = quick => out.unwrap(),
                () = coop::time::sleep(Duration::from_secs(3600)).fuse() => "timeout",
            };
            assert_eq!(first, "task");

            // A task that never finishes loses to a short timer; dropping
            // its JoinHandle detaches it (it is not aborted).
            let finished = Rc::new(Cell::new(false));
            let done = finished.clone();
            let stuck = coop::spawn(async move {
                coop::time::sleep(Duration::from_millis(50)).await;
                done.set(true);
            })
            .fuse();
            coop::pin_mut!(stuck);
            let first = coop::select! {
                _ = stuck => "task",
                () = coop::time::sleep(Duration::from_millis(1)).fuse() => "timeout",
            };
            assert_eq!(first, "timeout");
            coop::time::sleep(Duration::from_millis(100)).await;
            assert!(finished.get(), "the detached task ran on");
        });
    });
}

#[test]
fn select_biased_tries_branches_in_the_order_written() {
    let picks: Vec<&str> = coop::block_on(async {
        let mut picks = Vec::new();
        for _ in 0..20 {
            picks.push(coop::select_biased! {
                a = async { "a" }.fuse() => a,
                b = async { "b" }.fuse() => b,
            });
        }
        picks
    });
    assert!(picks.iter().all(|p| *p == "a"), "{picks:?}");
}

#[test]
fn select_in_a_loop_sees_every_fused_future_finish_then_complete() {
    let seen = within(GENEROUS, || {
        coop::block_on(async {
            let a = coop::spawn(async { 1 }).fuse();
            let b = coop::time::sleep(Duration::from_millis(2)).fuse();
            coop::pin_mut!(a, b);
            let mut seen = Vec::new();
            loop {
                coop::select! {
                    n = a => seen.push(format!("task {}", n.unwrap())),
                    () = b => seen.push("timer".to_string()),
                    complete => break,
                }
            }
            seen
        })
    });
    assert_eq!(seen, ["task 1", "timer"]);
}

#[test]
fn stream_and_future_adapters_work_on_coop_futures() {
    let out = within(GENEROUS, || {
        coop::block_on(async {
            let doubled: Vec<u64> = futures_util::stream::iter(1..=4u64)
                .then(|n| async move {
                    coop::time::sleep(Duration::from_millis(n)).await;
                    n * 2
                })
                .filter(|n| std::future::ready(*n != 4))
                .collect()
                .await;
            let mapped = coop::spawn(async { 20 })
                .map(|out| out.unwrap() + 1)
                .boxed_local()
                .await;
            (doubled, mapped)
        })
    });
    assert_eq!(out, (vec![2, 6, 8], 21));
}
