//! The reactor: turns "the OS says this socket is ready" into "wake the
//! task that was waiting for it".
//!
//! ```text
//!   task: read() ─► WouldBlock ─► store waker in ScheduledIo ─► Pending
//!                                                                  │
//!   loop: nothing to run ─► Reactor::turn(timeout) ─► epoll_wait ──┘
//!                              │ events: [(token, readable), …]
//!                              ▼
//!         slab[token] ─► ScheduledIo::set_readiness ─► waker.wake() ─► run queue
//! ```
//!
//! The reactor owns the [`mio::Poll`]; it is the only code in coop that
//! touches it. Sources live in a [`Slab`](slab::Slab) keyed by the low bits of their
//! [`mio::Token`]; the high bits hold a generation, so an event for a socket
//! that was dropped (its slot since reused) can never wake the new owner.
//! Registering and deregistering go through an [`IoHandle`], which any
//! thread may hold: sockets are `Send`.
//!
//! Files: `driver.rs` (the [`Reactor`] and its [`IoHandle`]: mio's poll
//! and registry), `sources.rs` (the slab of sources, tokens with a
//! generation), `registration.rs` (a socket's link, the `poll_io` loop),
//! `scheduled_io.rs` (one socket's readiness word) and `waiters.rs` (who
//! waits on it).
//!
//! Under `--cfg loom` only the parts that need no OS are built
//! (`sources.rs`, `scheduled_io.rs`, `waiters.rs`): `driver.rs` and
//! `registration.rs` need mio, and the loop parks on a condition variable
//! instead (see `park.rs`). `loom_tests.rs` models what two threads do to
//! them: the reactor reporting readiness while a task registers, clears or
//! drops its socket on another thread, and a slot freed and reused there.
//!
//! # The rule: no readiness is ever lost
//!
//! An edge-triggered reactor hears of readiness once. Whatever it hears is
//! kept in the socket's `ScheduledIo` until something proves it stale, so
//! the one thing that can lose a wake-up is a clear that erases readiness
//! that is still there, or a waiter that is not woken when it comes.
//!
//! * **Who sets:** only the reactor, in `turn`, stamping the report with
//!   the turn's tick, and it wakes *every* waiter of that direction (the
//!   single `poll_*` slot and all the `async fn`s in the list,
//!   `waiters.rs`). A waiter stores its waker *then* looks at the
//!   readiness again, so a report that lands in between is seen.
//! * **Who clears:** only the task that acted on a report, with that
//!   report's tick, and only if no newer report came since (the tick
//!   changed): anything that arrived after the report the task saw is a
//!   new edge with a new tick, which the clear leaves alone.
//! * **When:** (1) the operation returned `WouldBlock`: the kernel itself
//!   says nothing is there; (2) a TCP read returned less than its buffer
//!   and the socket never had urgent data: the kernel handed over all it
//!   had. Not after a short read on a Unix stream (a read stops at a
//!   message that carried file descriptors or at `MSG_OOB` data, with more
//!   queued and no new edge to come), nor on TCP once urgent data was seen
//!   (`EPOLLPRI`: a read stops at the urgent mark); nor after a short
//!   datagram, a peek or an accept, which prove nothing about what is left.
//! * **What:** the ready bits and a pending error. An error is reported
//!   once (the syscall that returns it takes it); once an operation hits
//!   `WouldBlock` the error is gone and the wait sleeps again instead of
//!   spinning. mio's "write closed" that comes *with* an error is recorded
//!   as the error alone for that reason, unless the read side closed too
//!   (a reset: the socket is dead, and a write must not wait for an edge
//!   that never comes; `scheduled_io::ready_bits`). Hang-ups (read or write closed)
//!   and shutdown are final: operations report them instead of blocking,
//!   so they are never cleared.
//!
//! Several tasks may wait on one socket: each readiness report wakes them
//! all, and the first the loop runs takes what came; the others meet
//! `WouldBlock`, clear, and wait for the next report. The property test in
//! `model_tests.rs` checks this rule against a model of the kernel.

#[cfg(not(loom))]
mod driver;
#[cfg(not(loom))]
mod registration;
// Under loom only the models use these (the mio half is not built).
#[cfg_attr(loom, allow(dead_code))]
mod scheduled_io;
#[cfg_attr(loom, allow(dead_code))]
mod sources;
#[cfg_attr(loom, allow(dead_code))]
mod waiters;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(any(loom, miri))))]
mod model_tests;

#[cfg(not(loom))]
pub(crate) use driver::{IoHandle, Reactor};
#[cfg(not(loom))]
pub(crate) use registration::Registration;
#[allow(unused_imports)]
pub(crate) use scheduled_io::{Direction, ReadyEvent, ScheduledIo};
#[cfg(all(test, not(loom)))]
pub(crate) use sources::KEY_MASK;
