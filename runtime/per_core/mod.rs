//! Thread-per-core: N loops on N threads, sharing nothing.
//!
//! One coop loop runs on one thread. To use more cores, run more loops:
//! one [`Runtime`](crate::Runtime) per thread, each optionally pinned to
//! its own core, each with its own sockets (a listener per loop, bound with
//! `SO_REUSEPORT` so the kernel spreads connections across them, as
//! glommio and monoio do). Tasks never move between loops; a loop that
//! wants to talk to another uses a channel from [`coop::sync`](crate::sync)
//! or a [`Handle`](crate::Handle).
//!
//! ```text
//!   caller ── per_core::run(n, |i| async move {..}) ──────────────────────┐
//!     │                                                                   │
//!     ├─ thread coop-loop-0 (pinned to core 0): Runtime 0 ── block_on(f(0)) ──► result 0
//!     ├─ thread coop-loop-1 (pinned to core 1): Runtime 1 ── block_on(f(1)) ──► result 1
//!     └─ …                                                                │
//!                                          Vec [result 0, result 1, …] ◄──┘
//! ```
//!
//! The factory `f` is called on each loop's own thread, so the futures it
//! makes need not be `Send` (they may hold `Rc`s and coop sockets); only
//! the factory (shared by reference: `Sync`) and the results (`Send`) cross
//! threads.
//!
//! **Panics.** If one loop's future panics, the launcher tells every other
//! loop to stop: each drops its future at its next `.await` and its runtime
//! shuts down (its tasks are dropped). Once every thread has ended, the
//! first panic resumes on the caller with its original payload, so its
//! message reaches the caller's panic hook or test harness. A loop that
//! never yields cannot be stopped: the launcher waits for it.
//!
//! ```
//! // Two loops, each answering with its index and the thread it ran on.
//! let results = coop::per_core::run(2, |i| async move {
//!     coop::time::sleep(std::time::Duration::from_millis(1)).await;
//!     (i, std::thread::current().name().unwrap().to_string())
//! })?;
//! assert_eq!(results, [(0, "coop-loop-0".to_string()), (1, "coop-loop-1".to_string())]);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Not built under `--cfg loom`: a loom model runs one loop and is better
//! off modelling the channels between loops than N whole runtimes.
//!
//! Tests: `tests/per_core.rs`.

mod builder;
mod current;
mod pin;

pub use builder::Builder;
pub use current::{current, LoopInfo};

use std::future::Future;
use std::io;

/// Runs `f(i)` on `loops` loops (`i` in `0..loops`), each a fresh
/// [`Runtime`](crate::Runtime) on its own thread, unpinned, and returns
/// their outputs in index order. Shorthand for
/// `Builder::new().loops(loops).run(f)`; see [`Builder`] for pinning and
/// the runtime's settings, and [the module docs](self) for panics.
///
/// # Errors
/// If a thread cannot be spawned or a runtime cannot be built (e.g. at the
/// descriptor limit); the loops already started are told to stop first.
///
/// # Panics
/// If `loops` is 0, if called on a thread that runs a coop loop (it blocks
/// until every loop ends: spawn it on a plain thread, or use
/// [`spawn_blocking`](crate::spawn_blocking)), and with the first panic of a
/// loop's future.
///
/// ```
/// let squares = coop::per_core::run(3, |i| async move { i * i })?;
/// assert_eq!(squares, [0, 1, 4]);
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn run<F, Fut>(loops: usize, f: F) -> io::Result<Vec<Fut::Output>>
where
    F: Fn(usize) -> Fut + Sync,
    Fut: Future,
    Fut::Output: Send,
{
    Builder::new().loops(loops).run(f)
}
