//! `TcpStream`: a TCP connection on the loop.
//!
//! Connecting is the write-side pattern of the reactor. A non-blocking
//! `connect(2)` returns at once (`EINPROGRESS`); the kernel finishes the
//! handshake in the background and epoll reports the socket *writable* when
//! it is done, successfully or not. Only then does the socket say which:
//!
//! ```text
//!   connect(addr) ─► socket + connect(2) ─► EINPROGRESS ─► Pending … writable
//!        ─► SO_ERROR set?   yes ─► Err(e)  (ConnectionRefused, TimedOut, …)
//!        ─► peer_addr ok?   yes ─► Ok(stream)
//!                           NotConnected ─► a spurious wake: wait again
//! ```
//!
//! Reads and writes go through `futures-io`'s [`AsyncRead`] and
//! [`AsyncWrite`] (see `stream_io.rs`), so use `futures-util`'s
//! `AsyncReadExt`/`AsyncWriteExt` on it.
//!
//! Concurrent waiters: one task may wait in reads and one in writes at the
//! same time (split the stream for that); reads through `AsyncRead` keep
//! one waker, the last poller's, as in tokio. `peek` takes `&self` and may
//! be awaited by any number of tasks at once. A read shorter than its
//! buffer takes the socket for drained (saving a `WouldBlock` read) unless
//! the peer ever sent urgent data (`MSG_OOB`), at whose mark a read stops
//! early; coop hears of that from epoll (`EPOLLPRI`).
//!
//! [`AsyncRead`]: futures_io::AsyncRead
//! [`AsyncWrite`]: futures_io::AsyncWrite

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Shutdown, SocketAddr};
use std::time::Duration;

use crate::context::Caller;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::io_source::IoSource;
use crate::net::split;
use crate::net::stream_io::impl_stream_io;
use crate::net::tcp::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};

/// A TCP connection. Read and write it with `futures-util`'s
/// [`AsyncReadExt`](https://docs.rs/futures-util/0.3/futures_util/io/trait.AsyncReadExt.html)
/// and `AsyncWriteExt`.
///
/// Dropping it closes the connection.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// use futures_util::{AsyncBufReadExt, AsyncWriteExt, io::BufReader};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (server, _) = listener.accept().await?;
///     client.write_all(b"one\ntwo\n").await?;
///     let mut lines = BufReader::new(server).lines();
///     use futures_util::StreamExt;
///     assert_eq!(lines.next().await.unwrap()?, "one");
///     assert_eq!(lines.next().await.unwrap()?, "two");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpStream {
    pub(in crate::net) io: IoSource<mio::net::TcpStream>,
}

impl_stream_io!(TcpStream, short_read_drains: crate::net::io_source::TCP_SHORT_READ_DRAINS);

impl TcpStream {
    /// Opens a connection to `addr`, trying each address it resolves to in
    /// turn until one connects.
    ///
    /// Names are resolved on the loop's thread (see [`ToSocketAddrs`]).
    ///
    /// # Errors
    /// The error of the last address tried: `ConnectionRefused` if nothing
    /// listens there, `TimedOut`, `NetworkUnreachable`, …; an unparsable
    /// address (`"not an address"`, no port, a port above 65535) or an
    /// empty list is `InvalidInput`; a name the resolver does not know is
    /// the resolver's error (`tests/limits.rs`).
    ///
    /// # Panics
    /// When first polled outside a coop runtime, naming this function and
    /// the line that called it (making the future outside one is fine).
    ///
    /// ```
    /// use coop::net::{TcpListener, TcpStream};
    ///
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn connect(addr: impl ToSocketAddrs) -> impl Future<Output = io::Result<TcpStream>> {
        // Noted here: an `async fn` cannot be `#[track_caller]`.
        let caller = Caller::new("TcpStream::connect");
        async move { each_addr(addr, |addr| TcpStream::connect_addr(addr, caller)).await }
    }

    async fn connect_addr(addr: SocketAddr, caller: Caller) -> io::Result<TcpStream> {
        TcpStream::connecting(mio::net::TcpStream::connect(addr)?, caller).await
    }

    /// Registers a socket whose `connect(2)` is under way and waits until
    /// the handshake is done (see the module docs).
    pub(in crate::net) async fn connecting(
        stream: mio::net::TcpStream,
        caller: Caller,
    ) -> io::Result<TcpStream> {
        let stream = TcpStream::from_mio(stream, caller)?;
        stream
            .io
            .connected(|s| {
                if let Some(e) = s.take_error()? {
                    return Err(e);
                }
                match s.peer_addr() {
                    Ok(_) => Ok(true),
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(false),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(stream)
    }

    #[track_caller]
    pub(super) fn from_mio(stream: mio::net::TcpStream, caller: Caller) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: IoSource::new(stream, caller)?,
        })
    }

    /// The address of the other end.
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
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
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (_, client_addr) = listener.accept().await?;
    ///     assert_eq!(stream.local_addr()?, client_addr);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Turns Nagle's algorithm off (`true`) or on: with `TCP_NODELAY`, small
    /// writes go out at once instead of waiting to be coalesced.
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_nodelay(true)?;
    ///     assert!(stream.nodelay()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Whether `TCP_NODELAY` is set (see [`set_nodelay`](Self::set_nodelay)).
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     assert!(!stream.nodelay()?); // off by default
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn nodelay(&self) -> io::Result<bool> {
        self.io.get_ref().nodelay()
    }

    /// Sets `SO_LINGER`: `Some(d)` makes close wait up to `d` for unsent
    /// data; `Some(Duration::ZERO)` makes close send a reset (RST) instead
    /// of the orderly FIN.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_linger(Some(Duration::from_secs(2)))?;
    ///     assert_eq!(stream.linger()?, Some(Duration::from_secs(2)));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_linger(&self, linger: Option<Duration>) -> io::Result<()> {
        socket2::SockRef::from(self.io.get_ref()).set_linger(linger)
    }

    /// The `SO_LINGER` setting (see [`set_linger`](Self::set_linger)).
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     assert_eq!(stream.linger()?, None); // off by default
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn linger(&self) -> io::Result<Option<Duration>> {
        socket2::SockRef::from(self.io.get_ref()).linger()
    }

    /// Sets `IP_TTL`, the hop limit of the packets this stream sends.
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     stream.set_ttl(42)?;
    ///     assert_eq!(stream.ttl()?, 42);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// The `IP_TTL` of this stream (see [`set_ttl`](Self::set_ttl)).
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     assert!(stream.ttl()? > 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Shuts down the read side, the write side, or both. After
    /// `Shutdown::Write` the peer reads end-of-file; this side can still
    /// read what the peer sends.
    ///
    /// ```
    /// use std::net::Shutdown;
    /// use futures_util::AsyncReadExt;
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.shutdown(Shutdown::Write)?;
    ///     let mut buf = [0; 8];
    ///     assert_eq!(server.read(&mut buf).await?, 0); // end-of-file
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Reads into `buf` without taking the data off the socket: the next
    /// read returns it again. Waits until there is something to see (even
    /// with an empty `buf`, which then returns 0 once data has arrived).
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"abc").await?;
    ///     let mut buf = [0; 3];
    ///     let n = server.peek(&mut buf).await?;
    ///     assert_eq!(&buf[..n], &b"abc"[..n]);
    ///     server.read_exact(&mut buf).await?; // still there
    ///     assert_eq!(&buf, b"abc");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.peek(buf)).await
    }

    /// Borrows the stream as a read half and a write half that can be used
    /// at the same time (for instance in two futures joined together).
    /// Costs nothing. To use the halves in two tasks, see
    /// [`into_split`](Self::into_split).
    ///
    /// With `futures_util::AsyncReadExt` in scope, `stream.split()` picks
    /// that trait's by-value `split` instead (see
    /// [`coop::net::split`](crate::net::split)); write
    /// `TcpStream::split(&mut stream)` to get these halves.
    ///
    /// ```
    /// use futures_util::{io, AsyncWriteExt};
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     client.write_all(b"echo me").await?;
    ///     client.shutdown(std::net::Shutdown::Write)?;
    ///     // Echo: copy the server's read half into its write half.
    ///     let (read, mut write) = server.split();
    ///     let copied = io::copy(read, &mut write).await?;
    ///     assert_eq!(copied, 7);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[must_use = "the halves are the only way to use the stream while they live"]
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }

    /// Splits the stream into two owned halves, each of which can move into
    /// its own task. [`OwnedReadHalf::reunite`](crate::net::split::OwnedReadHalf::reunite) puts them back together;
    /// dropping the write half shuts down the write side.
    ///
    /// ```
    /// use futures_util::{AsyncReadExt, AsyncWriteExt};
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (mut server, _) = listener.accept().await?;
    ///     let (mut read, mut write) = client.into_split();
    ///     let writer = coop::spawn(async move { write.write_all(b"from a task").await });
    ///     let mut buf = [0; 11];
    ///     server.read_exact(&mut buf).await?;
    ///     writer.await.unwrap()?;
    ///     server.write_all(b"ok").await?;
    ///     let mut reply = [0; 2];
    ///     read.read_exact(&mut reply).await?;
    ///     assert_eq!(&reply, b"ok");
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
    ///     let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let std_stream = std::net::TcpStream::connect(listener.local_addr()?)?;
    ///     let stream = coop::net::TcpStream::from_std(std_stream)?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        stream.set_nonblocking(true)?;
        let caller = Caller::new("TcpStream::from_std");
        TcpStream::from_mio(mio::net::TcpStream::from_std(stream), caller)
    }

    /// Deregisters the stream and returns it as a standard library stream,
    /// still in non-blocking mode (call `set_nonblocking(false)` for
    /// blocking use).
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// # use coop::net::{TcpListener, TcpStream};
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = TcpStream::connect(listener.local_addr()?).await?;
    ///     let std_stream = stream.into_std()?;
    ///     std_stream.set_nonblocking(false)?;
    ///     assert_eq!(std_stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpStream> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpStream").field(&self.io).finish()
    }
}
