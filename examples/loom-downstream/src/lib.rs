//! A tiny crate built on coop, written the way a downstream crate makes its
//! own code model-checkable with loom: its shared state comes from `std` in
//! normal builds and from `loom` under `--cfg loom`, and coop (built with
//! the same flag) swaps its own threads, atomics and park for loom's.
//!
//! `fan_out` spreads hits over a blocking job, a loop task and a task
//! spawned from another thread; `tests/loom.rs` checks every interleaving.
//! Run it with `scripts/loom-downstream.sh` from coop's root.

#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicUsize, Ordering};

#[cfg(loom)]
pub use loom::sync::Arc;
#[cfg(not(loom))]
pub use std::sync::Arc;

/// A hit counter shared by tasks, blocking jobs and threads.
#[derive(Debug, Default)]
pub struct Hits(AtomicUsize);

impl Hits {
    /// Counts one hit.
    pub fn record(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// The hits so far.
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

/// Records one hit from a blocking job and one from a loop task, waits for
/// both, and returns the count seen then.
pub async fn fan_out(hits: Arc<Hits>) -> usize {
    let job = {
        let hits = hits.clone();
        coop::spawn_blocking(move || hits.record())
    };
    let task = {
        let hits = hits.clone();
        coop::spawn(async move { hits.record() })
    };
    job.await.expect("the job does not panic");
    task.await.expect("the task does not panic");
    hits.get()
}
