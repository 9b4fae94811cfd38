//! In-crate tests of the blocking pool's hand-off. They need no sockets, so
//! they run under Miri too (`cargo +nightly miri test --lib`), which checks
//! that the output written on a pool thread is read safely elsewhere.

use std::time::{Duration, Instant};

use crate::{Builder, Runtime};

#[test]
fn a_job_output_written_on_a_pool_thread_is_read_on_the_loop() {
    let rt = Runtime::new().unwrap();
    let out = rt.block_on(async { crate::spawn_blocking(|| String::from("from the pool")).await });
    assert_eq!(out.unwrap(), "from the pool");
}

#[test]
fn a_job_output_is_read_by_a_plain_thread_with_join_blocking() {
    let rt = Runtime::new().unwrap();
    let job = rt.handle().spawn_blocking(|| vec![1u8, 2, 3]);
    let out = std::thread::spawn(move || job.join_blocking())
        .join()
        .unwrap();
    assert_eq!(out.unwrap(), [1, 2, 3]);
}

#[test]
fn a_join_handle_dropped_on_another_thread_drops_the_output_once() {
    let rt = Runtime::new().unwrap();
    let job = rt.handle().spawn_blocking(|| Box::new(5u64));
    while !job.is_finished() {
        std::thread::yield_now();
    }
    std::thread::spawn(move || drop(job)).join().unwrap();
}

#[test]
fn a_task_output_crosses_to_a_join_blocking_thread() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let waiter =
        std::thread::spawn(move || handle.spawn(async { String::from("loop") }).join_blocking());
    rt.block_on(async {
        while !waiter.is_finished() {
            crate::yield_now().await;
        }
    });
    assert_eq!(waiter.join().unwrap().unwrap(), "loop");
}

#[test]
fn a_panicking_job_is_reported() {
    let rt = Runtime::new().unwrap();
    let err = rt.handle().spawn_blocking(|| panic!("job")).join_blocking();
    assert!(err.unwrap_err().is_panic());
}

#[test]
fn threads_start_lazily() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let pool = &handle.shared().blocking;
    assert_eq!(pool.threads(), 0);
    handle.spawn_blocking(|| ()).join_blocking().unwrap();
    assert_eq!(pool.threads(), 1);
}

#[test]
#[cfg_attr(miri, ignore)] // waits on the real clock
fn idle_threads_retire_after_the_keep_alive() {
    let rt = Builder::new()
        .thread_keep_alive(Duration::from_millis(20))
        .build()
        .unwrap();
    let handle = rt.handle();
    handle.spawn_blocking(|| ()).join_blocking().unwrap();
    let started = Instant::now();
    while handle.shared().blocking.threads() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "idle thread never retired"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // A retired pool starts a thread again when needed.
    assert_eq!(handle.spawn_blocking(|| 3).join_blocking().unwrap(), 3);
}

/// Waits (bounded) until the pool has `n` idle workers.
fn wait_until_idle(rt: &Runtime, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while rt.handle().shared().blocking.idle() != n {
        assert!(Instant::now() < deadline, "the worker never went idle");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_job_sent_after_the_worker_stopped_lingering_wakes_it() {
    // The worker lingers only briefly (`linger.rs`), then sleeps on the
    // condvar: a job sent after that must still be notified, to the same
    // thread.
    let rt = Runtime::new().unwrap();
    let first = rt.block_on(async { crate::spawn_blocking(std::thread::current).await });
    wait_until_idle(&rt, 1);
    let second = rt.block_on(async { crate::spawn_blocking(std::thread::current).await });
    assert_eq!(first.unwrap().id(), second.unwrap().id());
    assert_eq!(rt.handle().shared().blocking.threads(), 1);
}

#[test]
fn jobs_sent_while_the_worker_lingers_run_on_it() {
    const JOBS: u32 = if cfg!(miri) { 20 } else { 1_000 };
    // Each job is sent as soon as the last result arrives, while its worker
    // lingers: the worker takes it (no second thread), and every result
    // is the job's own.
    let rt = Runtime::new().unwrap();
    let threads = rt.block_on(async {
        let mut threads = Vec::new();
        for i in 0..JOBS {
            let (j, thread) = crate::spawn_blocking(move || (i, std::thread::current().id()))
                .await
                .unwrap();
            assert_eq!(i, j);
            threads.push(thread);
        }
        threads
    });
    assert!(
        threads.iter().all(|t| *t == threads[0]),
        "one worker ran them all"
    );
    assert_eq!(rt.handle().shared().blocking.threads(), 1);
}

#[test]
fn a_runtime_dropped_while_its_worker_lingers_shuts_the_pool_down() {
    // The drop lands inside the linger window: shutdown must neither wait
    // for a job that never comes nor leave the worker behind.
    for _ in 0..if cfg!(miri) { 3 } else { 50 } {
        let rt = Runtime::new().unwrap();
        let handle = rt.handle();
        assert_eq!(
            rt.block_on(async { crate::spawn_blocking(|| 3).await })
                .unwrap(),
            3
        );
        drop(rt);
        assert_eq!(handle.shared().blocking.threads(), 0);
        let late = handle.spawn_blocking(|| 4);
        assert!(late.join_blocking().unwrap_err().is_cancelled());
    }
}

#[test]
fn a_panicking_job_does_not_stop_the_next_one() {
    // A job that panics never says it returned, so its worker does not
    // linger; the next job must find it (idle) all the same.
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let panicked = crate::spawn_blocking(|| panic!("boom")).await;
        assert!(panicked.unwrap_err().is_panic());
        assert_eq!(crate::spawn_blocking(|| 5).await.unwrap(), 5);
    });
}
