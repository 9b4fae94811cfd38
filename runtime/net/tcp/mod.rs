//! TCP: [`TcpListener`] accepts connections, [`TcpStream`] is one,
//! [`TcpSocket`] sets options before either exists (`socket.rs`), and the
//! split halves here let a stream be read and written from two places.
//!
//! The halves are the generic ones in [`coop::net::split`](crate::net::split),
//! named for `TcpStream`:
//!
//! ```
//! use coop::net::{tcp, TcpListener, TcpStream};
//!
//! coop::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let stream = TcpStream::connect(listener.local_addr()?).await?;
//!     let (read, write): (tcp::OwnedReadHalf, tcp::OwnedWriteHalf) = stream.into_split();
//!     let _stream: TcpStream = read.reunite(write).unwrap();
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```

mod listener;
pub(in crate::net) mod socket;
mod stream;

pub use listener::TcpListener;
pub use socket::TcpSocket;
pub use stream::TcpStream;

/// [`split::ReadHalf`](crate::net::split::ReadHalf) of a [`TcpStream`].
pub type ReadHalf<'a> = crate::net::split::ReadHalf<'a, TcpStream>;
/// [`split::WriteHalf`](crate::net::split::WriteHalf) of a [`TcpStream`].
pub type WriteHalf<'a> = crate::net::split::WriteHalf<'a, TcpStream>;
/// [`split::OwnedReadHalf`](crate::net::split::OwnedReadHalf) of a [`TcpStream`].
pub type OwnedReadHalf = crate::net::split::OwnedReadHalf<TcpStream>;
/// [`split::OwnedWriteHalf`](crate::net::split::OwnedWriteHalf) of a [`TcpStream`].
pub type OwnedWriteHalf = crate::net::split::OwnedWriteHalf<TcpStream>;
/// [`split::ReuniteError`](crate::net::split::ReuniteError) of a [`TcpStream`].
pub type ReuniteError = crate::net::split::ReuniteError<TcpStream>;
