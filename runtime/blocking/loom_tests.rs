//! Loom models of the blocking pool: the hand-off of a job's result from a
//! pool thread, shutdown racing with the workers, and a job arriving while
//! the worker that just finished one is searching (and lingering, see
//! `linger.rs`), and the loop parking while a job's result is on its way.

use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::Arc;
use crate::Builder;

#[test]
fn a_job_result_reaches_a_waiting_thread() {
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(1).build().unwrap();
        let job = rt.handle().spawn_blocking(|| 7);
        assert_eq!(job.join_blocking().unwrap(), 7);
        drop(rt);
    });
}

#[test]
fn shutdown_cancels_queued_jobs_and_waits_for_running_ones() {
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(1).build().unwrap();
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
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(1).build().unwrap();
        let handle = rt.handle();
        assert_eq!(handle.spawn_blocking(|| 1).join_blocking().unwrap(), 1);
        assert_eq!(handle.spawn_blocking(|| 2).join_blocking().unwrap(), 2);
        drop(rt);
    });
}

#[test]
fn a_job_finishing_while_the_loop_parks_and_the_next_one_sent_while_the_worker_lingers() {
    // The loop awaits two jobs in a row, as `blocking_roundtrip` does. The
    // first job's result races the loop between checking for work and
    // parking (a lost wake-up leaves the loop parked forever: loom reports
    // a deadlock); the second job races the worker's look at `queued`
    // while it lingers (seen: taken without a notify; not seen: the worker
    // locks, and either finds it or leaves and the spawn starts a thread).
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(1).build().unwrap();
        let sum = rt.block_on(async {
            let a = crate::spawn_blocking(|| 1).await.unwrap();
            let b = crate::spawn_blocking(|| 2).await.unwrap();
            a + b
        });
        assert_eq!(sum, 3);
        drop(rt);
    });
}
