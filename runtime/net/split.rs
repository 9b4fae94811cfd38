//! Split halves: read from a stream in one place and write to it in
//! another, at the same time.
//!
//! A socket's reactor record keeps one waker for a reader and one for a
//! writer, so a read and a write can wait on one socket at once. The halves
//! make that usable with `&mut`-taking traits such as `AsyncRead`:
//!
//! ```text
//!   stream.split()       ─► (ReadHalf<'_>, WriteHalf<'_>)        both borrow the stream; no allocation
//!   stream.into_split()  ─► (OwnedReadHalf, OwnedWriteHalf)      share it through an Arc; 'static,
//!                                                                so each can move into its own task
//!   read.reunite(write)  ─► the stream again (if they came from the same one)
//! ```
//!
//! **A name clash to know about.** `futures_util::AsyncReadExt` has a
//! `split` method of its own, which takes the stream *by value* (its halves
//! share it through a lock). Method lookup tries by-value methods first, so
//! with that trait in scope `stream.split()` calls it, not coop's. Both
//! work; for coop's lock-free borrowed halves write
//! `TcpStream::split(&mut stream)` (or `UnixStream::split`).
//! [`into_split`](crate::net::TcpStream::into_split) has no such clash.
//!
//! Dropping an [`OwnedWriteHalf`] shuts down the write side (the peer reads
//! end-of-file), as closing it would; the socket itself closes when both
//! owned halves are gone.
//!
//! The types here are generic over the stream; [`coop::net::tcp`](crate::net::tcp)
//! and [`coop::net::unix`](crate::net::unix) name them for each stream type
//! (`tcp::OwnedReadHalf` = `OwnedReadHalf<TcpStream>`).

use crate::loom::sync::Arc;
use std::error::Error;
use std::fmt;
use std::net::Shutdown;

use crate::net::stream_io::{impl_async_read, impl_async_write, Stream};

/// The read half of a borrowed [`split`](crate::net::TcpStream::split):
/// implements [`AsyncRead`](futures_io::AsyncRead).
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     // `TcpStream::split(&mut s)`, not `s.split()`: see the module docs.
///     let (mut read, mut write) = TcpStream::split(&mut server);
///     client.write_all(b"ping").await?;
///     let mut buf = [0; 4];
///     read.read_exact(&mut buf).await?;
///     write.write_all(&buf).await?;
///     client.read_exact(&mut buf).await?;
///     assert_eq!(&buf, b"ping");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ReadHalf<'a, S>(&'a S);

/// The write half of a borrowed [`split`](crate::net::TcpStream::split):
/// implements [`AsyncWrite`](futures_io::AsyncWrite). Closing it shuts
/// down the stream's write side.
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let mut client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     let (_read, mut write) = TcpStream::split(&mut server);
///     write.write_all(b"bye").await?;
///     write.close().await?; // the client reads end-of-file after "bye"
///     let mut all = Vec::new();
///     client.read_to_end(&mut all).await?;
///     assert_eq!(all, b"bye");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct WriteHalf<'a, S>(&'a S);

/// The read half of an [`into_split`](crate::net::TcpStream::into_split):
/// owns a share of the stream, so it can move into its own task.
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     let (mut read, mut write) = client.into_split();
///     let reader = coop::spawn(async move {
///         let mut buf = [0; 2];
///         read.read_exact(&mut buf).await.map(|_| buf)
///     });
///     write.write_all(b"hi").await?;
///     let mut buf = [0; 2];
///     server.read_exact(&mut buf).await?;
///     server.write_all(&buf).await?;
///     assert_eq!(&reader.await.unwrap()?, b"hi");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct OwnedReadHalf<S: Stream> {
    stream: Arc<S>,
}

/// The write half of an [`into_split`](crate::net::TcpStream::into_split).
/// Dropping it shuts down the stream's write side, so the peer reads
/// end-of-file.
///
/// ```
/// use futures_util::{AsyncReadExt, AsyncWriteExt};
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let client = TcpStream::connect(listener.local_addr()?).await?;
///     let (mut server, _) = listener.accept().await?;
///     let (_read, mut write) = client.into_split();
///     write.write_all(b"last words").await?;
///     drop(write);
///     let mut all = Vec::new();
///     server.read_to_end(&mut all).await?; // ends: the write side is shut
///     assert_eq!(all, b"last words");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct OwnedWriteHalf<S: Stream> {
    stream: Arc<S>,
    shutdown_on_drop: bool,
}

/// [`OwnedReadHalf::reunite`] was given halves of two different streams;
/// here they are back.
///
/// ```
/// use coop::net::{TcpListener, TcpStream};
///
/// coop::block_on(async {
///     let listener = TcpListener::bind("127.0.0.1:0").await?;
///     let (read_a, _write_a) = TcpStream::connect(listener.local_addr()?).await?.into_split();
///     let (_read_b, write_b) = TcpStream::connect(listener.local_addr()?).await?.into_split();
///     let err = read_a.reunite(write_b).unwrap_err();
///     println!("{err}");
///     Ok::<_, std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ReuniteError<S: Stream>(pub OwnedReadHalf<S>, pub OwnedWriteHalf<S>);

/// Borrows `stream` as two halves.
pub(crate) fn split<S>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    (ReadHalf(stream), WriteHalf(stream))
}

/// Moves `stream` into two owned halves.
pub(crate) fn into_split<S: Stream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let stream = Arc::new(stream);
    let read = OwnedReadHalf {
        stream: stream.clone(),
    };
    let write = OwnedWriteHalf {
        stream,
        shutdown_on_drop: true,
    };
    (read, write)
}

impl<S: Stream> OwnedReadHalf<S> {
    /// Puts the two halves of one [`into_split`](crate::net::TcpStream::into_split)
    /// back together.
    ///
    /// # Errors
    /// [`ReuniteError`] (holding both halves) if they come from different
    /// streams.
    ///
    /// ```
    /// use coop::net::{TcpListener, TcpStream};
    ///
    /// coop::block_on(async {
    ///     let listener = TcpListener::bind("127.0.0.1:0").await?;
    ///     let (read, write) = TcpStream::connect(listener.local_addr()?).await?.into_split();
    ///     let stream: TcpStream = read.reunite(write).expect("same stream");
    ///     assert!(stream.peer_addr().is_ok());
    ///     Ok::<_, std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn reunite(self, mut other: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
        if !Arc::ptr_eq(&self.stream, &other.stream) {
            return Err(ReuniteError(self, other));
        }
        other.shutdown_on_drop = false;
        let stream = other.stream.clone();
        drop(other);
        drop(self);
        Ok(Arc::try_unwrap(stream)
            .unwrap_or_else(|_| unreachable!("both halves were just dropped")))
    }
}

impl<S: Stream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if self.shutdown_on_drop {
            // The peer may already be gone; nothing to report then.
            let _ = self.stream.shutdown_priv(Shutdown::Write);
        }
    }
}

/// Every half gives access to its stream (for `peer_addr` and the like).
macro_rules! impl_as_ref {
    ($(impl[$($gen:tt)*] $ty:ty as $name:literal => |$this:ident| $stream:expr;)*) => {$(
        impl<$($gen)*> AsRef<S> for $ty {
            fn as_ref(&self) -> &S {
                let $this = self;
                $stream
            }
        }
        impl<$($gen)*> fmt::Debug for $ty
        where
            S: fmt::Debug,
        {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple($name).field(self.as_ref()).finish()
            }
        }
    )*};
}

impl_as_ref! {
    impl['a, S] ReadHalf<'a, S> as "ReadHalf" => |this| this.0;
    impl['a, S] WriteHalf<'a, S> as "WriteHalf" => |this| this.0;
    impl[S: Stream] OwnedReadHalf<S> as "OwnedReadHalf" => |this| &this.stream;
    impl[S: Stream] OwnedWriteHalf<S> as "OwnedWriteHalf" => |this| &this.stream;
}

impl_async_read!(impl['a, S: Stream] ReadHalf<'a, S> => |this| this.0);
impl_async_read!(impl[S: Stream] OwnedReadHalf<S> => |this| &*this.stream);
impl_async_write!(impl['a, S: Stream] WriteHalf<'a, S> => |this| this.0);
impl_async_write!(impl[S: Stream] OwnedWriteHalf<S> => |this| &*this.stream);

impl<S: Stream> fmt::Debug for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<S: Stream> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tried to reunite halves that are not from the same stream")
    }
}

impl<S: Stream> Error for ReuniteError<S> {}
