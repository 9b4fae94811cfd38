//! `signal(kind)`: a listener for one Unix signal, registered with the
//! reactor through its self-pipe (see the [module docs](super)).
//!
//! ```text
//!   Signal {
//!       kind,
//!       io: IoSource<signal_hook_mio::Signals>   // self-pipe, readable interest
//!   }
//!
//!   recv ─► IoSource::poll_read_mut(|pipe| drain; was the flag set?)
//!             yes ─► Ready(Some(()))
//!             no  ─► WouldBlock: clear readiness, wait for the next byte
//!   runtime gone ─► Ready(None)
//! ```
//!
//! Deliveries are *coalesced*: the handler sets a flag, so two signals that
//! arrive before the task drains the pipe are one `recv`. That is what
//! the kernel does with pending signals too, and what tokio documents.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

use mio::Interest;
use signal_hook_mio::v1_0::Signals;

use crate::net::io_source::IoSource;

pub use super::kind::SignalKind;

/// Largest signal number signal-hook tracks; larger ones would make it
/// panic instead of failing.
const MAX_SIGNUM: i32 = 128;

/// A listener for one kind of Unix signal, made by [`signal`].
///
/// From its creation on, every delivery of the signal to the process is
/// recorded for it; [`recv`](Signal::recv) waits for the next one (or
/// returns at once if one came since the last `recv`). Several `Signal`s
/// for the same kind each see every delivery.
///
/// ```no_run
/// use coop::signal::unix::{signal, SignalKind};
///
/// coop::block_on(async {
///     let mut hangups = signal(SignalKind::hangup())?;
///     while hangups.recv().await.is_some() {
///         println!("SIGHUP: reloading the configuration");
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[must_use = "a Signal only reports deliveries to `recv`; dropping it stops listening"]
pub struct Signal {
    kind: SignalKind,
    io: IoSource<Signals>,
}

/// Starts listening for `kind` on the current runtime's reactor.
///
/// From this call on, the signal's default action (for `SIGINT` and
/// `SIGTERM`: terminate) is replaced for the rest of the process, even
/// after the `Signal` is dropped (see the [module docs](super)).
///
/// # Errors
/// `InvalidInput` for a signal that cannot be listened for (`SIGKILL`,
/// `SIGSTOP`, `SIGSEGV`, `SIGILL`, `SIGFPE`, or a number that is no
/// signal); the OS's error if the self-pipe cannot be created or
/// registered.
///
/// # Panics
/// Outside a coop runtime, with a message that says what to do.
///
/// ```
/// use coop::signal::unix::{signal, SignalKind};
///
/// coop::block_on(async {
///     let mut usr1 = signal(SignalKind::user_defined1())?;
///     // SAFETY: `raise` has no preconditions; SIGUSR1 is handled now.
///     unsafe { libc::raise(libc::SIGUSR1) };
///     assert_eq!(usr1.recv().await, Some(()));
///
///     assert!(signal(SignalKind::from_raw(libc::SIGKILL)).is_err());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[track_caller]
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.as_raw_value();
    if signum <= 0 || signum >= MAX_SIGNUM || signal_hook::consts::FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("signal {signum} cannot be listened for (SIGKILL, SIGSTOP, SIGSEGV, SIGILL, SIGFPE and non-signals are refused)"),
        ));
    }
    // Check for a runtime before touching the process's signal handlers.
    let caller = crate::context::Caller::new("coop::signal::unix::signal");
    crate::context::with_core_for(caller, |_| ());
    let signals = Signals::new([signum])?;
    let io = IoSource::with_interest(signals, Interest::READABLE, caller)?;
    Ok(Signal { kind, io })
}

impl Signal {
    /// Waits for the next delivery of the signal. `None` once the runtime
    /// the listener was registered with has shut down (no delivery can be
    /// seen any more).
    ///
    /// Cancel-safe: dropping the future loses no delivery; the next `recv`
    /// reports it.
    ///
    /// ```no_run
    /// use coop::signal::unix::{signal, SignalKind};
    ///
    /// coop::block_on(async {
    ///     let mut terminate = signal(SignalKind::terminate())?;
    ///     terminate.recv().await;
    ///     println!("SIGTERM: exiting");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The poll behind [`recv`](Self::recv), for hand-written futures and
    /// streams: `Ready(Some(()))` if the signal came since the last
    /// report, else `Pending` (the waker is kept for the next delivery).
    ///
    /// ```
    /// use std::future::poll_fn;
    /// use std::task::Poll;
    /// use coop::signal::unix::{signal, SignalKind};
    ///
    /// coop::block_on(async {
    ///     let mut usr2 = signal(SignalKind::user_defined2())?;
    ///     poll_fn(|cx| {
    ///         assert!(usr2.poll_recv(cx).is_pending(), "nothing sent yet");
    ///         Poll::Ready(())
    ///     })
    ///     .await;
    ///     // SAFETY: `raise` has no preconditions; SIGUSR2 is handled now.
    ///     unsafe { libc::raise(libc::SIGUSR2) };
    ///     assert_eq!(poll_fn(|cx| usr2.poll_recv(cx)).await, Some(()));
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let delivered = self.io.poll_read_mut(cx, |signals| {
            // `pending` drains the self-pipe, then takes this listener's
            // flag. No flag: the byte was stale (a delivery an earlier
            // `recv` already reported), so wait for the next one.
            if signals.pending().count() > 0 {
                Ok(())
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            }
        });
        // The only error is "the runtime is gone".
        delivered.map(|result| result.ok())
    }

    /// Which signal this listener is for.
    ///
    /// ```
    /// use coop::signal::unix::{signal, SignalKind};
    ///
    /// coop::block_on(async {
    ///     let usr1 = signal(SignalKind::user_defined1())?;
    ///     assert_eq!(usr1.kind(), SignalKind::user_defined1());
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn kind(&self) -> SignalKind {
        self.kind
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("kind", &self.kind).finish()
    }
}
