//! The classic mistake: blocking the event loop.
//!
//! A ticker task wants to print every 100 ms. A second task does 600 ms of
//! "work" with `std::thread::sleep`, which blocks the loop's one thread:
//! nothing else runs meanwhile, so the ticker misses its ticks. The same
//! work handed to `spawn_blocking` runs on a pool thread and the ticker
//! keeps its rhythm.
//!
//! coop notices: a poll that holds the loop longer than
//! `Builder::slow_poll_threshold` (100 ms by default) is reported with a
//! `WARN` event naming the task, where it was spawned and how long it took.
//! This example prints those warnings (a `tracing` subscriber at `WARN`).
//!
//! Run: `cargo run --example blocking_mistake`

use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(100);
const WORK: Duration = Duration::from_millis(600);

/// Runs a ticker for ~1.2 s next to the work started by `start_work`;
/// returns the number of ticks and the longest gap between two ticks.
async fn ticker_beside(start_work: impl FnOnce()) -> (usize, Duration) {
    let ticker = coop::spawn(async {
        let mut interval = coop::time::interval(TICK);
        let mut last = Instant::now();
        let mut longest = Duration::ZERO;
        let mut ticks = 0;
        let end = Instant::now() + Duration::from_millis(1_200);
        while Instant::now() < end {
            interval.tick().await;
            longest = longest.max(last.elapsed());
            last = Instant::now();
            ticks += 1;
        }
        (ticks, longest)
    });
    // Let the ticker start, then start the work.
    coop::time::sleep(Duration::from_millis(250)).await;
    start_work();
    ticker.await.unwrap()
}

fn main() {
    // Show coop's warnings: the slow-poll warning is a `WARN` event.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_target(false)
        .init();
    let rt = coop::Runtime::new().expect("runtime");

    let (ticks, gap) = rt.block_on(ticker_beside(|| {
        drop(coop::task::Builder::new().name("worker").spawn(async {
            // The mistake: a blocking call inside async code.
            std::thread::sleep(WORK);
        }));
    }));
    println!("std::thread::sleep in a task: {ticks} ticks, longest gap {gap:?}");
    println!("  -> the loop was frozen for the whole sleep: no tick ran, then the missed ticks fired in a burst.");
    println!("  -> coop's WARN above names the task (\"worker\"), its spawn line and the {WORK:?} it held the loop.\n");

    let (ticks_ok, gap_ok) = rt.block_on(ticker_beside(|| {
        drop(coop::spawn_blocking(|| std::thread::sleep(WORK)));
    }));
    println!("same work via spawn_blocking:  {ticks_ok} ticks, longest gap {gap_ok:?}");
    println!("  -> the work ran on a pool thread; the loop kept ticking.");

    println!(
        "\nLesson: inside async code, never block (sleep, heavy CPU, blocking I/O). \
         `.await` an async version, or move the work to `coop::spawn_blocking`."
    );
}
