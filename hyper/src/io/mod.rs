//! [`CoopIo`]: coop's sockets as hyper's [`Read`] and [`Write`].
//!
//! coop's streams speak `futures-io` ([`AsyncRead`], [`AsyncWrite`]);
//! hyper 1.x has its own I/O traits so that it depends on no runtime.
//! Writes forward one to one. Reads are the interesting half: hyper hands
//! `poll_read` a cursor over *uninitialised* memory (the spare room of its
//! read buffer, 8 KiB and up), while `AsyncRead::poll_read` wants a
//! `&mut [u8]`, which must be initialised.
//!
//! ```text
//!   hyper::rt::Read::poll_read(cursor: n bytes of MaybeUninit)
//!      │ borrow this thread's scratch buffer (zeroed once, reused by every read)
//!      ├─► AsyncRead::poll_read(&mut scratch[..min(n, 64 KiB)]) ─► read(2) ─► k bytes / WouldBlock ─► Pending
//!      └─► cursor.put_slice(&scratch[..k])            (copies the k bytes read, no more)
//!   hyper::rt::Write::poll_write(_vectored)  ─► AsyncWrite::poll_write(_vectored) ─► write(2) / writev(2)
//!   hyper::rt::Write::poll_flush / poll_shutdown ─► AsyncWrite::poll_flush / poll_close (shutdown(Write))
//! ```
//!
//! ## Why not smol-hyper's `FuturesIo`
//!
//! smol-hyper's adapter (the obvious one to reuse) makes the cursor safe to
//! hand out by zeroing all of its spare room before every read. For
//! hyper's hello-world that `memset` was 75 % of the server's instructions
//! under cachegrind (about 24,000 of 33,000 per request: the spare room is
//! kilobytes, the request a hundred bytes). Reading into one zeroed scratch
//! buffer per thread and copying out only what arrived costs a `memcpy` of
//! the bytes read instead, and needs no `unsafe` (coop's loop is
//! single-threaded, so one buffer per thread serves every connection: a
//! read borrows it only for the length of one `read(2)`).
//!
//! Any `futures-io` stream works: [`coop::net::TcpStream`],
//! [`coop::net::UnixStream`], their owned halves, or a user's wrapper (TLS).

use std::cell::RefCell;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::{Read, ReadBufCursor, Write};

/// The most one read asks the socket for: the size of the per-thread
/// scratch buffer (64 KiB, allocated on a thread's first read). hyper reads
/// again for more.
pub const SCRATCH_LEN: usize = 64 * 1024;

/// The stack buffer a read falls back to if the thread's scratch buffer is
/// already borrowed (a `CoopIo` whose inner stream reads through another
/// `CoopIo`: unusual, but it must not panic).
const NESTED_LEN: usize = 4 * 1024;

thread_local! {
    /// Zeroed once, then reused by every read on this thread. Only the
    /// bytes a read reports are copied out, so stale contents never leak.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

pin_project_lite::pin_project! {
    /// A `futures-io` stream (a [`coop::net::TcpStream`]) seen through hyper's
    /// I/O traits.
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
    #[derive(Debug, Default, Clone, Copy)]
    pub struct CoopIo<T> {
        #[pin]
        inner: T,
    }
}

impl<T> CoopIo<T> {
    /// Wraps a `futures-io` stream for hyper.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let stream = coop::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let io = coop_hyper::CoopIo::new(stream);
    ///     # let _ = io;
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(inner: T) -> CoopIo<T> {
        CoopIo { inner }
    }

    /// The wrapped stream, given back.
    ///
    /// ```
    /// let io = coop_hyper::CoopIo::new(std::io::Cursor::new(b"abc"));
    /// assert_eq!(io.into_inner().into_inner(), b"abc");
    /// ```
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The wrapped stream, borrowed (to read its peer address, say).
    ///
    /// ```
    /// let io = coop_hyper::CoopIo::new(std::io::Cursor::new(vec![1u8]));
    /// assert_eq!(io.get_ref().get_ref(), &[1]);
    /// ```
    pub fn get_ref(&self) -> &T {
        &self.inner
    }

    /// The wrapped stream, borrowed mutably.
    ///
    /// ```
    /// let mut io = coop_hyper::CoopIo::new(std::io::Cursor::new(vec![1u8]));
    /// io.get_mut().set_position(1);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: AsyncRead> Read for CoopIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut cursor: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let want = cursor.remaining().min(SCRATCH_LEN);
        if want == 0 {
            return Poll::Ready(Ok(()));
        }
        let inner = self.project().inner;
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => {
                if scratch.len() < SCRATCH_LEN {
                    scratch.resize(SCRATCH_LEN, 0); // the thread's first read
                }
                read_into(inner, cx, &mut scratch[..want], &mut cursor)
            }
            Err(_) => {
                let mut nested = [0u8; NESTED_LEN];
                read_into(inner, cx, &mut nested[..want.min(NESTED_LEN)], &mut cursor)
            }
        })
    }
}

/// One read into `buf`, then the bytes read copied into hyper's cursor.
fn read_into<T: AsyncRead>(
    inner: Pin<&mut T>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
    cursor: &mut ReadBufCursor<'_>,
) -> Poll<io::Result<()>> {
    let n = std::task::ready!(inner.poll_read(cx, buf))?;
    // A reader that claims more than it was given breaks its contract;
    // `put_slice` would panic on it anyway, say why instead.
    let read = buf.get(..n).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "AsyncRead::poll_read reported more bytes than the buffer holds",
        )
    })?;
    cursor.put_slice(read);
    Poll::Ready(Ok(()))
}

impl<T: AsyncWrite> Write for CoopIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }

    /// `false`, hyper's default, said out loud: hyper then copies the
    /// response head and a small body into one buffer for one `write(2)`.
    /// With `true` it would queue them as separate slices for `writev(2)`;
    /// for hello-world that cost more (9,008 instructions per request
    /// against 8,585 under cachegrind), and a generic `futures-io` stream
    /// may not write vectors natively at all.
    fn is_write_vectored(&self) -> bool {
        false
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }
}

#[cfg(test)]
mod tests;
