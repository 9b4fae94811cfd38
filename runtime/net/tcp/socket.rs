//! `TcpSocket`: a TCP socket not yet bound or connected, for setting the
//! options that must come before `bind`, `listen` or `connect`
//! (`SO_REUSEPORT`, buffer sizes, …). Built on `socket2`.
//!
//! ```text
//!   TcpSocket::new_v4() ─► set_reuseport / set_*_buffer_size / bind
//!        ├─► listen(backlog) ─► TcpListener   (registered with the reactor)
//!        └─► connect(addr).await ─► TcpStream (connect(2) ─► EINPROGRESS ─► wait writable)
//! ```
//!
//! The socket is created non-blocking and close-on-exec; it joins the
//! reactor only in `listen` or `connect`, so it may be made and configured
//! outside a runtime.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, Type};

use crate::context::Caller;
use crate::net::{TcpListener, TcpStream};

/// A TCP socket to configure before it listens or connects, as tokio's
/// `TcpSocket`.
///
/// ```
/// use coop::net::TcpSocket;
///
/// coop::block_on(async {
///     let socket = TcpSocket::new_v4()?;
///     socket.set_reuseaddr(true)?;
///     socket.bind("127.0.0.1:0".parse().unwrap())?;
///     let listener = socket.listen(128)?;
///     let client = TcpSocket::new_v4()?.connect(listener.local_addr()?).await?;
///     assert_eq!(client.peer_addr()?, listener.local_addr()?);
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpSocket {
    inner: Socket,
}

/// A setter and its getter over one `socket2` option, each with a doc
/// example on a fresh IPv4 socket.
macro_rules! option_pair {
    ($(#[$set_doc:meta])* set: $set:ident => $s2set:ident($ty:ty),
     $(#[$get_doc:meta])* get: $get:ident => $s2get:ident, example: $value:expr) => {
        $(#[$set_doc])*
        ///
        /// ```
        /// let socket = coop::net::TcpSocket::new_v4()?;
        #[doc = concat!("socket.", stringify!($set), "(", stringify!($value), ")?;")]
        #[doc = concat!("let _ = socket.", stringify!($get), "()?;")]
        /// # Ok::<(), std::io::Error>(())
        /// ```
        pub fn $set(&self, value: $ty) -> io::Result<()> {
            self.inner.$s2set(value)
        }

        $(#[$get_doc])*
        ///
        /// ```
        /// let socket = coop::net::TcpSocket::new_v4()?;
        #[doc = concat!("let _ = socket.", stringify!($get), "()?;")]
        /// # Ok::<(), std::io::Error>(())
        /// ```
        pub fn $get(&self) -> io::Result<$ty> {
            self.inner.$s2get()
        }
    };
}

impl TcpSocket {
    /// A new IPv4 TCP socket.
    ///
    /// # Errors
    /// What `socket(2)` reports (`EMFILE`, …).
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v4()?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new_v4() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV4)
    }

    /// A new IPv6 TCP socket.
    ///
    /// # Errors
    /// What `socket(2)` reports (`EAFNOSUPPORT` without IPv6, …).
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v6();
    /// # drop(socket);
    /// ```
    pub fn new_v6() -> io::Result<TcpSocket> {
        TcpSocket::new(Domain::IPV6)
    }

    fn new(domain: Domain) -> io::Result<TcpSocket> {
        // socket2 sets close-on-exec at creation.
        let inner = Socket::new(domain, Type::STREAM, Some(Protocol::TCP))?;
        inner.set_nonblocking(true)?;
        Ok(TcpSocket { inner })
    }

    option_pair! {
        /// Sets `SO_REUSEADDR`: bind to a port still in `TIME_WAIT`.
        set: set_reuseaddr => set_reuse_address(bool),
        /// Whether `SO_REUSEADDR` is set.
        get: reuseaddr => reuse_address, example: true
    }

    option_pair! {
        /// Sets `SO_REUSEPORT`: several sockets (one per loop, say) may
        /// listen on one port, and the kernel spreads connections among them.
        set: set_reuseport => set_reuse_port(bool),
        /// Whether `SO_REUSEPORT` is set.
        get: reuseport => reuse_port, example: true
    }

    option_pair! {
        /// Sets `TCP_NODELAY` (Nagle's algorithm off), inherited by the
        /// connected stream.
        set: set_nodelay => set_tcp_nodelay(bool),
        /// Whether `TCP_NODELAY` is set.
        get: nodelay => tcp_nodelay, example: true
    }

    option_pair! {
        /// Sets `SO_KEEPALIVE`: the kernel probes an idle connection.
        set: set_keepalive => set_keepalive(bool),
        /// Whether `SO_KEEPALIVE` is set.
        get: keepalive => keepalive, example: true
    }

    option_pair! {
        /// Sets `SO_LINGER`: `Some(d)` makes close wait up to `d` for unsent
        /// data; `Some(Duration::ZERO)` makes close send a reset.
        set: set_linger => set_linger(Option<Duration>),
        /// The `SO_LINGER` setting.
        get: linger => linger, example: Some(std::time::Duration::from_secs(1))
    }

    /// Sets `SO_SNDBUF` (Linux doubles the value and reads it back so).
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v4()?;
    /// socket.set_send_buffer_size(64 * 1024)?;
    /// assert!(socket.send_buffer_size()? >= 64 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_send_buffer_size(size as usize)
    }

    /// The `SO_SNDBUF` size.
    ///
    /// ```
    /// assert!(coop::net::TcpSocket::new_v4()?.send_buffer_size()? > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        self.inner.send_buffer_size().map(saturate)
    }

    /// Sets `SO_RCVBUF` (Linux doubles the value and reads it back so).
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v4()?;
    /// socket.set_recv_buffer_size(64 * 1024)?;
    /// assert!(socket.recv_buffer_size()? >= 64 * 1024);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        self.inner.set_recv_buffer_size(size as usize)
    }

    /// The `SO_RCVBUF` size.
    ///
    /// ```
    /// assert!(coop::net::TcpSocket::new_v4()?.recv_buffer_size()? > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        self.inner.recv_buffer_size().map(saturate)
    }

    /// Binds the socket to `addr` (port 0: the OS picks one).
    ///
    /// # Errors
    /// `AddrInUse`, `AddrNotAvailable`, …
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert_ne!(socket.local_addr()?.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        self.inner.bind(&addr.into())
    }

    /// The address the socket is bound to.
    ///
    /// # Errors
    /// If the kernel cannot tell (rare).
    ///
    /// ```
    /// let socket = coop::net::TcpSocket::new_v4()?;
    /// socket.bind("127.0.0.1:0".parse().unwrap())?;
    /// assert!(socket.local_addr()?.ip().is_loopback());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner
            .local_addr()?
            .as_socket()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not an IP socket address"))
    }

    /// Takes the pending socket error (`SO_ERROR`), if any.
    ///
    /// ```
    /// assert!(coop::net::TcpSocket::new_v4()?.take_error()?.is_none());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn take_error(&self) -> io::Result<Option<io::Error>> {
        self.inner.take_error()
    }

    /// Starts listening, with room for `backlog` connections not yet
    /// accepted, and registers the listener with the current runtime.
    ///
    /// # Errors
    /// What `listen(2)` reports (`AddrInUse` when another socket listens
    /// on the port without `SO_REUSEPORT` on both).
    ///
    /// # Panics
    /// Outside a coop runtime, naming this function and the caller's line.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::TcpSocket::new_v4()?;
    ///     socket.bind("127.0.0.1:0".parse().unwrap())?;
    ///     let listener = socket.listen(1024)?;
    ///     assert_ne!(listener.local_addr()?.port(), 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn listen(self, backlog: u32) -> io::Result<TcpListener> {
        let caller = Caller::new("TcpSocket::listen");
        self.inner
            .listen(i32::try_from(backlog).unwrap_or(i32::MAX))?;
        let std: std::net::TcpListener = self.inner.into();
        TcpListener::from_mio(mio::net::TcpListener::from_std(std), caller)
    }

    /// Connects to `addr` and waits until the handshake is done.
    ///
    /// # Errors
    /// `ConnectionRefused` if nothing listens there, `TimedOut`, …
    ///
    /// # Panics
    /// When first polled outside a coop runtime, naming this function and
    /// the caller's line.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let socket = coop::net::TcpSocket::new_v4()?;
    ///     socket.set_nodelay(true)?;
    ///     let stream = socket.connect(listener.local_addr()?).await?;
    ///     assert!(stream.nodelay()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn connect(self, addr: SocketAddr) -> impl Future<Output = io::Result<TcpStream>> {
        let caller = Caller::new("TcpSocket::connect");
        async move {
            match self.inner.connect(&addr.into()) {
                Ok(()) => {}
                Err(e)
                    if rustix::io::Errno::from_io_error(&e)
                        == Some(rustix::io::Errno::INPROGRESS) => {}
                Err(e) => return Err(e),
            }
            let std: std::net::TcpStream = self.inner.into();
            TcpStream::connecting(mio::net::TcpStream::from_std(std), caller).await
        }
    }
}

/// A buffer size as tokio reports it (`u32`); `UdpSocket` too.
pub(in crate::net) fn saturate(size: usize) -> u32 {
    u32::try_from(size).unwrap_or(u32::MAX)
}

impl fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TcpSocket")
            .field("local_addr", &self.local_addr().ok())
            .finish()
    }
}
