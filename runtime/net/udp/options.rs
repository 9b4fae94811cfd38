//! `UdpSocket`'s options that can be set on a bound socket: broadcast, TTL,
//! buffer sizes. (Options needed before `bind`, such as `SO_REUSEPORT`, go
//! through `socket2` and [`UdpSocket::from_std`]: see the module docs.)

use std::io;

use socket2::SockRef;

use super::UdpSocket;
use crate::net::tcp::socket::saturate;

impl UdpSocket {
    /// Sets `SO_BROADCAST`: whether this socket may send to a broadcast
    /// address.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_broadcast(true)?;
    ///     assert!(socket.broadcast()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_broadcast(&self, on: bool) -> io::Result<()> {
        self.io.get_ref().set_broadcast(on)
    }

    /// `SO_BROADCAST` (see [`set_broadcast`](Self::set_broadcast)).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(!socket.broadcast()?); // off by default
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn broadcast(&self) -> io::Result<bool> {
        self.io.get_ref().broadcast()
    }

    /// Sets `IP_TTL`: how many hops the datagrams sent from this socket
    /// may take.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_ttl(7)?;
    ///     assert_eq!(socket.ttl()?, 7);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_ttl(&self, ttl: u32) -> io::Result<()> {
        self.io.get_ref().set_ttl(ttl)
    }

    /// `IP_TTL` (see [`set_ttl`](Self::set_ttl)).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.ttl()? > 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn ttl(&self) -> io::Result<u32> {
        self.io.get_ref().ttl()
    }

    /// Sets `SO_SNDBUF`. Linux doubles the value (for its bookkeeping) and
    /// clamps it to `net.core.wmem_max`; read back what it chose with
    /// [`send_buffer_size`](Self::send_buffer_size).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_send_buffer_size(64 * 1024)?;
    ///     assert!(socket.send_buffer_size()? >= 64 * 1024);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_send_buffer_size(&self, size: u32) -> io::Result<()> {
        SockRef::from(self.io.get_ref()).set_send_buffer_size(size as usize)
    }

    /// `SO_SNDBUF` (see [`set_send_buffer_size`](Self::set_send_buffer_size)).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.send_buffer_size()? > 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_buffer_size(&self) -> io::Result<u32> {
        SockRef::from(self.io.get_ref())
            .send_buffer_size()
            .map(saturate)
    }

    /// Sets `SO_RCVBUF`: how many bytes of datagrams the kernel queues for
    /// this socket before it drops new ones. Linux doubles the value and
    /// clamps it to `net.core.rmem_max`.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     socket.set_recv_buffer_size(64 * 1024)?;
    ///     assert!(socket.recv_buffer_size()? >= 64 * 1024);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn set_recv_buffer_size(&self, size: u32) -> io::Result<()> {
        SockRef::from(self.io.get_ref()).set_recv_buffer_size(size as usize)
    }

    /// `SO_RCVBUF` (see [`set_recv_buffer_size`](Self::set_recv_buffer_size)).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    ///     assert!(socket.recv_buffer_size()? > 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn recv_buffer_size(&self) -> io::Result<u32> {
        SockRef::from(self.io.get_ref())
            .recv_buffer_size()
            .map(saturate)
    }
}
