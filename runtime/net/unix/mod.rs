//! Unix domain sockets: [`UnixListener`], [`UnixStream`] and
//! [`UnixDatagram`], the local-machine counterparts of the TCP and UDP
//! types, addressed by file path instead of IP and port. On Linux, a path
//! that starts with a NUL byte names an abstract socket, which has no file
//! (`addr.rs`).
//!
//! std and `mio` cannot peek on Unix sockets, so `UnixStream::peek` and
//! `UnixDatagram::{peek, peek_from}` call `recv(2)`/`recvfrom(2)` with
//! `MSG_PEEK` through `rustix` (`peek.rs`), inside the same readiness loop
//! as every other read.
//!
//! The stream's split halves are the generic ones in
//! [`coop::net::split`](crate::net::split), named for `UnixStream`:
//!
//! ```
//! use coop::net::{unix, UnixStream};
//!
//! coop::block_on(async {
//!     let (a, _b) = UnixStream::pair()?;
//!     let (read, write): (unix::OwnedReadHalf, unix::OwnedWriteHalf) = a.into_split();
//!     let _a: UnixStream = read.reunite(write).unwrap();
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod addr;
mod datagram;
mod listener;
mod peek;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use stream::UnixStream;

/// [`split::ReadHalf`](crate::net::split::ReadHalf) of a [`UnixStream`].
pub type ReadHalf<'a> = crate::net::split::ReadHalf<'a, UnixStream>;
/// [`split::WriteHalf`](crate::net::split::WriteHalf) of a [`UnixStream`].
pub type WriteHalf<'a> = crate::net::split::WriteHalf<'a, UnixStream>;
/// [`split::OwnedReadHalf`](crate::net::split::OwnedReadHalf) of a [`UnixStream`].
pub type OwnedReadHalf = crate::net::split::OwnedReadHalf<UnixStream>;
/// [`split::OwnedWriteHalf`](crate::net::split::OwnedWriteHalf) of a [`UnixStream`].
pub type OwnedWriteHalf = crate::net::split::OwnedWriteHalf<UnixStream>;
/// [`split::ReuniteError`](crate::net::split::ReuniteError) of a [`UnixStream`].
pub type ReuniteError = crate::net::split::ReuniteError<UnixStream>;
