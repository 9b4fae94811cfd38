//! Signals on the loop: `SIGINT`, `SIGTERM`, `SIGUSR1`… as something a
//! task can `.await`.
//!
//! A signal handler may do almost nothing (no locks, no allocation, no
//! waking a task), so the handler only writes one byte into a *self-pipe*:
//! a socket pair whose reading end is registered with the reactor like any
//! other socket. The byte makes the reading end readable; the reactor wakes
//! the task waiting in [`unix::Signal::recv`], which drains the pipe and
//! checks which signal came.
//!
//! ```text
//!   kill(pid, SIGUSR1)
//!     └─► signal-hook's handler (any thread): flag SIGUSR1, write 1 byte ─┐
//!                                                                         │
//!   loop: park in epoll_wait ◄── self-pipe readable ◄─────────────────────┘
//!     └─► reactor wakes the task in Signal::recv
//!           └─► drain the pipe, take the flag ─► Ready(Some(()))
//! ```
//!
//! The handler and the self-pipe come from `signal-hook` and
//! `signal-hook-mio`, not from coop: getting async-signal-safety right is
//! their whole job. Every [`unix::Signal`] has its own self-pipe, and
//! signal-hook runs every registered listener of a signal, so several
//! `Signal`s for one kind are each woken by every delivery.
//!
//! | file | what it is |
//! |---|---|
//! | `mod.rs` | [`ctrl_c`] |
//! | `kind.rs` | [`unix::SignalKind`]: which signal |
//! | `unix.rs` | [`unix::signal`], [`unix::Signal`]: a listener on the reactor |
//!
//! Listening replaces the signal's default action **for the rest of the
//! process**, as in tokio: once a program has listened for `SIGINT`,
//! Ctrl-C no longer kills it, even after the listener is dropped. Not built
//! under `--cfg loom` (no reactor there).

mod kind;
pub mod unix;

use std::io;

use unix::{signal, SignalKind};

/// Completes when the process receives `SIGINT` (Ctrl-C in a terminal).
///
/// The listener is registered on the first poll; a `SIGINT` that arrives
/// before that is not seen by this future, and from the first poll on the
/// default action (terminating the process) is gone for good (see the
/// [module docs](self)). To handle Ctrl-C more than once, keep one
/// [`unix::Signal`] for [`SignalKind::interrupt`] instead.
///
/// # Errors
/// If the listener cannot be set up (no descriptors left for its
/// self-pipe), or if the runtime it was registered with shut down.
///
/// # Panics
/// When first polled outside a coop runtime.
///
/// ```no_run
/// coop::block_on(async {
///     let server = coop::spawn(async { /* serve… */ });
///     coop::signal::ctrl_c().await?;
///     println!("Ctrl-C: shutting down");
///     server.abort();
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn ctrl_c() -> io::Result<()> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    interrupt.recv().await.ok_or_else(|| {
        io::Error::other("the coop runtime this Ctrl-C listener was registered with has shut down")
    })
}
