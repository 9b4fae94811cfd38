//! The read path's edge cases, on in-memory streams: reads larger than the
//! scratch buffer, a cursor smaller than what is available, end-of-file,
//! errors and `Pending` passed through, a lying reader, a nested read.

use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::task::noop_waker;
use hyper::rt::{Read, ReadBuf, Write};

use super::*;

/// Polls one `poll_read` into a fresh buffer of `room` bytes.
fn read_once<T: AsyncRead + Unpin>(io: &mut CoopIo<T>, room: usize) -> Poll<io::Result<Vec<u8>>> {
    let mut storage = vec![MaybeUninit::uninit(); room];
    let mut buf = ReadBuf::uninit(&mut storage);
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    Pin::new(io)
        .poll_read(&mut cx, buf.unfilled())
        .map_ok(|()| buf.filled().to_vec())
}

#[test]
fn a_read_fills_at_most_the_cursor_and_at_most_the_scratch() {
    let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
    let mut io = CoopIo::new(futures_util::io::Cursor::new(data.clone()));
    // The cursor is smaller than what is there.
    let Poll::Ready(Ok(small)) = read_once(&mut io, 10) else {
        panic!()
    };
    assert_eq!(small, data[..10]);
    // The cursor is larger than the scratch buffer: one read, 64 KiB.
    let Poll::Ready(Ok(big)) = read_once(&mut io, 150_000) else {
        panic!()
    };
    assert_eq!(big, data[10..10 + SCRATCH_LEN]);
    // The rest, then end-of-file as an empty read.
    let mut rest = Vec::new();
    loop {
        let Poll::Ready(Ok(chunk)) = read_once(&mut io, 100_000) else {
            panic!()
        };
        if chunk.is_empty() {
            break;
        }
        rest.extend(chunk);
    }
    assert_eq!(rest, data[10 + SCRATCH_LEN..]);
}

#[test]
fn stale_scratch_contents_never_reach_the_cursor() {
    // A long read leaves bytes in the scratch buffer; a short one after it
    // must see only its own bytes.
    let mut long = CoopIo::new(futures_util::io::Cursor::new(vec![0xAA; 1000]));
    assert!(matches!(read_once(&mut long, 1000), Poll::Ready(Ok(v)) if v.len() == 1000));
    let mut short = CoopIo::new(futures_util::io::Cursor::new(vec![1, 2, 3]));
    assert!(matches!(read_once(&mut short, 1000), Poll::Ready(Ok(v)) if v == [1, 2, 3]));
}

/// A reader that returns a scripted answer, then reads through a nested
/// `CoopIo` if asked to.
struct Scripted(
    Option<Poll<io::Result<usize>>>,
    Option<CoopIo<futures_util::io::Cursor<Vec<u8>>>>,
);

impl AsyncRead for Scripted {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if let Some(nested) = self.1.as_mut() {
            // Reads through another CoopIo while the outer one holds the
            // thread's scratch buffer.
            let mut storage = vec![MaybeUninit::uninit(); buf.len()];
            let mut inner_buf = ReadBuf::uninit(&mut storage);
            std::task::ready!(Pin::new(nested).poll_read(cx, inner_buf.unfilled()))?;
            let got = inner_buf.filled();
            buf[..got.len()].copy_from_slice(got);
            return Poll::Ready(Ok(got.len()));
        }
        self.0.take().expect("polled once")
    }
}

#[test]
fn pending_and_errors_pass_through_and_nothing_is_filled() {
    let mut io = CoopIo::new(Scripted(Some(Poll::Pending), None));
    assert!(read_once(&mut io, 64).is_pending());
    let mut io = CoopIo::new(Scripted(
        Some(Poll::Ready(Err(io::ErrorKind::ConnectionReset.into()))),
        None,
    ));
    assert!(
        matches!(read_once(&mut io, 64), Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset)
    );
}

#[test]
fn a_reader_claiming_more_than_it_was_given_is_an_error_not_a_panic() {
    let mut io = CoopIo::new(Scripted(Some(Poll::Ready(Ok(100))), None));
    let result = read_once(&mut io, 10);
    assert!(matches!(result, Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::InvalidData));
}

#[test]
fn a_nested_coop_io_reads_without_panicking_on_the_borrowed_scratch() {
    let nested = CoopIo::new(futures_util::io::Cursor::new(b"inside".to_vec()));
    let mut io = CoopIo::new(Scripted(None, Some(nested)));
    assert!(matches!(read_once(&mut io, 64), Poll::Ready(Ok(v)) if v == b"inside"));
}

#[test]
fn writes_flush_and_shutdown_forward_to_the_stream() {
    let mut io = CoopIo::new(futures_util::io::Cursor::new(Vec::new()));
    let waker = noop_waker();
    let mut cx = Context::from_waker(&waker);
    let mut pinned = Pin::new(&mut io);
    assert!(matches!(
        pinned.as_mut().poll_write(&mut cx, b"head "),
        Poll::Ready(Ok(5))
    ));
    let slices = [IoSlice::new(b"and "), IoSlice::new(b"body")];
    assert!(matches!(
        pinned.as_mut().poll_write_vectored(&mut cx, &slices),
        Poll::Ready(Ok(_))
    ));
    assert!(pinned.as_mut().poll_flush(&mut cx).is_ready());
    assert!(pinned.as_mut().poll_shutdown(&mut cx).is_ready());
    let written = io.into_inner().into_inner();
    assert!(
        written.starts_with(b"head and"),
        "{:?}",
        String::from_utf8_lossy(&written)
    );
}
