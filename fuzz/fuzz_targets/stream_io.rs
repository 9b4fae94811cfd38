//! coop's futures-io adapters (`runtime/net/stream_io.rs`, `split.rs`) fed
//! arbitrary read and write chunkings: a writer task sends the input's bytes
//! through `write` / `write_vectored` in the sizes the fuzzer picks, with
//! yields between, then closes; a reader task reads with `read` /
//! `read_vectored` / `read_exact` into buffers of the fuzzer's sizes
//! (empty ones too: they must return 0 at once, not read as end-of-file)
//! until EOF. What arrives must be exactly what was sent: nothing lost,
//! duplicated or reordered. Over a Unix socket pair or loopback TCP, whole
//! streams or owned split halves, with socket buffers small enough that
//! writes meet back-pressure (WouldBlock) and reads come back partial.
#![no_main]

use std::cell::RefCell;
use std::io::{IoSlice, IoSliceMut};
use std::mem::ManuallyDrop;

use arbitrary::Arbitrary;
use futures_util::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum WriteOp {
    Write(u16),
    WriteVectored(u8, u16, u8),
    Yield,
}

#[derive(Arbitrary, Debug)]
enum ReadOp {
    Read(u16),
    ReadVectored(u8, u16),
    ReadExact(u8),
    Yield,
}

#[derive(Arbitrary, Debug)]
struct Input {
    tcp: bool,
    split: bool,
    data: Vec<u8>,
    writes: Vec<WriteOp>,
    reads: Vec<ReadOp>,
}

// One runtime and listener for the whole run. Never dropped: a runtime
// dropped by a thread-local destructor at exit panics (its shutdown
// enters coop's own thread-local context, already destroyed then).
thread_local! {
    static RT: ManuallyDrop<coop::Runtime> =
        ManuallyDrop::new(coop::Runtime::new().expect("runtime"));
    static LISTENER: ManuallyDrop<RefCell<Option<coop::net::TcpListener>>> =
        const { ManuallyDrop::new(RefCell::new(None)) };
}

async fn writer(mut w: impl AsyncWrite + Unpin, data: Vec<u8>, ops: Vec<WriteOp>) {
    let mut sent = 0;
    let mut i = 0;
    let mut idle = 0; // ops in a row that wrote nothing (yields)
    while sent < data.len() {
        let mut op = ops.get(i % ops.len().max(1));
        i += 1;
        if idle > ops.len() {
            op = None; // only yields in the script: write anyway
        }
        let rest = &data[sent..];
        let n = match op {
            None => w.write(rest).await.expect("write"),
            Some(WriteOp::Write(len)) => {
                let len = usize::from(*len).clamp(1, rest.len());
                w.write(&rest[..len]).await.expect("write")
            }
            Some(WriteOp::WriteVectored(a, b, c)) => {
                // Three slices over the next bytes, the first non-empty.
                let a = usize::from(*a).clamp(1, rest.len());
                let b = usize::from(*b).min(rest.len() - a);
                let c = usize::from(*c).min(rest.len() - a - b);
                let bufs = [
                    IoSlice::new(&rest[..a]),
                    IoSlice::new(&rest[a..a + b]),
                    IoSlice::new(&rest[a + b..a + b + c]),
                ];
                w.write_vectored(&bufs).await.expect("write_vectored")
            }
            Some(WriteOp::Yield) => {
                coop::yield_now().await;
                idle += 1;
                continue;
            }
        };
        idle = 0;
        assert!(
            n > 0 && n <= rest.len(),
            "write returned {n} of {}",
            rest.len()
        );
        sent += n;
    }
    w.close().await.expect("close");
}

async fn reader(mut r: impl AsyncRead + Unpin, expected: usize, ops: Vec<ReadOp>) -> Vec<u8> {
    let mut got = Vec::with_capacity(expected);
    let mut i = 0;
    let mut idle = 0; // ops in a row that read nothing (empty buffers, yields)
    loop {
        let mut op = ops.get(i % ops.len().max(1));
        i += 1;
        if idle > ops.len() {
            op = None; // no op in the script reads a byte: read anyway
        }
        idle += 1;
        let mut buf = vec![0u8; 70_000];
        match op {
            Some(ReadOp::Read(0)) => {
                assert_eq!(r.read(&mut []).await.expect("read"), 0, "empty read");
                continue;
            }
            None | Some(ReadOp::Read(_)) => {
                let len = match op {
                    Some(ReadOp::Read(len)) => usize::from(*len),
                    _ => buf.len(),
                };
                let n = r.read(&mut buf[..len]).await.expect("read");
                if n == 0 {
                    return got;
                }
                got.extend_from_slice(&buf[..n]);
                idle = 0;
            }
            Some(ReadOp::ReadVectored(a, b)) => {
                let a = usize::from(*a);
                let b = usize::from(*b);
                let (first, second) = buf.split_at_mut(a);
                let mut bufs = [IoSliceMut::new(first), IoSliceMut::new(&mut second[..b])];
                let n = r.read_vectored(&mut bufs).await.expect("read_vectored");
                if n == 0 {
                    if a + b == 0 {
                        continue; // empty buffers: 0 says nothing
                    }
                    return got;
                }
                got.extend_from_slice(&buf[..n]);
                idle = 0;
            }
            Some(ReadOp::ReadExact(len)) => {
                let len = usize::from(*len).min(expected - got.len());
                if len == 0 {
                    continue;
                }
                r.read_exact(&mut buf[..len]).await.expect("read_exact");
                got.extend_from_slice(&buf[..len]);
                idle = 0;
            }
            Some(ReadOp::Yield) => coop::yield_now().await,
        }
        assert!(got.len() <= expected, "more bytes than were sent");
    }
}

fn small_buffers(fd: &impl std::os::fd::AsFd) {
    let sock = socket2::SockRef::from(fd);
    let _ = sock.set_send_buffer_size(2048);
    let _ = sock.set_recv_buffer_size(2048);
}

fuzz_target!(|input: Input| {
    let Input {
        tcp,
        split,
        mut data,
        writes,
        reads,
    } = input;
    data.truncate(64 * 1024);
    let expected = data.clone();
    RT.with(|rt| {
        rt.block_on(async move {
            let (a, b) = if tcp {
                let addr = LISTENER.with(|l| {
                    l.borrow_mut()
                        .get_or_insert_with(|| {
                            let std = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                            std.set_nonblocking(true).unwrap();
                            coop::net::TcpListener::from_std(std).unwrap()
                        })
                        .local_addr()
                        .unwrap()
                });
                let socket = coop::net::TcpSocket::new_v4().unwrap();
                socket.set_send_buffer_size(2048).unwrap();
                socket.set_recv_buffer_size(2048).unwrap();
                let client = coop::spawn(socket.connect(addr));
                let server = accept_one().await;
                let client = client.await.unwrap().unwrap();
                small_buffers(&server);
                (Stream::Tcp(client), Stream::Tcp(server))
            } else {
                let (a, b) = coop::net::UnixStream::pair().unwrap();
                small_buffers(&a);
                small_buffers(&b);
                (Stream::Unix(a), Stream::Unix(b))
            };
            let len = expected.len();
            let got = match (a, b, split) {
                (Stream::Tcp(a), Stream::Tcp(b), true) => {
                    let (_ar, aw) = a.into_split();
                    let (br, _bw) = b.into_split();
                    pipe(aw, br, data, writes, reads, len).await
                }
                (Stream::Unix(a), Stream::Unix(b), true) => {
                    let (_ar, aw) = a.into_split();
                    let (br, _bw) = b.into_split();
                    pipe(aw, br, data, writes, reads, len).await
                }
                (Stream::Tcp(a), Stream::Tcp(b), false) => {
                    pipe(a, b, data, writes, reads, len).await
                }
                (Stream::Unix(a), Stream::Unix(b), false) => {
                    pipe(a, b, data, writes, reads, len).await
                }
                _ => unreachable!(),
            };
            assert_eq!(got.len(), expected.len(), "bytes lost or duplicated");
            assert!(got == expected, "bytes changed or reordered");
        })
    });
});

enum Stream {
    Tcp(coop::net::TcpStream),
    Unix(coop::net::UnixStream),
}

async fn accept_one() -> coop::net::TcpStream {
    // Take the listener out while awaiting (no RefCell borrow across await).
    let listener = LISTENER.with(|l| l.borrow_mut().take().unwrap());
    let (stream, _) = listener.accept().await.unwrap();
    LISTENER.with(|l| *l.borrow_mut() = Some(listener));
    stream
}

async fn pipe<W, R>(
    w: W,
    r: R,
    data: Vec<u8>,
    writes: Vec<WriteOp>,
    reads: Vec<ReadOp>,
    len: usize,
) -> Vec<u8>
where
    W: AsyncWrite + Unpin + 'static,
    R: AsyncRead + Unpin + 'static,
{
    let w = coop::spawn(writer(w, data, writes));
    let got = reader(r, len, reads).await;
    w.await.expect("writer task");
    got
}
