//! Timers: [`sleep`], [`timeout`] and [`interval`], driven by the same loop
//! as tasks and sockets.
//!
//! There is no timer thread. Each runtime keeps its pending deadlines in a
//! min-heap (`heap.rs`). When the loop runs out of work it parks for no
//! longer than the earliest deadline; after each park it fires every timer
//! that is due, waking its task:
//!
//! ```text
//!  Sleep::poll ──insert(deadline, waker)──► TimerHeap
//!                                              │ next_deadline()
//!  loop: park(timeout = next_deadline - now) ◄─┘
//!  loop: fire_due(now) ──► waker.wake() ──► run queue ──► Sleep::poll ──► Ready
//! ```
//!
//! Deadlines are [`Instant`]s. A timer never fires early: the `Sleep`
//! itself compares the clock with its deadline when polled.
//!
//! ## `Instant` and `Duration`
//!
//! `coop::time::Instant` and `coop::time::Duration` are the standard
//! library's [`std::time::Instant`] and [`std::time::Duration`], re-exported
//! so that code written against `tokio::time::Instant` finds them at the
//! same path. (tokio wraps `Instant` in a newtype of its own so that its
//! paused test clock can move `Instant::now()`; in coop `Instant::now()` is
//! `std`'s and always reads the system clock. The runtime's clock, which a
//! test may [`pause`], is read with [`now`].)
//!
//! ## Paused time
//!
//! [`pause`], [`resume`], [`advance`] and
//! [`Builder::start_paused`](crate::Builder::start_paused) stop the
//! runtime's clock for tests; while it is paused and the loop is idle, the
//! clock jumps to the next timer (see `pause.rs`).
//!
//! ```
//! use coop::time::{sleep_until, Duration, Instant};
//!
//! coop::block_on(async {
//!     let start = Instant::now();
//!     sleep_until(start + Duration::from_millis(5)).await;
//!     assert!(start.elapsed() >= Duration::from_millis(5));
//! });
//! ```

mod clock;
pub(crate) mod heap;
#[cfg(any(fuzzing, all(test, not(loom), not(miri))))]
pub(crate) mod heap_model;
#[cfg(all(test, not(loom), not(miri)))]
mod heap_proptests;
mod interval;
mod pause;
mod sleep;
mod timeout;

pub use std::time::{Duration, Instant};

pub use clock::now;
pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use pause::{advance, pause, resume};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};

pub(crate) use clock::Clock;
