//! `IoSource`: one `mio` socket plus its link to the reactor, so every
//! public socket type is a thin shell that delegates in one line.
//!
//! ```text
//!   TcpStream { io: IoSource<mio::net::TcpStream> }
//!                    │
//!                    ├── source: the non-blocking socket (owns the fd)
//!                    └── registration: token + readiness in the reactor
//!
//!   read:  io.poll_read(cx, |s| s.read(buf))
//!            └─► Registration::poll_io(Read, op)   // retry on WouldBlock
//!   stream read: io.poll_read_stream(cx, buf)      // + clear after a short read
//!   drop:  deregister from epoll ─► close the fd   // in that order
//! ```
//!
//! The order on drop matters. epoll watches the *open file description*, not
//! the fd number: deregistering first means the reactor forgets the socket
//! while the fd still names it, so no event for it can arrive later with a
//! token whose slab slot has been handed to another socket.
//!
//! Everything here takes `&self`: the reactor keeps one waker for a reader
//! and one for a writer, so a read and a write (two split halves, two tasks)
//! can wait on one socket at the same time. `IoSource` is `Send + Sync`
//! whenever the socket is: the registration's state lives behind atomics
//! and a mutex.

use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};

use mio::event::Source;
use mio::Interest;

use crate::context::Caller;
use crate::reactor::{Direction, Registration};

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
    pub(crate) fn new(mut source: S, caller: Caller) -> io::Result<IoSource<S>> {
        let interest = Interest::READABLE | Interest::WRITABLE;
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

    /// Runs the non-blocking read-side `op` until it does not hit
    /// `WouldBlock`, waiting for readability in between.
    pub(crate) fn poll_read<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Read, op)
    }

    /// Runs the non-blocking write-side `op` until it does not hit
    /// `WouldBlock`, waiting for writability in between.
    pub(crate) fn poll_write<R>(
        &self,
        cx: &mut Context<'_>,
        op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_io(cx, Direction::Write, op)
    }

    /// One read of a byte stream into `buf`. A short read (some bytes, less
    /// than `buf` holds) drained the socket, so it clears the readiness too
    /// (see `reactor/registration.rs`).
    pub(crate) fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>>
    where
        for<'a> &'a S: io::Read,
    {
        let (source, len) = (self.get_ref(), buf.len());
        self.registration.poll_io_drain(
            cx,
            Direction::Read,
            || io::Read::read(&mut &*source, buf),
            |&n| 0 < n && n < len,
        )
    }

    fn poll_io<R>(
        &self,
        cx: &mut Context<'_>,
        dir: Direction,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        let source = self.get_ref();
        self.registration.poll_io(cx, dir, || op(source))
    }

    /// `poll_read` as a future, for `async fn`s such as `accept` and `recv`.
    pub(crate) async fn read_with<R>(
        &self,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_read(cx, &mut op)).await
    }

    /// `poll_write` as a future, for `async fn`s such as `send_to`.
    pub(crate) async fn write_with<R>(
        &self,
        mut op: impl FnMut(&S) -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_write(cx, &mut op)).await
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
