//! `JoinSet`: outputs in completion order, abort on drop (every destructor
//! runs), panics as errors that leave the other tasks running, `shutdown`
//! waiting for the aborted tasks, and the empty set.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coop::task::JoinSet;
use support::{hold_forever, within, DropCounter, GENEROUS};

/// A task body that yields `n` times and returns `n`: with the FIFO run
/// queue, fewer yields means finishing sooner.
async fn after_yields(n: usize) -> usize {
    for _ in 0..n {
        coop::yield_now().await;
    }
    n
}

#[test]
fn join_next_returns_outputs_in_completion_order_not_spawn_order() {
    let order = within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            for n in [5, 0, 3, 1, 4] {
                set.spawn(after_yields(n));
            }
            let mut order = Vec::new();
            while let Some(out) = set.join_next().await {
                order.push(out.unwrap());
            }
            order
        })
    });
    assert_eq!(order, [0, 1, 3, 4, 5]);
}

#[test]
fn many_tasks_finishing_in_reverse_spawn_order_come_back_reversed() {
    const TASKS: usize = 200;
    let order = within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            for i in 0..TASKS {
                set.spawn(async move { after_yields(TASKS - i).await });
            }
            let mut order = Vec::new();
            while let Some(out) = set.join_next().await {
                order.push(out.unwrap());
            }
            order
        })
    });
    assert_eq!(order, (1..=TASKS).collect::<Vec<_>>());
}

#[test]
fn timers_finish_in_deadline_order() {
    let order = within(GENEROUS, || {
        // A paused clock: deadline order every run, in no wall time.
        support::paused().block_on(async {
            let mut set = JoinSet::new();
            for ms in [60u64, 5, 30] {
                set.spawn(async move {
                    coop::time::sleep(Duration::from_millis(ms)).await;
                    ms
                });
            }
            let mut order = Vec::new();
            while let Some(out) = set.join_next().await {
                order.push(out.unwrap());
            }
            order
        })
    });
    assert_eq!(order, [5, 30, 60]);
}

#[test]
fn dropping_the_set_aborts_every_task_and_runs_every_destructor() {
    let rt = coop::Runtime::new().unwrap();
    let drops = DropCounter::new();
    rt.block_on(async {
        let mut set = JoinSet::new();
        for _ in 0..4 {
            set.spawn(hold_forever(drops.guard()));
        }
        // Let them start, so they are waiting, not just queued.
        coop::yield_now().await;
        // One more that never gets to run before the set goes.
        set.spawn(hold_forever(drops.guard()));
        assert_eq!(drops.drops(), 0);
        drop(set);
        // The aborts take effect on the loop's next turn.
        coop::yield_now().await;
        coop::yield_now().await;
        assert_eq!(drops.drops(), 5);
    });
    assert_eq!(drops.drops(), 5);
}

#[test]
fn a_panicking_task_becomes_a_join_error_and_the_others_finish() {
    let (ok, panics) = within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { after_yields(2).await });
            set.spawn(async {
                coop::yield_now().await;
                panic!("task in a set panics");
            });
            set.spawn(async { after_yields(4).await });
            let (mut ok, mut panics) = (Vec::new(), Vec::new());
            while let Some(out) = set.join_next().await {
                match out {
                    Ok(n) => ok.push(n),
                    Err(e) => {
                        assert!(e.is_panic(), "{e}");
                        panics.push(e.to_string());
                    }
                }
            }
            (ok, panics)
        })
    });
    assert_eq!(ok, [2, 4]);
    assert_eq!(panics.len(), 1);
    assert!(panics[0].contains("task in a set panics"), "{panics:?}");
}

#[test]
fn shutdown_returns_only_after_every_aborted_task_is_dropped() {
    let drops = DropCounter::new();
    let drops_in = drops.clone();
    let rt = coop::Runtime::new().unwrap();
    rt.block_on(async move {
        let mut set = JoinSet::new();
        for _ in 0..3 {
            set.spawn(hold_forever(drops_in.guard()));
        }
        // A task that finished but was never joined is returned too.
        set.spawn(async {});
        coop::yield_now().await;
        set.shutdown().await;
        // No yield in between: shutdown itself waited for the drops.
        assert_eq!(drops_in.drops(), 3);
        assert!(set.is_empty());
        assert_eq!(set.len(), 0);
    });
    assert_eq!(drops.drops(), 3);
}

#[test]
fn abort_all_leaves_the_tasks_in_the_set_as_cancelled_errors() {
    let results = within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            for _ in 0..3 {
                set.spawn(std::future::pending::<()>());
            }
            set.abort_all();
            assert_eq!(set.len(), 3);
            let mut cancelled = 0;
            while let Some(out) = set.join_next().await {
                assert!(out.unwrap_err().is_cancelled());
                cancelled += 1;
            }
            cancelled
        })
    });
    assert_eq!(results, 3);
}

#[test]
fn join_next_on_an_empty_set_is_none_at_once() {
    coop::block_on(async {
        let mut set: JoinSet<()> = JoinSet::new();
        assert!(set.join_next().await.is_none());
        assert!(set.try_join_next().is_none());
        set.spawn(async {});
        assert!(set.join_next().await.unwrap().is_ok());
        // Drained: None again, and still usable.
        assert!(set.join_next().await.is_none());
        set.spawn(async {});
        assert_eq!(set.len(), 1);
        assert!(set.join_next().await.is_some());
    });
    // Needs no runtime to make, to look at, or to drop empty.
    let set: JoinSet<u8> = JoinSet::default();
    assert!(set.is_empty());
    assert_eq!(format!("{set:?}"), "JoinSet { len: 0 }");
}

#[test]
fn try_join_next_gives_finished_tasks_without_waiting() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            let gate = spawn_gated(&mut set, "gated");
            set.spawn(async { "at once" });
            assert!(set.try_join_next().is_none(), "nothing has run yet");
            coop::yield_now().await;
            assert_eq!(set.try_join_next().unwrap().unwrap(), "at once");
            assert!(set.try_join_next().is_none(), "the other is still waiting");
            gate.set(true);
            while set.len() == 1 {
                if let Some(out) = set.try_join_next() {
                    assert_eq!(out.unwrap(), "gated");
                    break;
                }
                coop::yield_now().await;
            }
            assert!(set.try_join_next().is_none());
        });
    });
}

/// Spawns into `set` a task that yields until the returned gate is opened
/// (set to `true`), then returns `value`.
fn spawn_gated<T: 'static>(set: &mut JoinSet<T>, value: T) -> Rc<Cell<bool>> {
    let gate = Rc::new(Cell::new(false));
    let open = gate.clone();
    set.spawn(async move {
        while !open.get() {
            coop::yield_now().await;
        }
        value
    });
    gate
}

#[test]
fn a_join_next_dropped_while_waiting_loses_no_output() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            let gate = spawn_gated(&mut set, "kept");
            {
                let next = set.join_next();
                futures_util::pin_mut!(next);
                assert!(futures_util::poll!(next.as_mut()).is_pending());
            } // dropped while waiting
            gate.set(true);
            assert_eq!(set.join_next().await.unwrap().unwrap(), "kept");
        });
    });
}

#[test]
fn blocking_jobs_in_a_set_wake_join_next_from_their_pool_threads() {
    let mut sums = within(GENEROUS, || {
        coop::block_on(async {
            let mut set = JoinSet::new();
            for n in 0..8u64 {
                set.spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(n * 3));
                    n
                });
            }
            let mut out = Vec::new();
            while let Some(n) = set.join_next().await {
                out.push(n.unwrap());
            }
            out
        })
    });
    sums.sort();
    assert_eq!(sums, (0..8).collect::<Vec<_>>());
}

#[test]
fn a_set_of_send_outputs_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let set: JoinSet<u32> = JoinSet::new();
    assert_send(&set);
}
