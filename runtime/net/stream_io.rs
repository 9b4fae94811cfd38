//! The byte-stream plumbing shared by [`TcpStream`](crate::net::TcpStream)
//! and [`UnixStream`](crate::net::UnixStream): `futures-io`'s
//! [`AsyncRead`]/[`AsyncWrite`] on top of the reactor.
//!
//! ```text
//!   AsyncRead::poll_read ─► Stream::poll_read_priv ─► IoSource::poll_read_stream(buf, drains)
//!   AsyncWrite::poll_write(_vectored) ─► … ─► write(2) / writev(2)
//!   AsyncWrite::poll_flush ─► Ready(Ok)        (the kernel buffers; nothing to flush)
//!   AsyncWrite::poll_close ─► shutdown(Write)  (the peer reads EOF)
//! ```
//!
//! Both stream types and their split halves need the same impls. The
//! sealed [`Stream`] trait is the one place the syscalls are named; the
//! macros below write the trait impls that forward to it (the orphan rule
//! forbids one blanket impl of a foreign trait for all six types).
//!
//! Because these are `futures-io` traits, everything in `futures-util`
//! works on coop sockets unchanged: `read_exact`, `write_all`, `copy`,
//! `BufReader`, `lines`, and codec crates built on them.
//!
//! Limits (`tests/limits.rs`): a read into an empty buffer returns `Ok(0)`
//! at once, consuming nothing and not waiting for data (so `Ok(0)` means
//! end-of-file only for a non-empty buffer); a write of an empty buffer
//! returns `Ok(0)`. After `shutdown(Write)` (or `close`) a write fails with
//! `BrokenPipe`; the bytes written before it still reach the peer, then
//! end-of-file.
//!
//! Writing to a peer that has gone away returns `BrokenPipe` (or
//! `ConnectionReset`); it does not kill the process. Rust programs start
//! with `SIGPIPE` ignored, and `std`'s TCP `write` passes `MSG_NOSIGNAL` as
//! well. A program that restores the default `SIGPIPE` action would be
//! killed by such a write (on Unix streams and vectored writes), as with
//! any Rust socket.

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::task::{Context, Poll};

pub(crate) mod sealed {
    use super::*;

    /// A connected byte stream whose halves can be used apart. Sealed:
    /// implemented by coop's stream types only.
    pub trait Stream: Sized {
        /// One non-blocking read, waiting for readability as needed.
        fn poll_read_priv(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
        /// One non-blocking write, waiting for writability as needed.
        fn poll_write_priv(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
        /// One non-blocking vectored write (`writev`).
        fn poll_write_vectored_priv(
            &self,
            cx: &mut Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>>;
        /// `shutdown(2)` on the socket.
        fn shutdown_priv(&self, how: Shutdown) -> io::Result<()>;
    }
}

pub(crate) use sealed::Stream;

/// `poll_close`: shut down the write side so the peer reads end-of-file.
/// A connection that is already gone (`NotConnected`) counts as closed.
pub(crate) fn close_write<S: Stream>(stream: &S) -> Poll<io::Result<()>> {
    match stream.shutdown_priv(Shutdown::Write) {
        Err(e) if e.kind() == io::ErrorKind::NotConnected => Poll::Ready(Ok(())),
        result => Poll::Ready(result),
    }
}

/// Implements [`Stream`], [`AsyncRead`](futures_io::AsyncRead) and
/// [`AsyncWrite`](futures_io::AsyncWrite) for a stream type with an
/// `io: IoSource<S>` field where `&S: Read + Write` and `S` has
/// `shutdown`; `short_read_drains` says whether a short read proves the
/// socket empty (`IoSource::poll_read_stream`).
macro_rules! impl_stream_io {
    ($ty:ty, short_read_drains: $drains:expr) => {
        impl $crate::net::stream_io::sealed::Stream for $ty {
            fn poll_read_priv(
                &self,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.io.poll_read_stream(cx, buf, $drains)
            }

            fn poll_write_priv(
                &self,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.io
                    .poll_write(cx, |mut s| ::std::io::Write::write(&mut s, buf))
            }

            fn poll_write_vectored_priv(
                &self,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                self.io.poll_write(cx, |mut s| {
                    ::std::io::Write::write_vectored(&mut s, bufs)
                })
            }

            fn shutdown_priv(&self, how: ::std::net::Shutdown) -> ::std::io::Result<()> {
                self.io.get_ref().shutdown(how)
            }
        }

        $crate::net::stream_io::impl_async_read!(impl[] $ty => |this| this);
        $crate::net::stream_io::impl_async_write!(impl[] $ty => |this| this);
    };
}

/// `AsyncRead` for a type (with generics in `impl[...]`) whose value
/// `this` gives a `&S` with `S: Stream` through `$stream`.
macro_rules! impl_async_read {
    (impl[$($gen:tt)*] $ty:ty => |$this:ident| $stream:expr) => {
        impl<$($gen)*> ::futures_io::AsyncRead for $ty {
            fn poll_read(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &mut [u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let $this = &*self;
                $crate::net::stream_io::Stream::poll_read_priv($stream, cx, buf)
            }
        }
    };
}

/// `AsyncWrite` for a type (with generics in `impl[...]`) whose value
/// `this` gives a `&S` with `S: Stream` through `$stream`.
macro_rules! impl_async_write {
    (impl[$($gen:tt)*] $ty:ty => |$this:ident| $stream:expr) => {
        impl<$($gen)*> ::futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                buf: &[u8],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let $this = &*self;
                $crate::net::stream_io::Stream::poll_write_priv($stream, cx, buf)
            }

            fn poll_write_vectored(
                self: ::std::pin::Pin<&mut Self>,
                cx: &mut ::std::task::Context<'_>,
                bufs: &[::std::io::IoSlice<'_>],
            ) -> ::std::task::Poll<::std::io::Result<usize>> {
                let $this = &*self;
                $crate::net::stream_io::Stream::poll_write_vectored_priv($stream, cx, bufs)
            }

            fn poll_flush(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                ::std::task::Poll::Ready(Ok(()))
            }

            fn poll_close(
                self: ::std::pin::Pin<&mut Self>,
                _cx: &mut ::std::task::Context<'_>,
            ) -> ::std::task::Poll<::std::io::Result<()>> {
                let $this = &*self;
                $crate::net::stream_io::close_write($stream)
            }
        }
    };
}

pub(crate) use {impl_async_read, impl_async_write, impl_stream_io};
