//! Paused time for tests: [`pause`], [`resume`] and [`advance`], tokio's
//! `test-util` API.
//!
//! A paused runtime clock (see `clock.rs`) stands still until a test moves
//! it with [`advance`], or until the loop is idle: when no task is
//! runnable and a look at the reactor (with a zero timeout) finds no I/O
//! event ready, the loop jumps the clock to the next timer's deadline
//! instead of sleeping until it ("auto-advance", `Core::turn`). So a test
//! of an hour-long timeout takes microseconds, and its timers fire in the
//! same order on every run.
//!
//! ```text
//!  loop idle, paused:  epoll_wait(0) ── an event? ──► run its task (no jump)
//!                           └── none ──► clock = next deadline ──► fire it
//! ```
//!
//! As in tokio, "idle" means "nothing to do *right now*": a socket whose
//! peer has not written yet does not hold the clock back, and neither does
//! work on the blocking pool or another thread (tokio does hold the clock
//! while a `spawn_blocking` task runs; coop does not yet).

use std::time::Duration;

/// Pauses the current runtime's clock.
///
/// From now on [`now`](crate::time::now), [`sleep`](crate::time::sleep)
/// deadlines and timers see a clock that stands still. It moves by
/// [`advance`], or jumps to the next timer whenever the loop would
/// otherwise sleep until it. [`Builder::start_paused`](crate::Builder::start_paused)
/// starts a runtime paused.
///
/// # Panics
/// Outside a coop runtime, or if the clock is already paused.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     coop::time::pause();
///     let wall = Instant::now();
///     coop::time::sleep(Duration::from_secs(24 * 3600)).await;
///     assert!(wall.elapsed() < Duration::from_secs(60)); // a day, in no time
/// });
/// ```
#[track_caller]
pub fn pause() {
    let paused = crate::context::with_core("coop::time::pause", |core| core.clock().pause());
    if !paused {
        panic!(
            "`coop::time::pause` was called while the clock is already paused. \
             Call it once (or use `Builder::start_paused(true)` alone); \
             `coop::time::resume()` lets time flow again."
        );
    }
}

/// Lets the current runtime's clock flow again, at the real rate, from
/// where it stood while paused (it never goes backwards).
///
/// # Panics
/// Outside a coop runtime, or if the clock is not paused.
///
/// ```
/// coop::Builder::new().start_paused(true).build()?.block_on(async {
///     let paused_at = coop::time::now();
///     coop::time::resume();
///     assert!(coop::time::now() >= paused_at);
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn resume() {
    let resumed = crate::context::with_core("coop::time::resume", |core| core.clock().resume());
    if !resumed {
        panic!(
            "`coop::time::resume` was called while the clock is not paused. \
             Call `coop::time::pause()` first (or build the runtime with \
             `Builder::start_paused(true)`)."
        );
    }
}

/// Moves the paused clock forward by `duration` in one jump, then yields
/// once so that the tasks of the timers now due run.
///
/// Every timer with a deadline up to the new time fires; later ones do
/// not. A huge `duration` (`Duration::MAX`) is capped at about thirty
/// years, as deadlines are: no overflow. It does not wait for the woken tasks to finish: to let time pass
/// "naturally", `sleep` and rely on auto-advance instead.
///
/// # Panics
/// Outside a coop runtime, or if the clock is not paused. (The panic is
/// raised when the returned future is first polled.)
///
/// ```
/// use std::time::Duration;
///
/// coop::Builder::new().start_paused(true).build()?.block_on(async {
///     let start = coop::time::now();
///     coop::time::advance(Duration::from_secs(5)).await;
///     assert_eq!(coop::time::now() - start, Duration::from_secs(5));
/// });
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn advance(duration: Duration) -> impl std::future::Future<Output = ()> {
    let at = std::panic::Location::caller();
    async move {
        let advanced =
            crate::context::with_core("coop::time::advance", |core| core.clock().advance(duration));
        if !advanced {
            panic!(
                "`coop::time::advance` was called (at {at}) while the clock is not paused. \
                 Call `coop::time::pause()` first, or build the runtime with \
                 `Builder::start_paused(true)` (`#[coop::test(start_paused = true)]`)."
            );
        }
        crate::yield_now().await;
    }
}
