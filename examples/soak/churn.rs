//! The side load on the server loop while it echoes: timers set, reset and
//! cancelled by the thousand; tasks spawned and aborted; remote wakes and
//! `Handle::spawn` from two other threads; `spawn_blocking` jobs.
//!
//! ```text
//!   server loop ─┬─ timer tasks   sleep, timeout → reset → timeout (fire or cancel)
//!                ├─ spawn/abort   100 tasks a round, the pending ones aborted
//!                ├─ wake pumps    oneshot rx.await ◄── tx.send() ── remote thread ×2
//!                │                 Handle::spawn ◄───────────────── remote thread ×2
//!                └─ blocking      8 spawn_blocking jobs a round
//! ```

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle as ThreadHandle;
use std::time::{Duration, Instant};

use coop::time::{sleep, timeout};
use coop::JoinHandle;

use crate::stats::{Rng, Stats};

/// Everything the churn started: tasks on the loop and the remote threads.
pub struct Churn {
    pub tasks: Vec<JoinHandle<()>>,
    pub threads: Vec<ThreadHandle<()>>,
}

/// Starts the churn on the current loop.
pub fn start(timer_tasks: u64, stop: &Arc<AtomicBool>, stats: &Arc<Stats>) -> Churn {
    let mut tasks = Vec::new();
    for i in 0..timer_tasks {
        tasks.push(coop::spawn(timers(i, stop.clone(), stats.clone())));
    }
    tasks.push(coop::spawn(spawn_abort(stop.clone(), stats.clone())));
    tasks.push(coop::spawn(blocking(stop.clone(), stats.clone())));
    let mut threads = Vec::new();
    for t in 0..2 {
        let (tx, rx) = mpsc::channel::<coop::sync::oneshot::Sender<()>>();
        for p in 0..8 {
            tasks.push(coop::spawn(wake_pump(
                t * 8 + p,
                tx.clone(),
                stop.clone(),
                stats.clone(),
            )));
        }
        let handle = coop::Handle::current();
        let (stop, stats) = (stop.clone(), stats.clone());
        threads.push(
            std::thread::Builder::new()
                .name(format!("soak-remote-{t}"))
                .spawn(move || remote(handle, rx, stop, stats))
                .expect("spawn remote thread"),
        );
    }
    Churn { tasks, threads }
}

/// One timer task: each round sets a sleep, lets a timeout race it, resets
/// it, and races it again, so timers fire, move and are dropped unfired.
async fn timers(id: u64, stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let mut rng = Rng::new(id ^ 0x7117);
    while !stop.load(Relaxed) {
        let ms = |rng: &mut Rng| Duration::from_millis(rng.range(1, 400));
        let mut s = sleep(ms(&mut rng));
        stats.timers_set.add(2); // the sleep and the timeout's timer
        if timeout(ms(&mut rng), &mut s).await.is_ok() {
            stats.timers_fired.inc();
            stats.timers_cancelled.inc(); // the timeout's
            continue;
        }
        stats.timers_fired.inc(); // the timeout's
        s.reset(Instant::now() + ms(&mut rng));
        stats.timers_reset.inc();
        stats.timers_set.inc();
        match timeout(ms(&mut rng), &mut s).await {
            Ok(()) => stats.timers_cancelled.inc(), // the timeout's
            Err(_) => stats.timers_fired.inc(),     // the sleep is dropped pending below
        }
        stats.timers_fired.inc();
        drop(s);
    }
}

/// Spawns 100 tasks a round, half of them never finishing, and aborts those
/// (and a few that were about to finish) before joining all.
async fn spawn_abort(stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let mut rng = Rng::new(0xab047);
    while !stop.load(Relaxed) {
        let mut handles = Vec::with_capacity(100);
        for i in 0..100u64 {
            let d = Duration::from_millis(rng.range(0, 30));
            let h = if i % 2 == 0 {
                coop::spawn(async move { sleep(d).await })
            } else {
                coop::spawn(std::future::pending::<()>())
            };
            handles.push(h);
        }
        stats.spawned.add(100);
        coop::yield_now().await;
        for (i, h) in handles.iter().enumerate() {
            if i % 2 == 1 || rng.next() % 8 == 0 {
                h.abort();
            }
        }
        for h in handles {
            match h.await {
                Ok(()) => {}
                Err(e) if e.is_cancelled() => stats.aborted.inc(),
                Err(e) => stats.fail(format!("spawned task: {e}")),
            }
        }
        sleep(Duration::from_millis(20)).await;
    }
}

/// Hands a oneshot sender to a remote thread and waits for it to send: each
/// round is one wake from another thread.
async fn wake_pump(
    _id: u64,
    to_thread: mpsc::Sender<coop::sync::oneshot::Sender<()>>,
    stop: Arc<AtomicBool>,
    stats: Arc<Stats>,
) {
    while !stop.load(Relaxed) {
        let (tx, rx) = coop::sync::oneshot::channel();
        if to_thread.send(tx).is_err() {
            break;
        }
        match rx.await {
            Ok(()) => stats.remote_wakes.inc(),
            // The thread ended with our sender unsent: it is stopping.
            Err(_) => break,
        }
    }
}

/// A remote thread: answers the pumps' senders and spawns on the loop
/// through a `Handle`, joining some of those tasks from here.
fn remote(
    handle: coop::Handle,
    pumps: mpsc::Receiver<coop::sync::oneshot::Sender<()>>,
    stop: Arc<AtomicBool>,
    stats: Arc<Stats>,
) {
    let mut round = 0u64;
    while !stop.load(Relaxed) {
        while let Ok(tx) = pumps.try_recv() {
            let _ = tx.send(());
        }
        let mut last = None;
        for _ in 0..10 {
            last = Some(handle.spawn(async {
                coop::yield_now().await;
            }));
        }
        stats.remote_spawns.add(10);
        round += 1;
        if round % 10 == 0 {
            if let Some(Err(e)) = last.map(JoinHandle::join_blocking) {
                stats.fail(format!("remote-spawned task: {e}"));
            }
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    // Senders still queued are dropped with the receiver: their pumps see
    // the channel closed and end.
}

/// Eight `spawn_blocking` jobs a round, each a little work and a short
/// sleep on the pool.
async fn blocking(stop: Arc<AtomicBool>, stats: Arc<Stats>) {
    let mut seed = 1u64;
    while !stop.load(Relaxed) {
        let jobs: Vec<_> = (0..8)
            .map(|j| {
                seed += 1;
                let s = seed;
                coop::spawn_blocking(move || {
                    let mut rng = Rng::new(s);
                    let sum = (0..1000).fold(0u64, |a, _| a.wrapping_add(rng.next()));
                    std::thread::sleep(Duration::from_millis(j % 3));
                    sum
                })
            })
            .collect();
        for job in jobs {
            match job.await {
                Ok(_) => stats.blocking_jobs.inc(),
                Err(e) => stats.fail(format!("blocking job: {e}")),
            }
        }
        sleep(Duration::from_millis(10)).await;
    }
}
