//! `UnixListener`: a Unix domain socket that waits for local connections.
//!
//! The same pattern as [`TcpListener`](crate::net::TcpListener): try
//! `accept(2)`, wait for readability on `WouldBlock`. Binding creates a
//! socket file at the path; it is *not* removed when the listener drops
//! (remove it yourself, as with any Unix socket).
//!
//! Several tasks may wait in `accept` at once, as on a `TcpListener`: all
//! are woken when a client connects, the first the loop runs takes the
//! connection, the others wait again.

use std::fmt;
use std::io;
use std::os::unix::net::SocketAddr;
use std::path::Path;

use crate::context::Caller;
use crate::net::io_source::IoSource;
use crate::net::UnixStream;

/// A Unix domain socket server, listening for connections.
///
/// Driven by the loop of the runtime it was created in: poll it there (in a
/// task, or in that runtime's `block_on`), or on any thread while that loop
/// runs. Polled where no loop drives it, it warns once instead of waiting in
/// silence: see [which loop drives a socket](crate::net#which-loop-drives-a-socket).
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{UnixListener, UnixStream};
///
/// let path = std::env::temp_dir().join(format!("coop-doc-listener-{}.sock", std::process::id()));
/// coop::block_on(async {
///     let listener = UnixListener::bind(&path)?;
///     let mut client = UnixStream::connect(&path).await?;
///     let (mut server, _) = listener.accept().await?;
///     client.write_all(b"local").await?;
///     let mut buf = [0; 5];
///     server.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"local");
///     Ok::<_, std::io::Error>(())
/// })?;
/// std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct UnixListener {
    pub(in crate::net) io: IoSource<mio::net::UnixListener>,
}

impl UnixListener {
    /// Creates a listener bound to `path` (a new socket file). On Linux, a
    /// `path` that starts with a NUL byte (`"\0name"`) binds the abstract
    /// name after it instead, with no file.
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
    /// let path = std::env::temp_dir().join(format!("coop-doc-bind-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let listener = coop::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn bind(path: impl AsRef<Path>) -> io::Result<UnixListener> {
        let caller = Caller::new("UnixListener::bind");
        let addr = super::addr::socket_addr(path.as_ref())?;
        UnixListener::from_mio(mio::net::UnixListener::bind_addr(&addr)?, caller)
    }

    #[track_caller]
    fn from_mio(listener: mio::net::UnixListener, caller: Caller) -> io::Result<UnixListener> {
        Ok(UnixListener {
            io: IoSource::new(listener, caller)?,
        })
    }

    /// Waits for a connection and returns it with the client's address
    /// (usually unnamed).
    ///
    /// # Errors
    /// What `accept(2)` reports, e.g. `EMFILE` at the descriptor limit; the
    /// listener stays usable.
    ///
    /// ```
    /// use coop::net::{UnixListener, UnixStream};
    ///
    /// let path = std::env::temp_dir().join(format!("coop-doc-accept-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let listener = UnixListener::bind(&path)?;
    ///     let _client = UnixStream::connect(&path).await?;
    ///     let (_server, addr) = listener.accept().await?;
    ///     assert!(addr.is_unnamed());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub async fn accept(&self) -> io::Result<(UnixStream, SocketAddr)> {
        let (stream, addr) = self.io.read_with(|l| l.accept()).await?;
        let caller = Caller::new("UnixListener::accept");
        Ok((UnixStream::from_mio(stream, caller)?, addr))
    }

    /// The address (path) this listener is bound to.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-local-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let listener = coop::net::UnixListener::bind(&path)?;
    ///     assert_eq!(listener.local_addr()?.as_pathname(), Some(path.as_path()));
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
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
    /// let path = std::env::temp_dir().join(format!("coop-doc-ufrom-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let std_listener = std::os::unix::net::UnixListener::bind(&path)?;
    ///     let listener = coop::net::UnixListener::from_std(std_listener)?;
    ///     assert!(listener.local_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn from_std(listener: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        listener.set_nonblocking(true)?;
        let caller = Caller::new("UnixListener::from_std");
        UnixListener::from_mio(mio::net::UnixListener::from_std(listener), caller)
    }

    /// Deregisters the listener and returns it as a standard library
    /// listener, still in non-blocking mode.
    ///
    /// # Errors
    /// If the reactor refuses to deregister it.
    ///
    /// ```
    /// let path = std::env::temp_dir().join(format!("coop-doc-uinto-{}.sock", std::process::id()));
    /// coop::block_on(async {
    ///     let listener = coop::net::UnixListener::bind(&path)?;
    ///     let std_listener = listener.into_std()?;
    ///     assert!(std_listener.local_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_std(self) -> io::Result<std::os::unix::net::UnixListener> {
        Ok(self.io.into_inner()?.into())
    }
}

impl fmt::Debug for UnixListener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UnixListener").field(&self.io).finish()
    }
}
