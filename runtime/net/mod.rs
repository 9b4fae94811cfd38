//! Sockets on the loop: TCP, UDP and Unix domain sockets.
//!
//! Every type here is a thin shell around a non-blocking `mio` socket
//! registered with the reactor of the runtime that created it
//! (`io_source.rs`). An operation tries the syscall; if the kernel says
//! `WouldBlock`, the task waits until the reactor reports the socket ready
//! and tries again:
//!
//! ```text
//!   socket.recv(buf).await
//!     └─► IoSource::read_with ─► Registration::poll_io(Read, waiter, || recv(2))
//!            ready?  no ─► store waker, Pending ──┐
//!            read(2) ─► WouldBlock ─► clear, wait ┤◄─ reactor: epoll says readable
//!            read(2) ─► Ok(n) / Ok(0) / Err(e) ─► Ready
//! ```
//!
//! | file | what it is |
//! |---|---|
//! | `io_source.rs` | socket + registration; deregister before close |
//! | `addr.rs` | [`ToSocketAddrs`], trying each resolved address |
//! | `stream_io.rs` | `futures-io` [`AsyncRead`]/[`AsyncWrite`] for streams and halves |
//! | `split.rs` | borrowed and owned read/write halves |
//! | `tcp/` | [`TcpListener`], [`TcpStream`], [`TcpSocket`] (options before bind/connect, on `socket2`) |
//! | `udp.rs` | [`UdpSocket`] |
//! | `unix/` | [`UnixListener`], [`UnixStream`], [`UnixDatagram`]; `peek.rs`: `MSG_PEEK` through `rustix` |
//!
//! Several tasks may wait in the `&self` operations of one socket at once
//! (`accept` on an `Rc<TcpListener>`, `recv` on an `Rc<UdpSocket>`): each
//! gets its own place in the socket's waiter list, and every readiness
//! report wakes them all. The first one the loop runs takes the
//! connection or datagram; the others find nothing, and wait again. So one
//! arrival serves one waiter, roughly in the order they were woken, and no
//! waiter sleeps through an arrival it could have taken.
//!
//! Streams speak `futures-io`, so `futures-util`'s `AsyncReadExt`,
//! `AsyncWriteExt`, `BufReader`, `copy` and the codec crates built on them
//! work unchanged.
//!
//! ## Which loop drives a socket
//!
//! Sockets are `Send + Sync` and may be moved between threads, but stay
//! registered with the runtime that created them: only its loop (inside its
//! `block_on`) turns the kernel's readiness into wake-ups. So:
//!
//! * poll a socket in a task or `block_on` of its own runtime, or on any
//!   other thread *while that runtime's loop runs* (the loop wakes the
//!   waiting thread from where it runs);
//! * a socket that has to wait where no loop drives it (on another
//!   runtime's thread, under another executor, while its own runtime sits
//!   idle) would wait forever: coop emits one `tracing` WARN per socket
//!   (`io.undriven`, target `coop::reactor`) naming the socket, its
//!   runtime and what to do. It is a warning, not an error, because the
//!   loop may still be started on another thread, and then the wait ends;
//! * creating a socket outside a runtime panics, naming the function
//!   called (`TcpListener::bind`) and the caller's line. A future such as
//!   `TcpListener::bind(addr)` may be *made* outside and awaited inside;
//! * after its runtime is dropped, a socket's operations fail with an
//!   error instead of waiting forever.
//!
//! ```
//! use futures_util::{AsyncReadExt, AsyncWriteExt};
//! use coop::net::{TcpListener, TcpStream};
//!
//! coop::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     // An echo server: one task per connection (dropping a JoinHandle
//!     // detaches the task; it runs on).
//!     drop(coop::spawn(async move {
//!         while let Ok((mut socket, _)) = listener.accept().await {
//!             drop(coop::spawn(async move {
//!                 let (mut read, mut write) = TcpStream::split(&mut socket);
//!                 let _ = futures_util::io::copy(&mut read, &mut write).await;
//!             }));
//!         }
//!     }));
//!     let mut client = TcpStream::connect(addr).await?;
//!     client.write_all(b"hello").await?;
//!     let mut buf = [0; 5];
//!     client.read_exact(&mut buf).await?;
//!     assert_eq!(&buf, b"hello");
//!     Ok::<_, std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! [`AsyncRead`]: futures_io::AsyncRead
//! [`AsyncWrite`]: futures_io::AsyncWrite

mod addr;
pub(crate) mod io_source;
pub mod split;
mod stream_io;
pub mod tcp;
mod udp;
pub mod unix;

pub use addr::ToSocketAddrs;
pub use tcp::{TcpListener, TcpSocket, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixDatagram, UnixListener, UnixStream};

#[cfg(test)]
mod tests;
