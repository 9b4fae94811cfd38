//! Catching a panic from user code that coop calls *outside* a task's poll,
//! where letting it unwind would leave the loop or the blocking pool half
//! way through a step.
//!
//! A panic in a task's poll is the task's own business: the harness catches
//! it and the task's `JoinHandle` reports it. Some user code runs at other
//! points, in the middle of coop's own bookkeeping:
//!
//! * a `tracing` subscriber, called for every event and span coop emits
//!   (`trace.rs`): in the middle of picking a task, waking one, parking;
//! * a `JoinHandle`'s waker and a job output's `Drop`, run when a blocking
//!   job completes on a pool worker (`blocking/pool.rs`);
//! * a `Builder::thread_name_fn`, called with the pool's lock held when it
//!   starts a worker (`blocking/name.rs`).
//!
//! An unwind there would skip the rest of the step: a popped task never
//! run, a wake never delivered, a worker thread gone without being counted
//! out. So these calls go through [`catch`]: the panic is reported as usual
//! by the panic hook (the message is printed), then dropped, and coop
//! finishes the step. Dropping a panic payload is user code too (a payload
//! may be any type): if that panics as well, the second payload is leaked
//! rather than dropped.

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

/// Runs `f`; a panic in it is caught and dropped. `None`: `f` panicked.
///
/// `AssertUnwindSafe` holds because callers only pass closures that leave
/// coop's state consistent at every point where user code can unwind: the
/// state they touch is updated before or after the call, never across it.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Option<R> {
    match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(out) => Some(out),
        Err(payload) => {
            drop_payload(payload);
            None
        }
    }
}

/// Drops a caught panic payload; one whose `Drop` panics in turn is leaked.
pub(crate) fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(again) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}
