//! Lingering: a worker whose job has just returned watches the queue for
//! a few microseconds before it takes the lock and, finding nothing, goes
//! to sleep on the pool's condvar.
//!
//! ```text
//!  loop thread                         pool worker
//!  spawn_blocking(job 1) ─notify──────► wakes, runs job 1
//!  parked ◄──────────── wake the JoinHandle ─┤
//!  polls, spawn_blocking(job 2)              linger: queued > 0?  yield, look again …
//!    lock, push, queued += 1 ───────────────►  yes: lock, pop job 2 (no futex wake)
//!    a searching worker is there: claim it    (after LINGER with nothing: lock, go idle)
//! ```
//!
//! Why: a sequential caller (`spawn_blocking(..).await` in a loop) hands
//! the worker its next job a few microseconds after the last result
//! reached it. Without lingering the worker is asleep by then and the
//! hand-off is a futex wake; on an idle VM the worker's vCPU has halted
//! meanwhile, and waking it goes through the hypervisor (see
//! benches/RESULTS.md, "blocking_roundtrip"). A worker that is still
//! looking takes the job with no system call on either side: the spawn
//! finds it *searching* (see `pool.rs`) and claims it instead of notifying.
//!
//! The watch is bounded ([`LINGER`]) and polite: between looks the worker
//! calls `thread::yield_now`, so on a busy core any other runnable thread
//! (the loop itself, on a one-core share) runs first. It costs at most
//! `LINGER` of one core after the last job of a burst, never more.
//!
//! `queued` is only a hint: the job is taken under the pool's lock, which
//! the worker takes after lingering whether or not it saw anything, so a
//! stale read can delay a job by at most `LINGER`, never lose it.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// How long a worker whose job has returned watches the queue before it
/// locks the pool and goes idle: longer than a loop takes to wake on the
/// result and send the next job (a few µs, ~10 µs when its vCPU halted),
/// short against any job worth a thread.
#[cfg(not(any(loom, miri)))]
pub(super) const LINGER: std::time::Duration = std::time::Duration::from_micros(50);

/// Watches `queued` (the pool's count of queued jobs) until it is non-zero
/// or [`LINGER`] has passed. Returns whether it saw a job.
#[cfg(not(any(loom, miri)))]
pub(super) fn linger(queued: &AtomicUsize) -> bool {
    let start = std::time::Instant::now();
    loop {
        if queued.load(Ordering::Acquire) > 0 {
            return true;
        }
        if start.elapsed() >= LINGER {
            return false;
        }
        // Not a busy spin: let any other runnable thread on this core go
        // first (on an idle core this returns at once).
        std::thread::yield_now();
    }
}

/// Under loom there is no clock: one look, so models still see a worker
/// that finds the job before locking and one that does not. Under Miri,
/// which interprets every look, one look too.
#[cfg(any(loom, miri))]
pub(super) fn linger(queued: &AtomicUsize) -> bool {
    queued.load(Ordering::Acquire) > 0
}
