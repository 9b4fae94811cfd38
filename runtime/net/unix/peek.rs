//! Peeking on Unix sockets: `recv(2)` and `recvfrom(2)` with `MSG_PEEK`.
//!
//! std's `peek` and `peek_from` for Unix sockets are unstable and `mio` has
//! none, so these two operations go through `rustix` (safe wrappers over
//! the syscalls; no `unsafe` here). They are plain non-blocking calls on
//! the socket's descriptor: the socket types run them inside
//! `IoSource::read_with` like any other read, so a peek that finds nothing
//! waits for readability, and a peek that finds data leaves the readiness
//! alone (the data is still queued; the next read must not wait).
//!
//! ```text
//!   UnixStream::peek(buf)        ─► read_with(|s| peek(s, buf))
//!   UnixDatagram::peek_from(buf) ─► read_with(|s| peek_from(s, buf))
//!                                        └─► recvfrom(MSG_PEEK) ─► (n, rustix addr)
//!                                                   └─► std_addr ─► std SocketAddr
//! ```
//!
//! `peek_from` returns the same `std::os::unix::net::SocketAddr` as
//! `recv_from`. std offers no constructor for an *unnamed* address (the
//! sender was never bound: `socketpair(2)`, `unbound()`), so the first one
//! needed is taken from a throwaway unbound std socket and kept for the
//! life of the process.

use crate::loom::sync::OnceLock;
use std::ffi::OsStr;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;

use rustix::net::{RecvFlags, SocketAddrAny, SocketAddrUnix};

/// Copies the head of the socket's receive queue into `buf` without
/// removing it; returns the bytes copied.
pub(super) fn peek(socket: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    let (copied, _queued) = rustix::net::recv(socket, buf, RecvFlags::PEEK)?;
    Ok(copied)
}

/// [`peek`], plus the sender's address.
pub(super) fn peek_from(socket: impl AsFd, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    let (copied, _queued, from) = rustix::net::recvfrom(socket, buf, RecvFlags::PEEK)?;
    Ok((copied, std_addr(from)?))
}

/// The longest address rustix 1.1 decodes without panicking: the kernel
/// reports a 108-byte path bound without a NUL as one byte longer than
/// `sockaddr_un` (`sa_family_t` + `sun_path[108]`), and rustix then indexes
/// past `sun_path`.
#[cfg(any(target_os = "linux", target_os = "android"))]
const MAX_DECODABLE_LEN: usize = 2 + 108;

/// rustix's address of a sender as std's.
fn std_addr(from: Option<SocketAddrAny>) -> io::Result<SocketAddr> {
    // No address at all: some kernels say "unnamed" that way.
    let Some(from) = from else {
        return unnamed();
    };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if from.addr_len() as usize > MAX_DECODABLE_LEN {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the sender's path fills sun_path with no NUL; coop cannot decode it (recv_from can)",
        ));
    }
    let from = SocketAddrUnix::try_from(from)?;
    if let Some(path) = from.path_bytes() {
        return SocketAddr::from_pathname(OsStr::from_bytes(path));
    }
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Some(name) = from.abstract_name() {
        #[cfg(target_os = "android")]
        use std::os::android::net::SocketAddrExt;
        #[cfg(target_os = "linux")]
        use std::os::linux::net::SocketAddrExt;
        return SocketAddr::from_abstract_name(name);
    }
    unnamed()
}

/// An unnamed address, made once per process: std cannot build one, but
/// an unbound socket reports one as its `local_addr`.
fn unnamed() -> io::Result<SocketAddr> {
    // `std`'s `OnceLock`, re-exported by the shim: `net` is not compiled
    // under loom, and loom cannot make a `static` anyway.
    static UNNAMED: OnceLock<SocketAddr> = OnceLock::new();
    if let Some(addr) = UNNAMED.get() {
        return Ok(addr.clone());
    }
    let addr = std::os::unix::net::UnixDatagram::unbound()?.local_addr()?;
    Ok(UNNAMED.get_or_init(|| addr).clone())
}
