//! # coop: an event loop you can read
//!
//! coop is a single-threaded async runtime for Rust, written to be
//! understood: an executor, a `mio` reactor and timers, driven by one loop.
//!
//! Concurrency is about managing waiting, not doing more work at once. The
//! loop picks a task, polls it until it awaits something that is not ready,
//! then switches to the next. Nothing runs in parallel; a task that waits
//! costs nothing while it waits.
//!
//! ```text
//!      spawn(fut)                                    waker.wake()
//!          │                                              ▲
//!          ▼                                              │
//!   ┌─────────────┐  pick   ┌──────────────┐  Pending  ┌───┴──────────────────┐
//!   │  run queue  │───────► │ poll the task│─────────► │ task waits: its waker │
//!   │ (FIFO)      │         │ until .await │           │ sits with a socket,   │
//!   └─────────────┘         └──────┬───────┘           │ a timer, a channel…   │
//!          ▲                       │ Ready             └──────────▲───────────┘
//!          │                       ▼                              │
//!          │               output → JoinHandle                    │
//!          │                                                      │
//!          │        nothing to run?  park in epoll until the next │
//!          └──────  timer or socket event; fire it ───────────────┘
//! ```
//!
//! ## A first program
//!
//! ```
//! use std::time::Duration;
//!
//! coop::block_on(async {
//!     println!("start");
//!     coop::time::sleep(Duration::from_millis(10)).await;
//!     println!("end");
//! });
//! ```
//!
//! ## Where things are
//!
//! | file | what it is |
//! |---|---|
//! | `runtime.rs` | [`Runtime`], [`Builder`], [`block_on`] |
//! | `executor/mod.rs` | the loop: pick, poll, switch, park |
//! | `executor/run_queue.rs` | the local and remote run queues |
//! | `executor/queue_policy.rs` | [`QueuePolicy`]: FIFO, LIFO or seeded random picks |
//! | `executor/turn.rs` | [`Turn`]: what one [`Runtime::turn`] did |
//! | `observe/` | the one seam the loop reports to: [`Metrics`], wake sources ([`task::WakeSource`]), the per-task facts (kept in each task header) behind [`Runtime::tasks`] ([`task::TaskSnapshot`]), the slow-poll warning, the poll clock; `timeline/` (feature `timeline`) |
//! | `executor/owned.rs` | the list of every live task, so shutdown can drop them |
//! | `executor/shared.rs` | what other threads touch: remote queue, unpark |
//! | `executor/waiting.rs` | what each waiting task waits on ([`task::WaitingOn`]), looked up when [`Runtime::tasks`] is called |
//! | `handle.rs` | [`Handle`]: spawn on the loop from any thread |
//! | `blocking/` | the blocking pool behind [`spawn_blocking`] |
//! | `park_thread.rs` | waiting on a future from a plain thread ([`Handle::block_on`], [`JoinHandle::join_blocking`]) |
//! | `task/` | one allocation per task; `state.rs` (the state machine), `waker.rs` (the waker), `join.rs` ([`JoinHandle`]), `abort.rs` ([`task::AbortHandle`]), `join_set/` ([`task::JoinSet`]), `builder.rs` ([`task::Builder`], [`task::id`]), `wake_source.rs` ([`task::WakeSource`]), `waiting_on.rs` ([`task::WaitingOn`]) and `join_peek.rs` (the snapshot's look at a join waker) |
//! | `reactor/` | `mio::Poll`, sources in a slab, readiness → wake-ups |
//! | `net/` | sockets on the reactor: [`net::TcpListener`], [`net::TcpStream`], [`net::UdpSocket`], [`net::TcpSocket`] (socket options before bind), Unix sockets |
//! | `per_core/` | thread-per-core: [`per_core::run`] starts N loops on N threads (optionally pinned), each with its own runtime, and gathers their results |
//! | `signal/` | Unix signals on the reactor: [`signal::ctrl_c`], [`signal::unix::signal`] |
//! | `sync/` | tasks working together: [`sync::oneshot`], [`sync::mpsc`], [`sync::Notify`], [`sync::Semaphore`], [`sync::Mutex`], [`sync::watch`], on one FIFO wait list (`wait_list.rs`) |
//! | `time/` | the timer heap, [`time::sleep`], [`time::timeout`], [`time::interval`]; `clock.rs` (the runtime's clock, real or paused), `pause.rs` ([`time::pause`], [`time::advance`]) |
//! | `future.rs`, `stream.rs` | [`join!`], [`select!`], [`future::FutureExt`], [`stream::StreamExt`]: re-exported from `futures-util` |
//! | `park.rs` | the seam between the loop and what it sleeps on |
//! | `fuzz.rs` | under `cfg(fuzzing)` only: the timer heap and its model (`time/heap_model.rs`, shared with its proptest) opened to `fuzz/` (`scripts/fuzz.sh`) |
//! | `budget.rs` | the cooperative budget |
//! | `catch.rs` | catching panics of user code that runs outside a task's poll |
//! | `context.rs` | the thread-local "current runtime"; which loops are running, so a socket waiting where none drives it warns |
//! | `../macros/` | `#[coop::main]`, `#[coop::test]`: the `coop-macros` crate, re-exported with the default feature `macros` |
//! | `loom.rs` | the one sync shim (std or loom types) |
//! | `trace.rs` | every `tracing` span and event |
//!
//! ## The life of a spawned future
//!
//! 1. [`spawn`] finds the current runtime (`context.rs`), allocates the task
//!    (`task/raw.rs`), records it in the loop's task list and pushes it on
//!    the local run queue.
//! 2. The loop (`executor/mod.rs`) pops it, marks it running
//!    (`task/state.rs`) and polls it inside a `task.poll` span
//!    (`task/harness.rs`).
//! 3. `Pending`: the future left a clone of its waker with a socket
//!    (`reactor/`), a timer (`time/`) or another task.
//! 4. With nothing to run, the loop parks until the nearest timer: in
//!    `epoll_wait` while sockets are registered (events wake the sockets'
//!    wakers), else on a condition variable (`park.rs`); due timers fire.
//! 5. The wake (`task/waker.rs`) sets `SCHEDULED` and pushes the task on the
//!    local queue, or, from another thread, the remote queue plus an
//!    unpark of the sleeping loop (a futex wake, or an eventfd write while
//!    it sleeps in `epoll_wait`).
//! 6. `Ready`: the output is stored, the `JoinHandle`'s waker is woken, the
//!    task leaves the list.
//! 7. Dropping the [`Runtime`] drops every task still pending, on its thread.
//!
//! ## Threads around the loop
//!
//! The loop is one thread, but the world around it is not:
//!
//! * [`spawn_blocking`] runs CPU-heavy or blocking closures on a pool of
//!   threads beside the loop (see `blocking/`), so they neither freeze the
//!   loop nor run one after another.
//! * A [`Handle`] (`Send + Sync + Clone`) lets any thread spawn a `Send`
//!   future on the loop ([`Handle::spawn`]), run a future on its own thread
//!   ([`Handle::block_on`]), or wait for a [`JoinHandle`] without a loop
//!   ([`JoinHandle::join_blocking`]).
//! * Wake-ups and spawns from other threads arrive through one remote
//!   queue plus an unpark (a futex wake, or an eventfd write,
//!   [`mio::Waker`], while the loop sleeps in `epoll_wait`); the loop
//!   alternates between that queue and its local one, so neither floods the
//!   other out.
//!
//! ```
//! let rt = coop::Runtime::new()?;
//! let sum = rt.block_on(async {
//!     let on_pool = coop::spawn_blocking(|| (1..=10u32).sum::<u32>());
//!     on_pool.await.unwrap()
//! });
//! assert_eq!(sum, 55);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Model-checking with loom, in coop and in your crate
//!
//! Every atomic, mutex, condition variable, shared cell and thread that two
//! threads touch comes from one shim (`loom.rs`). Built with
//! `RUSTFLAGS="--cfg loom"`, coop uses [loom](https://docs.rs/loom)'s types
//! and parks its loop on a loom condition variable instead of `epoll`, so a
//! crate that depends on coop can write a `loom::model` that builds a
//! [`Runtime`], spawns tasks, uses [`Handle::spawn`], [`JoinHandle`] and
//! [`spawn_blocking`] (whose pool threads become loom threads), and have
//! loom explore every interleaving of its own code *and* the runtime's.
//! `examples/loom-downstream/` is such a crate; `scripts/loom-downstream.sh`
//! runs its model. Under loom:
//!
//! * there are no sockets: the `mio` reactor is not built (only its
//!   per-socket readiness state, for coop's own models);
//! * there is no clock: a park with a timeout is a yield; an idle pool
//!   thread exits at once with `Builder::thread_keep_alive(Duration::ZERO)`
//!   and with any other keep-alive waits until a job or shutdown comes
//!   (so a model picks which path it explores); shutdown waits for running
//!   jobs without a bound. Keep timers out of models;
//! * threads count toward loom's limit (4 besides the main one): give the
//!   runtime `Builder::max_blocking_threads(1)` in a model.
//!
//! coop's own models live beside what they model (`task/loom_tests.rs`,
//! `task/join_peek.rs`, `task/join_set/loom_tests.rs`, `executor/shared.rs`,
//! `executor/loom_tests.rs`, `blocking/loom_tests.rs`, `handle.rs`,
//! `park.rs` and `park_futex.rs`, `sync/loom_tests.rs`,
//! `reactor/loom_tests.rs`):
//! `RUSTFLAGS="--cfg loom -C debug-assertions" LOOM_MAX_PREEMPTIONS=2 cargo test --release --lib`.
//!
//! ## Seeing the loop
//!
//! [`Runtime::turn`] runs one step (one task polled once, or one look at
//! I/O and timers that never sleeps) and says what it did;
//! [`Runtime::run_until_stalled`] turns until nothing is runnable.
//! [`Runtime::tasks`] lists every live task with its state, poll count and
//! what woke it last; [`Runtime::metrics`] counts what the loop did;
//! [`Builder::queue_policy`] replays an interleaving from a seed;
//! [`Builder::slow_poll_threshold`] names a task that blocked the loop.
//!
//! ```
//! use coop::Turn;
//!
//! let rt = coop::Runtime::new()?;
//! let task = rt.spawn(async { coop::yield_now().await });
//! assert_eq!(rt.turn(), Turn::Polled { task: task.id(), ready: false });
//! assert_eq!(rt.tasks()[0].polls(), 1);
//! rt.run_until_stalled();
//! assert!(task.is_finished());
//! assert_eq!(rt.metrics().polls, 2);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! With the cargo feature `timeline`, `COOP_TIMELINE=path` in the
//! environment makes each runtime record its polls, wakes and parks and,
//! when dropped, draw them: `path.svg` (a lane per task, a bar per poll,
//! parks as gaps, wakes as arrows) and `path.json` (Chrome trace events for
//! Perfetto). See `observe/timeline/`; `docs/TOUR.md` follows one sleep
//! through the code with that picture beside it.
//!
//! ## Tracing
//!
//! Every step above emits a `tracing` event (see `trace.rs` for the names);
//! `cargo run --example trace_loop` prints them.

#![warn(missing_docs, missing_debug_implementations)]

mod blocking;
mod budget;
mod catch;
mod context;
mod executor;
pub mod future;
// Crate-private parts opened to `fuzz/` (cargo fuzz sets cfg(fuzzing)).
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzz;
mod handle;
mod loom;
#[cfg(not(loom))]
pub mod net;
mod observe;
mod park;
#[cfg(all(target_os = "linux", not(miri)))]
mod park_futex;
mod park_thread;
#[cfg(not(loom))]
pub mod per_core;
mod reactor;
mod runtime;
#[cfg(not(loom))]
pub mod signal;
pub mod stream;
pub mod sync;
pub mod task;
pub mod time;
mod trace;
mod yield_now;

pub use blocking::{
    spawn_blocking, DEFAULT_MAX_BLOCKING_THREADS, DEFAULT_SHUTDOWN_TIMEOUT,
    DEFAULT_THREAD_KEEP_ALIVE,
};
pub use budget::DEFAULT_BUDGET;
#[cfg(feature = "macros")]
pub use coop_macros::{main, test};
pub use executor::{QueuePolicy, Turn};
pub use handle::Handle;
pub use observe::Metrics;
pub use runtime::{block_on, Builder, Runtime, DEFAULT_EVENT_INTERVAL, DEFAULT_REMOTE_INTERVAL};
pub use task::{spawn, JoinError, JoinHandle, TaskId};
pub use yield_now::{yield_now, YieldNow};

// Combinators from `futures-util`, at the root as tokio has them.
pub use future::{join, pin_mut, select, select_biased, try_join};
