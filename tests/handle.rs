//! `Handle`: spawning from other threads, `block_on` and `join_blocking`
//! off the loop, remote wake-ups, fairness between remote and local work.

use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use coop::{Handle, Runtime};

/// Runs the loop until `done` says so, checking every millisecond.
fn run_loop_until(rt: &Runtime, done: impl Fn() -> bool) {
    rt.block_on(async {
        while !done() {
            coop::time::sleep(Duration::from_millis(1)).await;
        }
    });
}

#[test]
fn remote_spawns_from_eight_threads_at_once_all_deliver_their_results() {
    const THREADS: usize = 8;
    const TASKS: usize = 100;
    let rt = Runtime::new().unwrap();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let handle = rt.handle();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                barrier.wait();
                let tasks: Vec<_> = (0..TASKS)
                    .map(|i| handle.spawn(async move { t * TASKS + i }))
                    .collect();
                tasks
                    .into_iter()
                    .map(|task| task.join_blocking().unwrap())
                    .sum::<usize>()
            })
        })
        .collect();
    run_loop_until(&rt, || workers.iter().all(|w| w.is_finished()));
    let total: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    let n = THREADS * TASKS;
    assert_eq!(total, n * (n - 1) / 2);
    assert_eq!(rt.task_count(), 0);
}

#[test]
fn tasks_spawned_from_threads_can_be_awaited_on_the_loop() {
    let rt = Runtime::new().unwrap();
    let tasks: Vec<_> = std::thread::scope(|s| {
        let spawners: Vec<_> = (0..4)
            .map(|i| {
                let handle = rt.handle();
                s.spawn(move || handle.spawn(async move { i * 10 }))
            })
            .collect();
        spawners.into_iter().map(|s| s.join().unwrap()).collect()
    });
    let sum = rt.block_on(async {
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, 60);
}

#[test]
fn handle_spawn_after_the_runtime_is_gone_reports_cancelled() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    drop(rt);
    let dropped = Arc::new(AtomicBool::new(false));
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let guard = SetOnDrop(dropped.clone());
    let task = handle.spawn(async move {
        let _guard = guard;
    });
    // The future was dropped right away, on this thread.
    assert!(dropped.load(Ordering::SeqCst));
    assert!(task.join_blocking().unwrap_err().is_cancelled());
}

#[test]
fn a_task_spawned_remotely_but_never_run_is_cancelled_at_drop() {
    let rt = Runtime::new().unwrap();
    let task = rt.handle().spawn(async { 1 });
    drop(rt);
    assert!(task.join_blocking().unwrap_err().is_cancelled());
}

#[test]
fn a_wake_from_another_thread_wakes_the_parked_loop() {
    let rt = Runtime::new().unwrap();
    let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
    let flag = Arc::new(AtomicBool::new(false));
    let (s, f) = (slot.clone(), flag.clone());
    let waker_thread = std::thread::spawn(move || {
        // Wait until the loop has stored its waker (it then has no timer
        // and nothing to run, so it parks with no timeout).
        let waker = loop {
            if let Some(w) = s.lock().unwrap().take() {
                break w;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        std::thread::sleep(Duration::from_millis(20));
        f.store(true, Ordering::SeqCst);
        waker.wake();
        Instant::now()
    });
    let task = rt.spawn(poll_fn(move |cx| {
        if flag.load(Ordering::SeqCst) {
            return Poll::Ready(());
        }
        *slot.lock().unwrap() = Some(cx.waker().clone());
        Poll::Pending
    }));
    rt.block_on(task).unwrap();
    let woken_at = waker_thread.join().unwrap();
    // Without the remote unpark the loop would sleep forever; allow a loaded
    // machine plenty of time.
    assert!(woken_at.elapsed() < Duration::from_secs(10));
}

#[test]
fn handle_block_on_runs_on_a_plain_thread_and_awaits_loop_tasks() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let worker = std::thread::spawn(move || {
        handle.block_on(async {
            let on_loop = Handle::current().spawn(async {
                coop::time::sleep(Duration::from_millis(1)).await;
                40
            });
            let on_pool = coop::spawn_blocking(|| 2);
            on_loop.await.unwrap() + on_pool.await.unwrap()
        })
    });
    run_loop_until(&rt, || worker.is_finished());
    assert_eq!(worker.join().unwrap(), 42);
}

#[test]
#[should_panic(expected = "running a coop event loop")]
fn handle_block_on_on_the_loop_thread_panics_with_a_hint() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    rt.block_on(async move { handle.block_on(async {}) });
}

#[test]
#[should_panic(expected = "running a coop event loop")]
fn join_blocking_on_the_loop_thread_panics_with_a_hint() {
    coop::block_on(async {
        let task = coop::spawn(async {});
        let _ = task.join_blocking();
    });
}

#[test]
#[should_panic(expected = "outside a coop runtime")]
fn handle_current_outside_a_runtime_panics_with_a_hint() {
    let _ = Handle::current();
}

#[test]
fn handle_is_send_sync_clone_and_debug() {
    fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
    assert_traits::<Handle>();
    let rt = Runtime::new().unwrap();
    assert!(format!("{:?}", rt.handle()).contains("Handle"));
}

/// A remote task that, each time it runs, spawns its successor through the
/// handle (so the remote queue is never empty) until `stop` is set.
fn respawn(handle: Handle, stop: Arc<AtomicBool>, runs: Arc<AtomicUsize>) {
    if stop.load(Ordering::SeqCst) {
        return;
    }
    let h = handle.clone();
    drop(handle.spawn(async move {
        runs.fetch_add(1, Ordering::SeqCst);
        respawn(h, stop, runs);
    }));
}

#[test]
fn a_flood_of_remote_work_does_not_starve_local_tasks() {
    let rt = Runtime::new().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let remote_runs = Arc::new(AtomicUsize::new(0));
    for _ in 0..8 {
        respawn(rt.handle(), stop.clone(), remote_runs.clone());
    }
    let s = stop.clone();
    let local = rt.spawn(async move {
        for _ in 0..1_000 {
            coop::yield_now().await;
        }
        s.store(true, Ordering::SeqCst);
    });
    // Finishes only if the loop keeps giving the local task turns while the
    // remote queue is never empty.
    rt.block_on(local).unwrap();
    assert!(remote_runs.load(Ordering::SeqCst) > 0);
}

#[test]
fn a_flood_of_local_work_does_not_starve_remote_tasks() {
    let rt = Runtime::new().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    for _ in 0..8 {
        let stop = stop.clone();
        drop(rt.spawn(async move {
            // Always runnable: the local queue is never empty.
            while !stop.load(Ordering::SeqCst) {
                coop::yield_now().await;
            }
        }));
    }
    let handle = rt.handle();
    let s = stop.clone();
    let remote = std::thread::spawn(move || {
        let total: u32 = (0..100)
            .map(|i| handle.spawn(async move { i }).join_blocking().unwrap())
            .sum();
        s.store(true, Ordering::SeqCst);
        total
    });
    let main_stop = stop.clone();
    let started = Instant::now();
    rt.block_on(async move {
        while !main_stop.load(Ordering::SeqCst) {
            // A starved remote queue would spin here forever.
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "remote tasks starved by local ones"
            );
            coop::yield_now().await;
        }
    });
    assert_eq!(remote.join().unwrap(), 4950);
}
