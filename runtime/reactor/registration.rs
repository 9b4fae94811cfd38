//! `Registration`: a socket's link to the reactor, the API the `net` types
//! are built on.
//!
//! The pattern every I/O operation follows on an edge-triggered reactor:
//!
//! ```text
//!  loop {
//!      event = poll_ready(direction)?     // Pending until the reactor says ready
//!      match op() {                       // the actual non-blocking syscall
//!          Err(WouldBlock) => clear(event),  // readiness was stale: wait again
//!          result => return result,          // done (data, EOF or a real error)
//!      }
//!  }
//! ```
//!
//! [`Registration::poll_io`] is that loop. Readiness is cleared on
//! `WouldBlock`, so a spurious wake-up costs one failed syscall and nothing
//! else. A TCP stream's read also clears it when it returns less than the
//! buffer could hold ([`Registration::poll_io_drain`]): the kernel hands
//! over all it has, so a short read has drained the socket, and the next
//! read waits for the next edge instead of paying a `WouldBlock` first
//! (one `read` per echo round trip instead of ≈ 1.1). Data that arrives
//! after the read is a new edge: the reactor records it with a new tick,
//! which the clear leaves alone. Where a short read is *not* the end (urgent
//! data, a Unix stream's message boundaries) the clear is skipped; see
//! `reactor/mod.rs` for the rule.
//!
//! Every wait names its waiter: `None` for the direction's single slot
//! (`AsyncRead`/`AsyncWrite`), or a [`Waiter`] that an `async fn` keeps
//! for as long as it waits, so any number of tasks can wait at once.

use std::io;
use std::task::{ready, Context, Poll};

use mio::Interest;

use super::scheduled_io::{Direction, ReadyEvent, ScheduledIo};
use super::waiters::WaiterKey;
use super::IoHandle;
use crate::context::{Caller, SocketWatch};
use crate::loom::sync::Arc;

/// A source registered with the current runtime's reactor.
///
/// Dropping it frees its slot but cannot deregister the source (it does not
/// own it); owners call [`deregister`](Self::deregister) before closing the
/// file descriptor (`net/io_source.rs` does).
pub(crate) struct Registration {
    handle: Arc<IoHandle>,
    io: Arc<ScheduledIo>,
    /// Warns once if the socket waits where no loop drives it.
    watch: SocketWatch,
}

impl Registration {
    /// Registers `source` with the reactor of the runtime running on this
    /// thread.
    ///
    /// # Panics
    /// Outside a runtime, with a message that names `caller`'s public
    /// function and line and says what to do.
    #[track_caller]
    pub(crate) fn new<S: mio::event::Source>(
        source: &mut S,
        interest: Interest,
        caller: Caller,
    ) -> io::Result<Registration> {
        let (handle, runtime) =
            crate::context::with_core_for(caller, |core| (core.io_handle().clone(), core.id()));
        let io = handle.register(source, interest)?;
        let watch = SocketWatch::new::<S>(runtime);
        Ok(Registration { handle, io, watch })
    }

    /// Waits until the source is readable (or closed, or errored).
    #[allow(dead_code)] // `net` reads through `poll_io`; kept for readiness-only waits
    pub(crate) fn poll_read_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Read, None)
    }

    /// Waits until the source is writable (or closed, or errored).
    pub(crate) fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<ReadyEvent>> {
        self.poll_ready(cx, Direction::Write, None)
    }

    /// A list entry for one `async fn`'s wait; it frees itself on drop.
    pub(crate) fn waiter(&self) -> Waiter<'_> {
        Waiter {
            io: &self.io,
            key: WaiterKey::default(),
        }
    }

    fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        waiter: Option<&mut Waiter<'_>>,
    ) -> Poll<io::Result<ReadyEvent>> {
        let charge = ready!(crate::budget::poll_proceed(cx));
        let key = waiter.map(|w| {
            debug_assert!(std::ptr::eq(w.io, &*self.io), "a waiter of another socket");
            &mut w.key
        });
        let Poll::Ready(event) = self.io.poll_ready(cx, dir, key) else {
            // About to wait: will anything wake us? (`context::SocketWatch`)
            self.watch.check();
            return Poll::Pending;
        };
        charge.made_progress();
        if event.is_shutdown() {
            // The runtime is gone; without this the caller's operation would
            // hit `WouldBlock` and wait again, forever.
            return Poll::Ready(Err(io::Error::other(
                "the coop runtime this socket was registered with has shut down",
            )));
        }
        Poll::Ready(Ok(event))
    }

    /// Forgets readiness that turned out stale (the operation hit
    /// `WouldBlock`).
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        self.io.clear_readiness(event);
    }

    /// Runs the non-blocking operation `op` until it does something other
    /// than `WouldBlock`, waiting for `dir` readiness in between (in the
    /// direction's slot, or in `waiter`'s list entry).
    pub(crate) fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        waiter: Option<&mut Waiter<'_>>,
        op: impl FnMut() -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io_drain(cx, dir, waiter, op, |_| false)
    }

    /// [`poll_io`](Self::poll_io), and also clears the readiness after a
    /// success for which `drained` says the source has nothing left (a
    /// short read on a TCP stream; see the module docs).
    pub(crate) fn poll_io_drain<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut waiter: Option<&mut Waiter<'_>>,
        mut op: impl FnMut() -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let event = ready!(self.poll_ready(cx, dir, waiter.as_deref_mut()))?;
            match op() {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.clear_readiness(event),
                Ok(done) => {
                    if drained(&done) {
                        self.io.clear_drained(event);
                    }
                    return Poll::Ready(Ok(done));
                }
                result => return Poll::Ready(result),
            }
        }
    }

    /// Removes `source` from the reactor. Call before closing it.
    pub(crate) fn deregister(&self, source: &mut impl mio::event::Source) -> io::Result<()> {
        self.handle.deregister(source, &self.io)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        // A no-op after `deregister`: the slot is freed only if it still
        // holds this registration's record.
        self.handle.release(&self.io);
    }
}

impl std::fmt::Debug for Registration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.io.token)
            .finish()
    }
}

/// One `async fn`'s place in a socket's waiter list (see
/// `reactor/waiters.rs`): made by [`Registration::waiter`], passed to every
/// poll of that operation, and freed when the operation's future is
/// dropped, finished or not.
pub(crate) struct Waiter<'a> {
    io: &'a ScheduledIo,
    key: WaiterKey,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        // No lock when the operation never had to wait.
        if self.key.0.is_some() {
            self.io.remove_waiter(&mut self.key);
        }
    }
}
