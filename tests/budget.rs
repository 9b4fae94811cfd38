//! The cooperative budget: a task that keeps finding its resources ready is
//! made to yield, so it cannot starve timers or other tasks.

mod support;

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coop::time::sleep;
use coop::Runtime;
use support::count_polls;

/// Awaits an already-expired timer over and over until `stop` is set. Each
/// `sleep(ZERO)` is ready at once, so without a budget this task would
/// never give the loop back.
async fn spin_on_ready_timers(stop: Rc<Cell<bool>>) -> u64 {
    let mut spins = 0;
    while !stop.get() {
        sleep(Duration::ZERO).await;
        spins += 1;
    }
    spins
}

#[test]
fn a_task_spinning_on_ready_timers_does_not_starve_a_timer() {
    let spins = support::within(support::GENEROUS, || {
        coop::block_on(async {
            let stop = Rc::new(Cell::new(false));
            let spinner = coop::spawn(spin_on_ready_timers(stop.clone()));
            coop::spawn(async move {
                sleep(Duration::from_millis(20)).await;
                stop.set(true);
            })
            .await
            .unwrap();
            spinner.await.unwrap()
        })
    });
    assert!(spins > 0);
}

#[test]
fn a_task_spinning_on_ready_timers_does_not_starve_another_task() {
    let spins = support::within(support::GENEROUS, || {
        coop::block_on(async {
            let stop = Rc::new(Cell::new(false));
            let spinner = coop::spawn(spin_on_ready_timers(stop.clone()));
            let stopper = coop::spawn(async move { stop.set(true) });
            let spins = spinner.await.unwrap();
            stopper.await.unwrap();
            spins
        })
    });
    assert!(spins > 0);
}

#[test]
fn the_block_on_future_spinning_on_ready_timers_lets_tasks_run() {
    support::within(support::GENEROUS, || {
        coop::block_on(async {
            let stop = Rc::new(Cell::new(false));
            let _stopper = coop::spawn({
                let stop = stop.clone();
                async move { stop.set(true) }
            });
            spin_on_ready_timers(stop).await
        })
    });
}

#[test]
fn the_budget_caps_ready_resources_per_poll() {
    const BUDGET: u32 = 10;
    let rt = Runtime::builder().budget(BUDGET).build().unwrap();
    let (task, polls) = count_polls(Box::pin(async {
        for _ in 0..100 {
            sleep(Duration::ZERO).await;
        }
    }));
    rt.block_on(rt.spawn(task)).unwrap();
    // 100 ready timers at most 10 per poll: at least 10 polls.
    assert!(polls.get() >= 10, "polled {} times", polls.get());
    assert!(
        polls.get() <= 11,
        "yields only when the budget is spent: {}",
        polls.get()
    );
}

#[test]
fn awaiting_finished_join_handles_spends_budget_too() {
    // A finished task's `JoinHandle` is always-ready work, like an expired
    // timer: awaiting many of them in a row must yield now and then.
    let rt = Runtime::builder().budget(4).build().unwrap();
    let (task, polls) = count_polls(Box::pin(async {
        let handles: Vec<_> = (0..20).map(|i| coop::spawn(async move { i })).collect();
        coop::yield_now().await; // every child runs and finishes meanwhile
        assert!(handles.iter().all(|h| h.is_finished()));
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i);
        }
    }));
    rt.block_on(rt.spawn(task)).unwrap();
    // 1 poll to spawn, then 20 ready handles at 4 per poll: 5 more.
    assert!(polls.get() >= 6, "polled {} times", polls.get());
}

/// More ready waits than a budget holds: each shape below spun forever at
/// 100% CPU when the blocking pool ran jobs inside the loop's budget.
const MORE_THAN_A_BUDGET: u64 = 2 * coop::DEFAULT_BUDGET as u64;

/// Runs that many jobs one after another, each waited for with
/// `join_blocking`, and sums their results.
fn join_many(handle: &coop::Handle) -> u64 {
    (0..MORE_THAN_A_BUDGET)
        .map(|i| handle.spawn_blocking(move || i).join_blocking().unwrap())
        .sum()
}

#[test]
fn a_blocking_job_may_join_more_handles_than_a_budget_holds() {
    let sum = support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        rt.block_on(
            rt.handle()
                .spawn_blocking(|| join_many(&coop::Handle::current())),
        )
        .unwrap()
    });
    assert_eq!(sum, (0..MORE_THAN_A_BUDGET).sum::<u64>());
}

#[test]
fn handle_block_on_in_a_blocking_job_may_await_more_ready_handles_than_a_budget_holds() {
    let sum = support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        rt.block_on(rt.handle().spawn_blocking(|| {
            let handle = coop::Handle::current();
            let jobs: Vec<_> = (0..MORE_THAN_A_BUDGET)
                .map(|i| handle.spawn_blocking(move || i))
                .collect();
            while !jobs.iter().all(|job| job.is_finished()) {
                std::thread::yield_now();
            }
            // Every handle is ready: each `.await` spends a unit of budget
            // if one applies here.
            handle.block_on(async {
                let mut sum = 0;
                for job in jobs {
                    sum += job.await.unwrap();
                }
                sum
            })
        }))
        .unwrap()
    });
    assert_eq!(sum, (0..MORE_THAN_A_BUDGET).sum::<u64>());
}

#[test]
fn a_plain_thread_may_join_more_handles_than_a_budget_holds() {
    // The control: never bound, before the fix or after.
    let sum = support::within(support::GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let handle = rt.handle();
        std::thread::spawn(move || join_many(&handle))
            .join()
            .unwrap()
    });
    assert_eq!(sum, (0..MORE_THAN_A_BUDGET).sum::<u64>());
}
