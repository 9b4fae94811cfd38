//! `IoSource`: one `mio` socket plus its link to the reactor, so every
//! public socket type is a thin shell that delegates in one line.
//!
//! ```text
//!   TcpStream { io: IoSource<mio::net::TcpStream> }
//!                    │
//!                    ├── source: the non-blocking socket (owns the fd)
//!                    └── registration: token + readiness in the reactor
//!
//!   recv:  io.read_with(|s| s.recv(buf)).await       // a waiter-list entry
//!            └─► Registration::poll_io(Read, waiter, op)   // retry on WouldBlock
//!   stream read: io.poll_read_stream(cx, buf, drains)   // reader slot; + clear
//!                                                      // after a short read (TCP)
//!   drop:  deregister from epoll ─► close the fd   // in that order
//! ```
//!
//! The order on drop matters. epoll watches the *open file description*, not
//! the fd number: deregistering first means the reactor forgets the socket
//! while the fd still names it, so no event for it can arrive later with a
//! token whose slab slot has been handed to another socket.
//!
//! Everything here takes `&self`. A stream's `poll_read`/`poll_write` wait
//! in the reactor's single reader and writer slots (one task per direction,
//! as `AsyncRead` and split halves have it); `read_with`/`write_with`, the
//! `async fn`s (`accept`, `recv`, `send_to`, `peek`, …), wait in the
//! socket's waiter list, so any number of tasks can wait in them at once.
//! Every readiness report wakes all of that direction's waiters; the first
//! the loop runs takes the connection or datagram, and the others see
//! `WouldBlock` and wait again (`reactor/waiters.rs`). `IoSource` is
//! `Send + Sync` whenever the socket is: the registration's state lives
//! behind atomics and a mutex.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

use mio::event::Source;
use mio::Interest;

use crate::context::Caller;
use crate::reactor::{Direction, Registration};

/// Readable, writable and, where the OS has it, urgent data (`EPOLLPRI`):
/// the reactor must learn of urgent data, since a read stops at its mark
/// (see `reactor/mod.rs`).
#[cfg(any(target_os = "linux", target_os = "android"))]
const INTEREST: Interest = Interest::READABLE
    .add(Interest::WRITABLE)
    .add(Interest::PRIORITY);
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const INTEREST: Interest = Interest::READABLE.add(Interest::WRITABLE);

/// Whether a short read on a TCP stream may clear the readiness: only
/// where the reactor hears of urgent data, the one thing that stops a TCP
/// read early with more queued.
pub(crate) const TCP_SHORT_READ_DRAINS: bool =
    cfg!(any(target_os = "linux", target_os = "android"));

/// A `mio` source registered with the current runtime's reactor for both
/// reading and writing.
pub(crate) struct IoSource<S: Source> {
    /// `None` only after [`IoSource::into_inner`] took it out.
    source: Option<S>,
    registration: Registration,
}

impl<S: Source> IoSource<S> {
    /// Registers `source` with the runtime running on this thread, for the
    /// public function `caller` (`TcpListener::bind`, ...).
    ///
    /// # Panics
    /// Outside a runtime, naming `caller` (see `context::with_core_for`).
    #[track_caller]
    pub(crate) fn new(source: S, caller: Caller) -> io::Result<IoSource<S>> {
        IoSource::with_interest(source, INTEREST, caller)
    }

    /// Registers `source` for `interest` only (a signal listener's
    /// self-pipe is only ever read).
    ///
    /// # Panics
    /// Outside a runtime, naming `caller` (see `context::with_core_for`).
    #[track_caller]
    pub(crate) fn with_interest(
        mut source: S,
        interest: Interest,
        caller: Caller,
    ) -> io::Result<IoSource<S>> {
        let registration = Registration::new(&mut source, interest, caller)?;
        Ok(IoSource {
            source: Some(source),
            registration,
        })
    }

    /// The socket, for calls that need no readiness (addresses, options).
    pub(crate) fn get_ref(&self) -> &S {
        self.source
            .as_ref()
            .expect("IoSource used after into_inner (a coop bug)")
    }

    /// Runs the non-blocking write-side `op` until it does not hit
    /// `WouldBlock`, waiting for writability in the writer slot in between
    /// (one task at a time: a stream's `poll_write`).
    pub(crate) fn poll_write<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let source = self.get_ref();
        let mut op = op;
        self.registration
            .poll_io(cx, Direction::Write, None, || op(source))
    }

    /// One read of a byte stream into `buf`, waiting in the reader slot. A
    /// short read (some bytes, less than `buf` holds) drained the socket
    /// when `short_read_drains` (TCP), so it clears the readiness too (see
    /// `reactor/registration.rs`); a Unix stream read also stops at a
    /// message that carried file descriptors or other credentials, with
    /// more data queued and no new event to come, so it passes `false`.
    ///
    /// An empty `buf` returns `Ok(0)` at once, as `read(2)` does, without
    /// waiting for readiness (there is nothing to wait for) and without
    /// consuming anything.
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        short_read_drains: bool,
    ) -> Poll<io::Result<usize>>
    where
        for<'a> &'a S: io::Read,
    {
        let (source, len) = (self.get_ref(), buf.len());
        if len == 0 {
            return Poll::Ready(Ok(0));
        }
        self.registration.poll_io_drain(
            cx,
            Direction::Read,
            None,
            || io::Read::read(&mut &*source, buf),
            |&n| short_read_drains && 0 < n && n < len,
        )
    }

    /// [`poll_read`](Self::poll_read) for sources whose read side takes
    /// `&mut` (a signal listener drains its self-pipe through `&mut self`).
    pub(crate) fn poll_read_mut<R>(
        &mut self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&mut S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let source = self
            .source
            .as_mut()
            .expect("IoSource used after into_inner (a coop bug)");
        self.registration
            .poll_io(cx, Direction::Read, None, || op(source))
    }

    /// Runs `op` until it does not hit `WouldBlock`, waiting for `dir` in
    /// the socket's waiter list: any number of tasks may do so at once.
    async fn wait_with<R>(
        &self,
        dir: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        let source = self.get_ref();
        let mut waiter = self.registration.waiter();
        poll_fn(|cx| {
            self.registration
                .poll_io(cx, dir, Some(&mut waiter), || op(source))
        })
        .await
    }

    /// Runs the read-side `op` until it does not hit `WouldBlock`, for
    /// `async fn`s such as `accept` and `recv` (several tasks may wait).
    pub(crate) async fn read_with<R>(&self, op: impl FnMut(&S) -> io::Result<R>) -> io::Result<R> {
        self.wait_with(Direction::Read, op).await
    }

    /// Runs the write-side `op` until it does not hit `WouldBlock`, for
    /// `async fn`s such as `send_to` (several tasks may wait).
    pub(crate) async fn write_with<R>(&self, op: impl FnMut(&S) -> io::Result<R>) -> io::Result<R> {
        self.wait_with(Direction::Write, op).await
    }

    /// Waits for the first writable (or hang-up, or error) report: how a
    /// non-blocking `connect` says it has finished. Then `check` looks at
    /// the socket; `Ok(false)` means "not connected yet" and waits again.
    pub(crate) async fn connected(&self, check: impl Fn(&S) -> io::Result<bool>) -> io::Result<()> {
        poll_fn(|cx| loop {
            let event = std::task::ready!(self.registration.poll_write_ready(cx))?;
            match check(self.get_ref()) {
                Ok(true) => return Poll::Ready(Ok(())),
                Ok(false) if event.is_write_closed() => {
                    // Hung up without an error: nothing will change.
                    return Poll::Ready(Err(io::ErrorKind::NotConnected.into()));
                }
                Ok(false) => self.registration.clear_readiness(event),
                Err(e) => return Poll::Ready(Err(e)),
            }
        })
        .await
    }

    /// Deregisters and hands the socket back (for `into_std`).
    pub(crate) fn into_inner(mut self) -> io::Result<S> {
        let mut source = self
            .source
            .take()
            .expect("IoSource used after into_inner (a coop bug)");
        self.registration.deregister(&mut source)?;
        Ok(source)
    }
}

impl<S: Source> Drop for IoSource<S> {
    fn drop(&mut self) {
        if let Some(mut source) = self.source.take() {
            // Deregister while the fd is still open; closing comes after,
            // when `source` drops at the end of this block. An error here
            // (the runtime is gone) leaves nothing to undo.
            let _ = self.registration.deregister(&mut source);
        }
    }
}

impl<S: Source + fmt::Debug> fmt::Debug for IoSource<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => source.fmt(f),
            None => f.write_str("IoSource(taken)"),
        }
    }
}

/// `AsRawFd` and `AsFd` for socket types with an `io: IoSource<_>` field,
/// for socket options coop does not wrap (`setsockopt` through `libc` or
/// `socket2::SockRef`). Do not read or write through the descriptor: the
/// reactor would not learn about it.
macro_rules! impl_as_fd {
    ($($ty:ty),* $(,)?) => {$(
        impl ::std::os::fd::AsRawFd for $ty {
            fn as_raw_fd(&self) -> ::std::os::fd::RawFd {
                self.io.get_ref().as_raw_fd()
            }
        }

        impl ::std::os::fd::AsFd for $ty {
            fn as_fd(&self) -> ::std::os::fd::BorrowedFd<'_> {
                self.io.get_ref().as_fd()
            }
        }
    )*};
}

impl_as_fd!(
    crate::net::TcpListener,
    crate::net::TcpStream,
    crate::net::UdpSocket,
    crate::net::UnixListener,
    crate::net::UnixStream,
    crate::net::UnixDatagram,
);
