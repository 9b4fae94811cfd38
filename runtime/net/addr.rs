//! Addresses: what `bind` and `connect` accept, and trying each address a
//! name resolves to.
//!
//! coop takes anything that implements the standard library's
//! [`ToSocketAddrs`] (re-exported as `coop::net::ToSocketAddrs`):
//! a [`SocketAddr`], `"127.0.0.1:8080"`, `("::1", 8080)`, a slice of
//! addresses, and host names such as `"localhost:8080"`.
//!
//! Resolution is synchronous, on the loop's thread. For IP addresses (the
//! usual case for servers) that is free: nothing is looked up. A host name
//! goes to the system resolver (`getaddrinfo`), which may block the whole
//! loop for as long as DNS takes; resolve names before entering the loop,
//! or accept that pause. coop has no thread pool to hide it in.
//!
//! ```text
//!   "localhost:80" ─► [127.0.0.1:80, [::1]:80] ─► try each in order
//!                                                 first Ok wins, else last error
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;

pub use std::net::ToSocketAddrs;

/// Resolves `addr` and calls `f` with each address in turn until one
/// succeeds. Returns the last error if all fail, or `InvalidInput` if the
/// name resolved to no address at all.
pub(crate) async fn each_addr<A, T, F, Fut>(addr: A, mut f: F) -> io::Result<T>
where
    A: ToSocketAddrs,
    F: FnMut(SocketAddr) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let mut last_error = None;
    for addr in addr.to_socket_addrs()? {
        match f(addr).await {
            Ok(value) => return Ok(value),
            Err(e) => last_error = Some(e),
        }
    }
    Err(last_error.unwrap_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "could not resolve to any address",
        )
    }))
}
