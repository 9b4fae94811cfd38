//! `UnixStream`: a connected Unix domain stream socket on the loop.
//!
//! Everything works as for [`TcpStream`](crate::net::TcpStream): reads and
//! writes through `futures-io`, borrowed and owned split halves. Connecting
//! to a local listener completes at once or fails at once (`WouldBlock` if
//! its backlog is full); coop still waits for the first writable report and
//! checks `SO_ERROR`, as for TCP.
//!
//! Concurrent waiters as for `TcpStream`. Unlike TCP, a read shorter than
//! its buffer proves nothing: the kernel stops a Unix stream read at a
//! message that carried file descriptors (or other credentials) and at
//! `MSG_OOB` data, with more queued and no new event to come. So readiness
//! is cleared only when a read returns `WouldBlock`.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::context::Caller;
use crate::net::io_source::IoSource;
use crate::net::split;
use crate::net::stream_io::impl_stream_io;
use crate::net::unix::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

use super::peek;

/// A Unix domain stream connection. Read and write it with
/// `futures-util`'s `AsyncReadExt` and `AsyncWriteExt`.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
///
/// coop::block_on(async {
///     let (mut a, mut b) = coop::net::UnixStream::pair()?;
///     a.write_all(b"over the pair").await?;
///     let mut buf = [0; 13];
///     b.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"over the pair");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixStream {
    pub(in crate::net) io: IoSource<mio::net::UnixStream>,
}

impl_stream_io!(UnixStream, short_read_drains: false);

impl UnixStream {
    /// Connects to the listener at `path`. On Linux, a `path` that starts
    /// with a NUL byte (`"\0name"`) names an abstract socket (see
    /// [`UnixListener::bind`](crate::net::UnixListener::bind)).
    ///
    /// # Errors
    /// `NotFound` if no socket file is there, `ConnectionRefused` if nothing
    /// listens on it, `WouldBlock` if its backlog is full; `InvalidInput`
    /// for a path longer than a socket address holds (108 bytes on Linux)
    /// or with a NUL byte past the first.
    ///
    /// # Panics
    /// When first polled outside a coop runtime, naming this function and
    /// the line that called it (making the future outside one is fine).
    ///
    /// ```
    /// use coop::net::{UnixListener, UnixStream};
    ///
    /// let path = std::env::temp_dir().join(format!("coop-doc-uconnect-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let _listener = UnixListener::bind(&path)?;
    ///     let stream = UnixStream::connect(&path).await?;
    ///     assert_eq!(stream.peer_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn connect(path: impl AsRef<Path>) -> impl Future<Output = io::Result<UnixStream>> {
        // Noted here: an `async fn` cannot be `#[track_caller]`.
        let caller = Caller::new("UnixStream::connect");
        async move {
            let addr = super::addr::socket_addr(path.as_ref())?;
            let stream = UnixStream::from_mio(mio::net::UnixStream::connect_addr(&addr)?, caller)?;
            stream
                .io
                .connected(|s| match s.take_error()? {
                    Some(e) => Err(e),
                    None => Ok(true),
                })
                .await?;
            Ok(stream)
        }
    }

    /// A pair of streams connected to each other (`socketpair(2)`).
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, b) = coop::net::UnixStream::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed() && b.local_addr()?.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn pair() -> io::Result<(UnixStream, UnixStream)> {
        let (a, b) = mio::net::UnixStream::pair()?;
        let caller = Caller::new("UnixStream::pair");
        Ok((
            UnixStream::from_mio(a, caller)?,
            UnixStream::from_mio(b, caller)?,
        ))
    }

    #[track_caller]
    pub(super) fn from_mio(stream: mio::net::UnixStream, caller: Caller) -> io::Result<UnixStream> {
        Ok(UnixStream {
            io: IoSource::new(stream, caller)?,
        })
    }

    /// The address of the other end.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixStream::pair()?;
    ///     assert!(a.peer_addr()?.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The address of this end.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixStream::pair()?;
    ///     assert!(a.local_addr()?.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Shuts down the read side, the write side, or both. After
    /// `Shutdown::Write` the peer reads end-of-file.
    ///
    /// ```
    /// use futures_util::AsyncReadExt;
    ///
    /// coop::block_on(async {
    ///     let (a, mut b) = coop::net::UnixStream::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(b.read(&mut buf).await?, 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Waits for data and copies it into `buf` without consuming it: the
    /// next read returns the same bytes. Returns how many were copied;
    /// `Ok(0)` means the peer shut down writing (or `buf` is empty).
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    ///
    /// coop::block_on(async {
    ///     let (mut a, mut b) = coop::net::UnixStream::pair()?;
    ///     a.write_all(b"abc").await?;
    ///     let mut buf = [0; 3];
    ///     let n = b.peek(&mut buf).await?;
    ///     assert_eq!(&buf[..n], &b"abc"[..n]);
    ///     b.read_exact(&mut buf).await?; // still there
    ///     assert_eq!(&buf, b"abc");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| peek::peek(s, buf)).await
    }

    /// Borrows the stream as a read half and a write half usable at the
    /// same time. See [`TcpStream::split`](crate::net::TcpStream::split).
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    ///
    /// coop::block_on(async {
    ///     let (mut a, mut b) = coop::net::UnixStream::pair()?;
    ///     // Not `a.split()`: `AsyncReadExt` has a `split` too (see `coop::net::split`).
    ///     let (mut read, mut write) = coop::net::UnixStream::split(&mut a);
    ///     write.write_all(b"x").await?;
    ///     b.write_all(b"y").await?;
    ///     let mut buf = [0; 1];
    ///     read.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"y");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the halves are the only way to use the stream while they live"]
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into owned halves for two tasks. See
    /// [`TcpStream::into_split`](crate::net::TcpStream::into_split).
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    ///
    /// coop::block_on(async {
    ///     let (a, mut b) = coop::net::UnixStream::pair()?;
    ///     let (_read, mut write) = a.into_split();
    ///     coop::spawn(async move { write.write_all(b"task").await }).await.unwrap()?;
    ///     let mut buf = [0; 4];
    ///     b.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"task");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "dropping both halves closes the connection"]
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
    }

    /// Wraps a connected standard library stream, switching it to
    /// non-blocking mode, and registers it with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking or registered.
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = std::os::unix::net::UnixStream::pair()?;
    ///     let a = coop::net::UnixStream::from_std(a)?;
    ///     assert!(a.peer_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::os::unix::net::UnixStream) -> io::Result<UnixStream> {
        stream.set_nonblocking(true)?;
        let caller = Caller::new("UnixStream::from_std");
        UnixStream::from_mio(mio::net::UnixStream::from_std(stream), caller)
    }

    /// Deregisters the stream and returns it as a standard library stream,
    /// still in non-blocking mode.
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixStream::pair()?;
    ///     let std_stream = a.into_std()?;
    ///     assert!(std_stream.peer_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixStream> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for UnixStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixStream").field(&self.io).finish()
    }
}
