//! From a path to a Unix socket address, with Linux's abstract namespace.
//!
//! On Linux (and Android) a path whose first byte is NUL names an
//! *abstract* socket: the bytes after the NUL are its name, no file is
//! created, and the name disappears with the last socket bound to it. So
//! `UnixListener::bind("\0my-service")` and
//! `UnixStream::connect("\0my-service")` meet without touching the file
//! system, as they do in tokio (since 1.39.3). Elsewhere such a path is
//! refused as before ("paths must not contain interior null bytes").
//!
//! ```text
//!  "\0name"  ──► SocketAddr::from_abstract_name(b"name")   (Linux)
//!  "/a/path" ──► SocketAddr::from_pathname("/a/path")
//! ```

use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::SocketAddr;
use std::path::Path;

/// The address `path` names (see the module docs).
pub(super) fn socket_addr(path: &Path) -> io::Result<SocketAddr> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = abstract_name(path) {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        return SocketAddr::from_abstract_name(name);
    }
    SocketAddr::from_pathname(path)
}

/// The abstract name in `path`, if it starts with a NUL byte.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn abstract_name(path: &Path) -> Option<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().strip_prefix(&[0])
}

/// A datagram destination. `mio` sends and connects datagram sockets to
/// file paths only, so an abstract name goes through `rustix`.
pub(super) enum Destination<'a> {
    Path(&'a Path),
    #[cfg(any(target_os = "linux", target_os = "android"))]
    Abstract(rustix::net::SocketAddrUnix),
}

impl Destination<'_> {
    pub(super) fn new(path: &Path) -> io::Result<Destination<'_>> {
        #[cfg(any(target_os = "linux", target_os = "android"))]
        if let Some(name) = abstract_name(path) {
            let addr = rustix::net::SocketAddrUnix::new_abstract_name(name)?;
            return Ok(Destination::Abstract(addr));
        }
        Ok(Destination::Path(path))
    }

    /// `connect(2)`: the default destination, and the only source.
    pub(super) fn connect(&self, socket: &mio::net::UnixDatagram) -> io::Result<()> {
        match self {
            Destination::Path(path) => socket.connect(path),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Destination::Abstract(addr) => Ok(rustix::net::connect(socket.as_fd(), addr)?),
        }
    }

    /// One `sendto(2)`; `WouldBlock` when the receiver's queue is full.
    pub(super) fn send_to(&self, socket: &mio::net::UnixDatagram, buf: &[u8]) -> io::Result<usize> {
        match self {
            Destination::Path(path) => socket.send_to(buf, path),
            #[cfg(any(target_os = "linux", target_os = "android"))]
            Destination::Abstract(addr) => {
                let flags = rustix::net::SendFlags::empty();
                Ok(rustix::net::sendto(socket.as_fd(), buf, flags, addr)?)
            }
        }
    }
}
