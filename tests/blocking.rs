//! `spawn_blocking`: results, panics, the thread cap, shutdown.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use coop::{Builder, Runtime};

mod support;

#[test]
fn a_job_result_reaches_the_awaiting_task() {
    let rt = Runtime::new().unwrap();
    let out = rt.block_on(async {
        let job = coop::spawn_blocking(|| (1..=20u64).product::<u64>());
        job.await.unwrap()
    });
    assert_eq!(out, (1..=20u64).product::<u64>());
}

#[test]
fn a_panicking_job_is_a_join_error_and_the_pool_goes_on() {
    let rt = Runtime::new().unwrap();
    let (bad, good) = rt.block_on(async {
        let bad = coop::spawn_blocking(|| -> u8 { panic!("job failed") });
        let bad = bad.await;
        let good = coop::spawn_blocking(|| 7u8).await;
        (bad, good)
    });
    let err = bad.unwrap_err();
    assert!(err.is_panic());
    assert!(err.to_string().contains("job failed"));
    assert_eq!(good.unwrap(), 7);
}

#[test]
fn the_pool_runs_at_most_max_blocking_threads_jobs_at_once() {
    const CAP: usize = 3;
    let rt = Builder::new().max_blocking_threads(CAP).build().unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    let high = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let jobs: Vec<_> = (0..4 * CAP)
            .map(|_| {
                let (running, started, high) = (running.clone(), started.clone(), high.clone());
                coop::spawn_blocking(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    high.fetch_max(now, Ordering::SeqCst);
                    started.fetch_add(1, Ordering::SeqCst);
                    // The first CAP jobs wait for each other, so CAP run at
                    // once; a pool over its cap would let more in meanwhile.
                    while started.load(Ordering::SeqCst) < CAP {
                        std::thread::yield_now();
                    }
                    std::thread::sleep(Duration::from_millis(2));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for job in jobs {
            job.await.unwrap();
        }
    });
    assert_eq!(high.load(Ordering::SeqCst), CAP);
    assert_eq!(started.load(Ordering::SeqCst), 4 * CAP);
}

#[test]
fn jobs_queued_beyond_the_cap_all_run_in_order() {
    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    rt.block_on(async {
        let jobs: Vec<_> = (0..20)
            .map(|i| {
                let order = order.clone();
                coop::spawn_blocking(move || order.lock().unwrap().push(i))
            })
            .collect();
        for job in jobs {
            job.await.unwrap();
        }
    });
    assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
}

#[test]
fn runtime_drop_waits_for_running_jobs_and_never_starts_queued_ones() {
    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let finished = Arc::new(AtomicBool::new(false));
    let queued_ran = Arc::new(AtomicBool::new(false));
    let running = rt.handle().spawn_blocking({
        let finished = finished.clone();
        move || {
            started_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(100));
            finished.store(true, Ordering::SeqCst);
            "finished"
        }
    });
    let queued: Vec<_> = (0..5)
        .map(|_| {
            let queued_ran = queued_ran.clone();
            rt.handle()
                .spawn_blocking(move || queued_ran.store(true, Ordering::SeqCst))
        })
        .collect();
    started_rx.recv().unwrap();
    drop(rt);
    assert!(
        finished.load(Ordering::SeqCst),
        "drop returned before the running job ended"
    );
    assert_eq!(running.join_blocking().unwrap(), "finished");
    for job in queued {
        assert!(job.join_blocking().unwrap_err().is_cancelled());
    }
    assert!(
        !queued_ran.load(Ordering::SeqCst),
        "a queued job started after shutdown"
    );
}

#[test]
fn shutdown_timeout_returns_while_a_job_still_runs_and_its_result_still_arrives() {
    let rt = Runtime::new().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel();
    let job = rt.handle().spawn_blocking(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        5
    });
    started_rx.recv().unwrap();
    // The job waits for us, so only the bound can end the wait.
    rt.shutdown_timeout(Duration::from_millis(50));
    assert!(!job.is_finished());
    release_tx.send(()).unwrap();
    assert_eq!(job.join_blocking().unwrap(), 5);
}

#[test]
fn spawn_blocking_after_shutdown_is_cancelled_without_running() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    drop(rt);
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let job = handle.spawn_blocking(move || r.store(true, Ordering::SeqCst));
    assert!(job.join_blocking().unwrap_err().is_cancelled());
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn abort_stops_a_queued_job_from_starting() {
    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let first = rt
        .handle()
        .spawn_blocking(move || release_rx.recv().unwrap());
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let second = rt
        .handle()
        .spawn_blocking(move || r.store(true, Ordering::SeqCst));
    second.abort();
    release_tx.send(()).unwrap();
    first.join_blocking().unwrap();
    assert!(second.join_blocking().unwrap_err().is_cancelled());
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn a_job_can_spawn_more_jobs_and_tasks_through_the_current_handle() {
    let rt = Runtime::new().unwrap();
    let out = rt.block_on(async {
        coop::spawn_blocking(|| {
            let inner = coop::spawn_blocking(|| 20);
            let task = coop::Handle::current().spawn(async { 22 });
            (inner, task)
        })
        .await
        .map(|(inner, task)| async move { inner.await.unwrap() + task.await.unwrap() })
        .unwrap()
        .await
    });
    assert_eq!(out, 42);
}

#[test]
#[should_panic(expected = "outside a coop runtime")]
fn spawn_blocking_outside_a_runtime_panics_with_a_hint() {
    drop(coop::spawn_blocking(|| ()));
}

/// A waker that panics when woken: user code the pool runs when a job
/// completes.
struct PanickingWaker;

impl std::task::Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        panic!("this waker panics in wake");
    }
}

#[test]
fn a_panic_in_a_job_handles_waker_leaves_the_pool_usable_and_shutdown_prompt() {
    use std::future::Future;
    use std::task::{Context, Waker};

    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let handle = rt.handle();
    let (go, wait) = mpsc::channel::<()>();
    let mut first = handle.spawn_blocking(move || wait.recv().unwrap());
    let waker = Waker::from(Arc::new(PanickingWaker));
    let polled = std::pin::Pin::new(&mut first).poll(&mut Context::from_waker(&waker));
    assert!(polled.is_pending(), "the job waits for `go`");
    // The job completes on the only worker and wakes the handle: the
    // waker panics there.
    go.send(()).unwrap();
    let second = support::within(support::GENEROUS, move || {
        while !first.is_finished() {
            std::thread::yield_now();
        }
        handle.spawn_blocking(|| 2).join_blocking().unwrap()
    });
    assert_eq!(second, 2, "the pool's only thread slot was lost");
    let started = std::time::Instant::now();
    rt.shutdown_timeout(Duration::from_secs(60));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "shutdown waited for a worker that was gone"
    );
}
