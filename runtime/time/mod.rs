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
//! Deadlines are [`std::time::Instant`]s. A timer never fires early: the
//! `Sleep` itself compares the clock with its deadline when polled.

mod clock;
pub(crate) mod heap;
mod interval;
mod sleep;
mod timeout;

pub use interval::{interval, interval_at, Interval, MissedTickBehavior};
pub use sleep::{sleep, sleep_until, Sleep};
pub use timeout::{timeout, timeout_at, Elapsed, Timeout};

pub(crate) use clock::now;
