//! Loom models of the blocking pool: the hand-off of a job's result from a
//! pool thread, shutdown racing with the workers, and a job arriving while
//! the worker that just finished one is searching (and lingering, see
//! `linger.rs`), the loop parking while a job's result is on its way, and
//! a job sent to a worker that waits idle on the pool's condvar.
//!
//! Under loom a zero keep-alive makes a worker with nothing to do exit at
//! once (the retiring path); any other keep-alive keeps it idle until a
//! spawn notifies it or shutdown does (see `wait_for_work` in `pool.rs`).
//! Each model names the path it takes, and the mutation of `pool.rs` it
//! was checked against (the model fails with it, passes without).

use std::time::Duration;

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Arc;
use crate::Builder;

/// A runtime with one blocking thread that exits as soon as it finds the
/// queue empty (`idle: false`) or waits idle for the next job (`true`).
fn runtime(idle: bool) -> crate::Runtime {
    let keep_alive = if idle {
        Duration::from_secs(10)
    } else {
        Duration::ZERO
    };
    Builder::new()
        .max_blocking_threads(1)
        .thread_keep_alive(keep_alive)
        .build()
        .unwrap()
}

#[test]
fn a_job_result_reaches_a_waiting_thread() {
    // Checked against: `ThreadWaker::wake_by_ref` (park_thread.rs) setting
    // the flag without `notify_one`.
    loom::model(|| {
        let rt = runtime(false);
        let job = rt.handle().spawn_blocking(|| 7);
        assert_eq!(job.join_blocking().unwrap(), 7);
        drop(rt);
    });
}

#[test]
fn shutdown_cancels_queued_jobs_and_waits_for_running_ones() {
    // Retiring path. Checked against: the last worker out not notifying
    // `all_exited` (shutdown waits forever).
    loom::model(|| {
        let rt = runtime(false);
        let flags: Vec<_> = (0..2).map(|_| Arc::new(AtomicBool::new(false))).collect();
        let jobs: Vec<_> = flags
            .iter()
            .map(|ran| {
                let ran = ran.clone();
                rt.handle()
                    .spawn_blocking(move || ran.store(true, Ordering::SeqCst))
            })
            .collect();
        drop(rt);
        // Shutdown waited for every job that started: what ran is finished.
        let finished: Vec<bool> = jobs.iter().map(|j| j.is_finished()).collect();
        for ((job, ran), finished) in jobs.into_iter().zip(&flags).zip(finished) {
            assert!(finished, "drop returned while a job was unfinished");
            match job.join_blocking() {
                Ok(()) => assert!(ran.load(Ordering::SeqCst)),
                Err(e) => {
                    assert!(e.is_cancelled());
                    assert!(!ran.load(Ordering::SeqCst), "a cancelled job ran");
                }
            }
        }
    });
}

#[test]
fn a_job_spawned_while_the_worker_is_searching_runs() {
    // The first job's result wakes this thread while its worker counts
    // itself searching; the second job claims it (or finds it idle, or
    // gone and starts another). In every interleaving the second job runs.
    // Retiring path. Checked against: `stop_searching` not lowering
    // `searching` (a spawn claims a worker that has left: the job is never
    // run), and a worker whose linger saw nothing retiring without looking
    // at the queue.
    two_jobs_in_a_row_from_a_plain_thread(false);
}

#[test]
fn a_job_finishing_while_the_loop_parks_and_the_next_one_sent_while_the_worker_lingers() {
    // The loop awaits two jobs in a row, as `blocking_roundtrip` does. The
    // first job's result races the loop between checking for work and
    // parking (a lost wake-up leaves the loop parked forever: loom reports
    // a deadlock); the second job races the worker's look at `queued`
    // while it lingers (seen: taken without a notify; not seen: the worker
    // locks, and either finds it or leaves and the spawn starts a thread).
    // Retiring path. Checked against: the condvar parker's `unpark`
    // notifying without taking the lock, and reading the state with a load
    // then storing NOTIFIED (instead of one swap).
    loom::model(|| {
        let rt = runtime(false);
        let sum = rt.block_on(async {
            let a = crate::spawn_blocking(|| 1).await.unwrap();
            let b = crate::spawn_blocking(|| 2).await.unwrap();
            a + b
        });
        assert_eq!(sum, 3);
        drop(rt);
    });
}

#[test]
fn a_job_sent_to_an_idle_worker_wakes_it_and_shutdown_wakes_it_to_exit() {
    // Idle path: the worker waits on the pool's condvar after the first
    // job (or is still searching when the second comes, and is claimed).
    // The second spawn must notify an idle worker; shutdown must wake it
    // to exit, or `drop(rt)` waits forever. Checked against: `spawn` not
    // calling `notify_one` (before this model, the idle path was dead code
    // under loom: every worker retired at once, so no model could see it),
    // and shutdown not calling `notify_all`.
    two_jobs_in_a_row_from_a_plain_thread(true);
}

/// Two jobs, each awaited with `join_blocking` before the next is sent,
/// then the runtime dropped; `idle` picks the worker's path (`runtime`).
fn two_jobs_in_a_row_from_a_plain_thread(idle: bool) {
    loom::model(move || {
        let rt = runtime(idle);
        let handle = rt.handle();
        assert_eq!(handle.spawn_blocking(|| 1).join_blocking().unwrap(), 1);
        assert_eq!(handle.spawn_blocking(|| 2).join_blocking().unwrap(), 2);
        drop(rt);
    });
}
