//! `UdpSocket`: datagrams on the loop.
//!
//! Each operation is one syscall behind the reactor's wait: `recv_from`
//! waits for readability, `send_to` for writability (a UDP socket is
//! almost always writable; it waits only when the send buffer is full).
//! A datagram is sent or received whole; a receive buffer smaller than the
//! datagram truncates it.
//!
//! A connected socket (after [`UdpSocket::connect`]) learns of ICMP errors:
//! sending to a port where nothing listens makes a later `recv` fail with
//! `ConnectionRefused`, once. The reactor's error flag is cleared with the
//! readiness on the next `WouldBlock`, so the socket then waits normally.
//!
//! Several tasks may wait in `recv`, `recv_from`, `peek_from`, `send` and
//! `send_to` on one socket (an `Rc<UdpSocket>`): each has its own place in
//! the socket's waiter list, and a readiness report wakes every waiter of
//! that direction. The first the loop runs takes the datagram; the others
//! find `WouldBlock` and wait again. One datagram goes to one receiver
//! (a peek leaves it for the next); no receiver sleeps while one is queued.
//!
//! ```text
//!   recv_from(buf).await ─► recvfrom(2) ─► WouldBlock ─► Pending … readable ─► (n, from)
//! ```
//!
//! Socket options (`options.rs`): broadcast, TTL and buffer sizes are set on
//! a bound socket. The ones that must come before `bind` (`SO_REUSEADDR`,
//! `SO_REUSEPORT`) are set on a `socket2::Socket`, which then becomes a coop
//! socket through `std::net::UdpSocket::from` and [`UdpSocket::from_std`]
//! (tokio's way too; see the example on [`UdpSocket::from_std`]).

mod options;

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use crate::context::Caller;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::io_source::IoSource;

/// A UDP socket.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// use coop::net::UdpSocket;
///
/// coop::block_on(async {
///     let a = UdpSocket::bind("127.0.0.1:0").await?;
///     let b = UdpSocket::bind("127.0.0.1:0").await?;
///     a.send_to(b"ping", b.local_addr()?).await?;
///     let mut buf = [0; 16];
///     let (n, from) = b.recv_from(&mut buf).await?;
///     assert_eq!(&buf[..n], b"ping");
///     assert_eq!(from, a.local_addr()?);
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UdpSocket {
    pub(in crate::net) io: IoSource<mio::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds a socket to `addr`, trying each address it resolves to. Port 0
    /// picks a free port.
    ///
    /// # Errors
    /// The bind error of the last address tried (`AddrInUse`, …); an
    /// unparsable address (`"not an address"`, no port, a port above
    /// 65535) or an empty list is `InvalidInput`; a name the resolver does
    /// not know is the resolver's error (`tests/limits.rs`).
    ///
    /// # Panics
    /// When first polled outside a coop runtime, naming this function and
    /// the line that called it (making the future outside one is fine).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_ne!(socket.local_addr()?.port(), 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn bind(addr: impl ToSocketAddrs) -> impl Future<Output = io::Result<UdpSocket>> {
        // Noted here: an `async fn` cannot be `#[track_caller]`.
        let caller = Caller::new("UdpSocket::bind");
        async move {
            each_addr(addr, |addr| async move {
                UdpSocket::from_mio(mio::net::UdpSocket::bind(addr)?, caller)
            })
            .await
        }
    }

    #[track_caller]
    fn from_mio(socket: mio::net::UdpSocket, caller: Caller) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: IoSource::new(socket, caller)?,
        })
    }

    /// Sets the default destination for [`send`](Self::send) and the only
    /// source [`recv`](Self::recv) accepts, trying each address `addr`
    /// resolves to.
    ///
    /// # Errors
    /// The error of the last address tried.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.peer_addr()?, b.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let socket = self.io.get_ref();
        each_addr(addr, |addr| async move { socket.connect(addr) }).await
    }

    /// Sends `buf` as one datagram to the connected peer; returns the bytes
    /// sent.
    ///
    /// # Errors
    /// If the socket is not connected, or the OS refuses the datagram: one
    /// larger than a UDP datagram can be (65,507 bytes of payload over
    /// IPv4) fails with the OS's "message too long" at once; nothing is
    /// sent, nothing waits.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     assert_eq!(a.send(b"hi").await?, 2);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Waits for a datagram from the connected peer and reads it into
    /// `buf`; returns its length (truncated to `buf`). As with `recv(2)`,
    /// the rest of a datagram longer than `buf` is discarded: an empty
    /// `buf` takes the next datagram and returns 0.
    ///
    /// # Errors
    /// `ConnectionRefused` if an earlier datagram hit a closed port (once),
    /// or another receive error.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.connect(b.local_addr()?).await?;
    ///     b.connect(a.local_addr()?).await?;
    ///     a.send(b"hi").await?;
    ///     let mut buf = [0; 8];
    ///     let n = b.recv(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"hi");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// Sends `buf` as one datagram to `target` (the first address it
    /// resolves to); returns the bytes sent.
    ///
    /// # Errors
    /// If `target` resolves to nothing, or the OS refuses the datagram.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert_eq!(a.send_to(b"hey", b.local_addr()?).await?, 3);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn send_to(&self, buf: &[u8], target: impl ToSocketAddrs) -> io::Result<usize> {
        let target = target
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no address to send to"))?;
        self.io.write_with(|s| s.send_to(buf, target)).await
    }

    /// Waits for a datagram and reads it into `buf`; returns its length
    /// (truncated to `buf`) and its sender.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"hey", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, from) = b.recv_from(&mut buf).await?;
    ///     assert_eq!((&buf[..n], from), (&b"hey"[..], a.local_addr()?));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Like [`recv_from`](Self::recv_from), but leaves the datagram queued:
    /// the next receive returns it again.
    ///
    /// ```
    /// # use coop::net::UdpSocket;
    /// coop::block_on(async {
    ///     let a = UdpSocket::bind("127.0.0.1:0").await?;
    ///     let b = UdpSocket::bind("127.0.0.1:0").await?;
    ///     a.send_to(b"again", b.local_addr()?).await?;
    ///     let mut buf = [0; 8];
    ///     let (n, _) = b.peek_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"again");
    ///     let (n, _) = b.recv_from(&mut buf).await?;
    ///     assert_eq!(&buf[..n], b"again");
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn peek_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.peek_from(buf)).await
    }

    /// The address this socket is bound to.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.local_addr()?.ip().is_loopback());
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
    /// `NotConnected` before [`connect`](Self::connect).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.peer_addr().is_err()); // not connected yet
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
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
    ///     let std_socket = std::net::UdpSocket::bind("127.0.0.1:0")?;
    ///     let socket = coop::net::UdpSocket::from_std(std_socket)?;
    ///     assert!(socket.local_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// This is also the way to options that must be set before `bind`:
    /// build the socket with [`socket2`](https://docs.rs/socket2) (a
    /// dependency of your crate), set them, bind, and hand it over. Two
    /// sockets on one port with `SO_REUSEPORT`, e.g. one per
    /// [`per_core`](crate::per_core) loop:
    ///
    /// ```
    /// use socket2::{Domain, Protocol, Socket, Type};
    ///
    /// fn reuseport_socket(addr: std::net::SocketAddr) -> std::io::Result<coop::net::UdpSocket> {
    ///     let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    ///     socket.set_reuse_address(true)?;
    ///     socket.set_reuse_port(true)?;
    ///     socket.set_recv_buffer_size(1 << 20)?;
    ///     socket.bind(&addr.into())?;
    ///     coop::net::UdpSocket::from_std(socket.into())
    /// }
    ///
    /// coop::block_on(async {
    ///     let a = reuseport_socket("127.0.0.1:0".parse().unwrap())?;
    ///     let b = reuseport_socket(a.local_addr()?)?; // the same port
    ///     assert_eq!(a.local_addr()?, b.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        socket.set_nonblocking(true)?;
        let caller = Caller::new("UdpSocket::from_std");
        UdpSocket::from_mio(mio::net::UdpSocket::from_std(socket), caller)
    }

    /// Deregisters the socket and returns it as a standard library socket,
    /// still in non-blocking mode.
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     let addr = socket.local_addr()?;
    ///     assert_eq!(socket.into_std()?.local_addr()?, addr);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::net::UdpSocket> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UdpSocket").field(&self.io).finish()
    }
}
