//! `TcpListener`: a socket that waits for TCP connections.
//!
//! `accept` is the read-side pattern of the reactor in its plainest form:
//! try `accept(2)`; `WouldBlock` means "no connection queued", so the task
//! stores its waker and the loop goes on; epoll reports the listener
//! readable when a client connects, and the task tries again.
//!
//! ```text
//!   accept().await ─► accept(2) ─► WouldBlock ─► Pending … readable ─► accept(2) ─► (TcpStream, addr)
//! ```
//!
//! An `accept` that fails for lack of resources (`EMFILE`: the process is
//! at its descriptor limit) returns the error and leaves the listener as it
//! was: the connection stays queued in the kernel and the next `accept`,
//! once descriptors are free, takes it. A server loop should log such an
//! error, pause briefly and go on rather than stop.
//!
//! Several tasks may wait in `accept` on one listener (an
//! `Rc<TcpListener>`): each waits in the socket's waiter list and every
//! readiness report wakes them all. The first one the loop runs takes the
//! queued connection; the others find none (`WouldBlock`) and wait again,
//! so each connection goes to exactly one task and none is left queued
//! while a task waits.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use crate::context::Caller;
use crate::net::addr::{each_addr, ToSocketAddrs};
use crate::net::io_source::IoSource;
use crate::net::TcpStream;

/// A TCP socket server, listening for connections.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let server = coop::spawn(async move {
///         let (mut socket, _peer) = listener.accept().await?;
///         let mut buf = [0; 5];
///         socket.read_exact(&mut buf).await?;
///         socket.write_all(&buf).await?; // echo it back
///         Ok::<_, std::io::Error>(())
///     });
///     let mut client = TcpStream::connect(addr).await?;
///     client.write_all(b"hello").await?;
///     let mut reply = [0; 5];
///     client.read_exact(&mut reply).await?;
///     assert_eq!(&reply, b"hello");
///     server.await.unwrap()
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct TcpListener {
    pub(in crate::net) io: IoSource<mio::net::TcpListener>,
}

impl TcpListener {
    /// Binds a listener to `addr` (with `SO_REUSEADDR`, as `mio` does),
    /// trying each address it resolves to until one works. Port 0 asks the
    /// OS for a free port; [`local_addr`](Self::local_addr) tells which.
    ///
    /// Names are resolved on the loop's thread (see [`ToSocketAddrs`]).
    ///
    /// # Errors
    /// The bind error of the last address tried (`AddrInUse` if the port
    /// is taken, …); an unparsable address (`"not an address"`, no port, a
    /// port above 65535) or an empty list is `InvalidInput`; a name the
    /// resolver does not know is the resolver's error (`tests/limits.rs`).
    ///
    /// # Panics
    /// When first polled outside a coop runtime, naming this function and
    /// the line that called it. Making the future outside one is fine:
    /// `rt.block_on(TcpListener::bind(addr))` works.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert_ne!(listener.local_addr()?.port(), 0);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn bind(addr: impl ToSocketAddrs) -> impl Future<Output = io::Result<TcpListener>> {
        // An `async fn` cannot be `#[track_caller]`: note the line here, for
        // the panic its body may raise at the first poll.
        let caller = Caller::new("TcpListener::bind");
        async move {
            each_addr(addr, |addr| async move {
                TcpListener::from_mio(mio::net::TcpListener::bind(addr)?, caller)
            })
            .await
        }
    }

    #[track_caller]
    pub(in crate::net) fn from_mio(
        listener: mio::net::TcpListener,
        caller: Caller,
    ) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: IoSource::new(listener, caller)?,
        })
    }

    /// Waits for a connection and returns it with the client's address.
    ///
    /// # Errors
    /// What `accept(2)` reports, e.g. `EMFILE` at the descriptor limit. The
    /// listener stays usable: call `accept` again.
    ///
    /// ```
    /// use coop::net::{TcpListener, TcpStream};
    ///
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server_side, peer) = listener.accept().await?;
    ///     assert_eq!(peer, client.local_addr()?);
    ///     assert_eq!(server_side.peer_addr()?, client.local_addr()?);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, addr) = self.io.read_with(|l| l.accept()).await?;
        let caller = Caller::new("TcpListener::accept");
        Ok((TcpStream::from_mio(stream, caller)?, addr))
    }

    /// The address this listener is bound to.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     assert!(listener.local_addr()?.ip().is_loopback());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Wraps a standard library listener, switching it to non-blocking
    /// mode, and registers it with the current runtime.
    ///
    /// # Errors
    /// If it cannot be made non-blocking or registered.
    ///
    /// # Panics
    /// Outside a coop runtime.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let std_listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    ///     let listener = coop::net::TcpListener::from_std(std_listener)?;
    ///     assert!(listener.local_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        let caller = Caller::new("TcpListener::from_std");
        TcpListener::from_mio(mio::net::TcpListener::from_std(listener), caller)
    }

    /// Deregisters the listener and returns it as a standard library
    /// listener, still in non-blocking mode (call `set_nonblocking(false)`
    /// to use it with blocking calls).
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     let std_listener = listener.into_std()?;
    ///     assert_eq!(std_listener.local_addr()?, addr);
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::net::TcpListener> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for TcpListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TcpListener").field(&self.io).finish()
    }
}
