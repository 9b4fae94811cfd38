//! `UnixDatagram`: local datagrams on the loop.
//!
//! Like [`UdpSocket`](crate::net::UdpSocket), but addressed by path, and
//! reliable and ordered (the kernel never drops a local datagram; a full
//! receiver makes the sender wait for writability instead).
//!
//! Several tasks may wait in its `&self` operations at once (`recv`,
//! `recv_from`, `peek`, `send`, `send_to`), as on a `UdpSocket`: every
//! readiness report wakes all waiters of its direction, the first the loop
//! runs takes the datagram (or the room in the receiver's queue), and the
//! others wait again. After a socket error (an `ECONNRESET` when the peer
//! dropped its unread queue) the error is returned once; a later send that
//! finds the queue full sleeps until there is room, it does not spin.

use std::fmt;
use std::io;
use std::net::Shutdown;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::context::Caller;
use crate::net::io_source::IoSource;

use super::addr::Destination;
use super::peek;

/// A Unix domain datagram socket.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// coop::block_on(async {
///     let (a, b) = coop::net::UnixDatagram::pair()?;
///     a.send(b"one datagram").await?;
///     let mut buf = [0; 32];
///     let n = b.recv(&mut buf).await?;
///     assert_eq!(&buf[..n], b"one datagram");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixDatagram {
    pub(in crate::net) io: IoSource<mio::net::UnixDatagram>,
}

impl UnixDatagram {
    /// Creates a socket bound to `path` (a new socket file, not removed on
    /// drop).
    ///
    /// On Linux, a `path` that starts with a NUL byte (`"\0name"`) binds the
    /// abstract name after it instead, with no file.
    ///
    /// # Errors
    /// `AddrInUse` if the file exists, or another bind error;
    /// `InvalidInput` for a path longer than a socket address holds (108
    /// bytes on Linux) or with a NUL byte past the first.
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-dgram-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let socket = coop::net::UnixDatagram::bind(&path)?;
    ///     assert_eq!(socket.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixDatagram> {
        let caller = Caller::new("UnixDatagram::bind");
        let addr = super::addr::socket_addr(path.as_ref())?;
        UnixDatagram::from_mio(mio::net::UnixDatagram::bind_addr(&addr)?, caller)
    }

    /// Creates a socket bound to no address. It can send (with
    /// [`send_to`](Self::send_to), or [`send`](Self::send) once
    /// [`connect`](Self::connect)ed), but it has no address, connected or
    /// not: a receiver sees the sender as unnamed and cannot reply to it.
    /// For replies, [`bind`](Self::bind) the socket to a path (or, on Linux,
    /// an abstract name), or use [`pair`](Self::pair).
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UnixDatagram::unbound()?;
    ///     assert!(socket.local_addr()?.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn unbound() -> io::Result<UnixDatagram> {
        let caller = Caller::new("UnixDatagram::unbound");
        UnixDatagram::from_mio(mio::net::UnixDatagram::unbound()?, caller)
    }

    /// A pair of sockets connected to each other (`socketpair(2)`).
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, b) = coop::net::UnixDatagram::pair()?;
    ///     b.send(b"back").await?;
    ///     let mut buf = [0; 4];
    ///     assert_eq!(a.recv(&mut buf).await?, 4);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn pair() -> io::Result<(UnixDatagram, UnixDatagram)> {
        let (a, b) = mio::net::UnixDatagram::pair()?;
        let caller = Caller::new("UnixDatagram::pair");
        Ok((
            UnixDatagram::from_mio(a, caller)?,
            UnixDatagram::from_mio(b, caller)?,
        ))
    }

    #[track_caller]
    fn from_mio(socket: mio::net::UnixDatagram, caller: Caller) -> io::Result<UnixDatagram> {
        Ok(UnixDatagram {
            io: IoSource::new(socket, caller)?,
        })
    }

    /// Sets the default destination for [`send`](Self::send) and the only
    /// source [`recv`](Self::recv) accepts.
    ///
    /// On Linux, a `path` that starts with a NUL byte names an abstract
    /// socket (see [`bind`](Self::bind)).
    ///
    /// # Errors
    /// If nothing is bound at `path`.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-dconnect-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let server = coop::net::UnixDatagram::bind(&path)?;
    ///     let client = coop::net::UnixDatagram::unbound()?;
    ///     client.connect(&path)?;
    ///     client.send(b"hello").await?;
    ///     let mut buf = [0; 5];
    ///     let (n, _from) = server.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"hello");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn connect(&self, path: impl AsRef<Path>) -> io::Result<()> {
        Destination::new(path.as_ref())?.connect(self.io.get_ref())
    }

    /// Sends `buf` as one datagram to the connected peer.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixDatagram::pair()?;
    ///     assert_eq!(a.send(b"abc").await?, 3);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Waits for a datagram from the connected peer and reads it into
    /// `buf` (truncated to its length).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, b) = coop::net::UnixDatagram::pair()?;
    ///     a.send(b"abc").await?;
    ///     let mut buf = [0; 8];
    ///     let n = b.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"abc");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Sends `buf` as one datagram to the socket bound at `path`.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-dsendto-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let server = coop::net::UnixDatagram::bind(&path)?;
    ///     let client = coop::net::UnixDatagram::unbound()?;
    ///     assert_eq!(client.send_to(b"to a path", &path).await?, 9);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], path: impl AsRef<Path>) -> io::Result<usize> {
        let to = Destination::new(path.as_ref())?;
        self.io.write_with(|s| to.send_to(s, buf)).await
    }

    /// Waits for a datagram and reads it into `buf`; returns its length and
    /// its sender's address.
    ///
    /// ```
    /// let dir = std::env::temp_dir();
    /// let (a_path, b_path) = (
    ///     dir.join(format!("coop-doc-drecv-a-{}.sock", std::process::id())),
    ///     dir.join(format!("coop-doc-drecv-b-{}.sock", std::process::id())),
    /// );
    /// coop::block_on(async {
    ///     let a = coop::net::UnixDatagram::bind(&a_path)?;
    ///     let b = coop::net::UnixDatagram::bind(&b_path)?;
    ///     a.send_to(b"who", &b_path).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"who");
    ///     assert_eq!(from.as_pathname(), Some(a_path.as_path()));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&a_path)?;
    /// std::fs::remove_file(&b_path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Like [`recv_from`](Self::recv_from), but leaves the datagram queued:
    /// the next receive returns it again. The sender's address is the one
    /// `recv_from` would report (unnamed if it never bound a path).
    ///
    /// # Errors
    /// As for `recv_from`; also `InvalidData` if the sender's path is 108
    /// bytes long (the whole of `sun_path`, with no NUL), which coop cannot
    /// decode while peeking (`recv_from` can).
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-dpeekfrom-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let server = coop::net::UnixDatagram::bind(&path)?;
    ///     let client = coop::net::UnixDatagram::unbound()?;
    ///     client.send_to(b"again", &path).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = server.peek_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"again");
    ///     assert!(from.is_unnamed()); // the client never bound a path
    ///     let (n, _) = server.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"again");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| peek::peek_from(s, buf)).await
    }

    /// Like [`recv`](Self::recv), but leaves the datagram queued: the next
    /// receive returns it again.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, b) = coop::net::UnixDatagram::pair()?;
    ///     a.send(b"twice").await?;
    ///     let mut buf = [0; 8];
    ///     let n = b.peek(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"twice");
    ///     let n = b.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"twice");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| peek::peek(s, buf)).await
    }

    /// The address this socket is bound to.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixDatagram::pair()?;
    ///     assert!(a.local_addr()?.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The address this socket is connected to.
    ///
    /// # Errors
    /// `NotConnected` if it is not connected.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UnixDatagram::unbound()?;
    ///     assert!(socket.peer_addr().is_err());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// Shuts down the read side, the write side, or both.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixDatagram::pair()?;
    ///     a.shutdown(std::net::Shutdown::Write)?;
    ///     assert!(a.send(b"no").await.is_err());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// Wraps a standard library socket, switching it to non-blocking mode,
    /// and registers it with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking or registered.
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = std::os::unix::net::UnixDatagram::pair()?;
    ///     let a = coop::net::UnixDatagram::from_std(a)?;
    ///     assert!(a.peer_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(socket: std::os::unix::net::UnixDatagram) -> io::Result<UnixDatagram> {
        socket.set_nonblocking(true)?;
        let caller = Caller::new("UnixDatagram::from_std");
        UnixDatagram::from_mio(mio::net::UnixDatagram::from_std(socket), caller)
    }

    /// Deregisters the socket and returns it as a standard library socket,
    /// still in non-blocking mode.
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (a, _b) = coop::net::UnixDatagram::pair()?;
    ///     assert!(a.into_std()?.peer_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixDatagram> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for UnixDatagram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixDatagram").field(&self.io).finish()
    }
}
