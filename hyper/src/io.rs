//! [`CoopIo`]: coop's sockets as hyper's [`Read`](hyper::rt::Read) and
//! [`Write`](hyper::rt::Write).
//!
//! coop's streams speak `futures-io` ([`AsyncRead`](futures_io::AsyncRead),
//! [`AsyncWrite`](futures_io::AsyncWrite)); hyper 1.x has its own I/O traits
//! so that it depends on no runtime. The adapter between the two is
//! smol-hyper's [`FuturesIo`](smol_hyper::rt::FuturesIo), reused as is (its
//! default features, smol's executor and reactor, are off):
//!
//! ```text
//!   hyper::rt::Read::poll_read(ReadBufCursor) ─► zero the cursor's spare room,
//!        AsyncRead::poll_read(&mut [u8]) ─► TcpStream ─► read(2) / WouldBlock ─► Pending
//!   hyper::rt::Write::poll_write(_vectored)   ─► AsyncWrite::poll_write(_vectored) ─► write(2) / writev(2)
//!   hyper::rt::Write::poll_shutdown           ─► AsyncWrite::poll_close ─► shutdown(Write)
//! ```
//!
//! Any `futures-io` stream works: [`coop::net::TcpStream`],
//! [`coop::net::UnixStream`], their owned halves, or a user's wrapper (TLS).
//!
//! The zeroing is the price of a safe `&mut [u8]` for `futures-io`: hyper
//! hands out uninitialised memory (its 8 KiB read buffer, growing on
//! demand), and the adapter fills the spare part with zeros before each
//! `read(2)`. benches/RESULTS.md ("HTTP with hyper") says what that costs.

/// A `futures-io` stream (a [`coop::net::TcpStream`]) seen through hyper's
/// I/O traits: smol-hyper's `FuturesIo`.
///
/// Wrap a socket with [`CoopIo::new`] and hand it to hyper's
/// `serve_connection` or `handshake`; [`CoopIo::into_inner`] gives it back.
///
/// ```
/// use coop::net::{TcpListener, TcpStream};
/// use coop_hyper::CoopIo;
/// use hyper::rt::{Read, Write};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = CoopIo::new(TcpStream::connect(listener.local_addr()?).await?);
///     let (server, _) = listener.accept().await?;
///     let mut server = CoopIo::new(server);
///
///     // Write through hyper's `Write`, read through hyper's `Read`.
///     std::future::poll_fn(|cx| std::pin::Pin::new(&mut client).poll_write(cx, b"ping")).await?;
///     let mut storage = [std::mem::MaybeUninit::uninit(); 16];
///     let mut buf = hyper::rt::ReadBuf::uninit(&mut storage);
///     std::future::poll_fn(|cx| std::pin::Pin::new(&mut server).poll_read(cx, buf.unfilled())).await?;
///     assert_eq!(buf.filled(), b"ping");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub type CoopIo<T> = smol_hyper::rt::FuturesIo<T>;
