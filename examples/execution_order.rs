//! The lesson's "observe execution order": three tasks print `start`, sleep
//! 3, 1 and 2 seconds, and print `end`. The whole program takes about 3
//! seconds (the longest sleep), not 6 (the sum): while one task waits, the
//! others run. Nothing runs in parallel; the waiting overlaps.
//!
//! `main` is an `async fn` under `#[coop::main]`, which builds the runtime
//! and runs the body on it (what `coop::block_on(async { … })` does by
//! hand).
//!
//! `cargo run --example execution_order`
//!
//! To see it as a picture (one lane per task, a bar per poll, the parks and
//! who woke whom), `COOP_TIMELINE=order cargo run --features timeline
//! --example execution_order` writes `order.svg` and `order.json`; the
//! README shows that picture (`docs/timeline-execution-order.svg`).

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[coop::main]
async fn main() {
    let started = Instant::now();
    let events = Rc::new(RefCell::new(Vec::new()));
    let log = move |events: &Rc<RefCell<Vec<String>>>, event: String| {
        println!("[{:>6.3} s] {event}", started.elapsed().as_secs_f64());
        events.borrow_mut().push(event);
    };

    let mut tasks = Vec::new();
    for (name, secs) in [("task 1", 3), ("task 2", 1), ("task 3", 2)] {
        let events = events.clone();
        // Named, so the timeline's lanes read "task 1", "task 2", "task 3".
        tasks.push(coop::task::Builder::new().name(name).spawn(async move {
            log(&events, format!("{name} start (sleeps {secs} s)"));
            coop::time::sleep(Duration::from_secs(secs)).await;
            log(&events, format!("{name} end"));
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }

    let total = started.elapsed();
    println!();
    println!("order of events:");
    for (i, event) in events.borrow().iter().enumerate() {
        println!("  {}. {event}", i + 1);
    }
    println!();
    println!(
        "total elapsed: {:.2} s, about 3 s (the longest sleep), not 6 s (the sum).",
        total.as_secs_f64()
    );
    println!("why:");
    println!("  Each `sleep(...).await` hands the thread back to the event loop, which");
    println!("  starts the next task instead of waiting. The three sleeps run down at the");
    println!("  same time: the loop parks until the nearest deadline (1 s) and wakes task 2,");
    println!("  parks until 2 s and wakes task 3, then until 3 s for task 1.");
    println!("  One thread, nothing in parallel: concurrency is about managing waiting,");
    println!("  not doing more work at once.");
}
