//! `tcp_echo`: an echo
//! server on the runtime under test, and one fixed client in a separate
//! process, the same for every runtime: 64 connections, each doing 64-byte
//! round trips. Loopback echo is client-bound, so servers are compared by
//! the server process's CPU time per round trip (`getrusage`), not by wall
//! time; round trips per second are printed beside it. Also: bytes per idle
//! TCP connection (server side, counted by the bench allocator).
//!
//! The client is this same binary started with `--echo-client ADDR`; it
//! uses `mio` directly, so its cost does not depend on the server's runtime.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::process::Command;
use std::rc::Rc;
use std::time::Instant;

use futures::io::{AsyncReadExt, AsyncWriteExt};

use crate::alloc::{cpu_time, live_bytes, start_counting};
use crate::prims::yield_now;
use crate::rt::{self, Rt};
use crate::Row;

pub const CONNECTIONS: usize = 64;
pub const MESSAGE: usize = 64;
pub const ROUND_TRIPS_PER_CONNECTION: usize = 3_000;

/// What the echo server needs from a runtime's sockets.
#[allow(async_fn_in_trait)]
pub trait NetRt: Rt {
    type Listener: 'static;
    type Stream: 'static;
    async fn bind() -> io::Result<(Self::Listener, SocketAddr)>;
    async fn accept(listener: &Self::Listener) -> io::Result<Self::Stream>;
    async fn read(stream: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize>;
    async fn write_all(stream: &mut Self::Stream, buf: &[u8]) -> io::Result<()>;
}

impl NetRt for rt::Coop {
    type Listener = coop::net::TcpListener;
    type Stream = coop::net::TcpStream;
    async fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = coop::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        Ok((l, addr))
    }
    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        Ok(l.accept().await?.0)
    }
    async fn read(s: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        AsyncReadExt::read(s, buf).await
    }
    async fn write_all(s: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        AsyncWriteExt::write_all(s, buf).await
    }
}

impl NetRt for rt::Tokio {
    type Listener = tokio::net::TcpListener;
    type Stream = tokio::net::TcpStream;
    async fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = l.local_addr()?;
        Ok((l, addr))
    }
    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        Ok(l.accept().await?.0)
    }
    async fn read(s: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        tokio::io::AsyncReadExt::read(s, buf).await
    }
    async fn write_all(s: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        tokio::io::AsyncWriteExt::write_all(s, buf).await
    }
}

impl NetRt for rt::Smol {
    type Listener = async_io::Async<std::net::TcpListener>;
    type Stream = async_io::Async<std::net::TcpStream>;
    async fn bind() -> io::Result<(Self::Listener, SocketAddr)> {
        let l = async_io::Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0))?;
        let addr = l.get_ref().local_addr()?;
        Ok((l, addr))
    }
    async fn accept(l: &Self::Listener) -> io::Result<Self::Stream> {
        Ok(l.accept().await?.0)
    }
    async fn read(s: &mut Self::Stream, buf: &mut [u8]) -> io::Result<usize> {
        AsyncReadExt::read(s, buf).await
    }
    async fn write_all(s: &mut Self::Stream, buf: &[u8]) -> io::Result<()> {
        AsyncWriteExt::write_all(s, buf).await
    }
}

/// Echoes until the peer closes.
pub(crate) async fn echo<R: NetRt>(mut stream: R::Stream) {
    let mut buf = [0u8; 4096];
    loop {
        match R::read(&mut stream, &mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if R::write_all(&mut stream, &buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Serves the fixed client's 64 connections until it exits.
pub fn tcp_echo<R: NetRt>() -> Vec<Row> {
    let (wall, cpu) = R::block_on(async {
        let (listener, addr) = R::bind().await.expect("bind");
        let mut client = Command::new(std::env::current_exe().expect("own path"))
            .args(["--echo-client", &addr.to_string()])
            .spawn()
            .expect("start the echo client");
        let cpu0 = cpu_time();
        let start = Instant::now();
        let mut conns = Vec::with_capacity(CONNECTIONS);
        for _ in 0..CONNECTIONS {
            let stream = R::accept(&listener).await.expect("accept");
            conns.push(R::spawn(echo::<R>(stream)));
        }
        for c in conns {
            c.await;
        }
        let out = (start.elapsed(), cpu_time() - cpu0);
        client.wait().expect("client exit");
        out
    });
    let trips = (CONNECTIONS * ROUND_TRIPS_PER_CONNECTION) as f64;
    vec![
        Row::us(
            "tcp_echo server CPU per round trip (µs)",
            cpu.as_secs_f64() * 1e6 / trips,
        ),
        Row {
            name: "tcp_echo round trips/s (client-bound; higher is better)".into(),
            value: trips / wall.as_secs_f64(),
            unit: "/s",
        },
    ]
}

/// Bytes per idle TCP connection on the server: 1,000 accepted streams,
/// each with a task waiting to read; the echo task's future (its 4 KiB
/// buffer, the same for every runtime) is subtracted.
pub fn mem_tcp<R: NetRt>() -> Vec<Row> {
    const IDLE: usize = 1_000;
    let per = R::block_on(async {
        let (listener, addr) = R::bind().await.expect("bind");
        let clients = std::thread::spawn(move || {
            (0..IDLE)
                .map(|_| std::net::TcpStream::connect(addr).expect("connect"))
                .collect::<Vec<_>>()
        });
        let (handles, per) = accept_idle::<R>(&listener, IDLE).await;
        let _keep = Rc::new(clients.join().expect("clients"));
        std::mem::forget(handles);
        per
    });
    vec![Row::bytes(
        "memory per idle TCP connection (beyond the echo future)",
        per,
    )]
}

/// Accepts `n` connections, each served by an echo task that then waits to
/// read; returns the handles and the live heap bytes per connection beyond
/// the echo future (the first connection is accepted before counting
/// starts, so one-time allocations are not counted).
pub(crate) async fn accept_idle<R: NetRt>(
    listener: &R::Listener,
    n: usize,
) -> (Vec<R::Join<()>>, f64) {
    let first = R::accept(listener).await.expect("accept");
    let task = echo::<R>(first);
    let future_size = std::mem::size_of_val(&task) as f64;
    let mut handles = Vec::with_capacity(n);
    handles.push(R::spawn(task));
    yield_now().await;
    start_counting();
    for _ in 1..n {
        let stream = R::accept(listener).await.expect("accept");
        handles.push(R::spawn(echo::<R>(stream)));
    }
    for _ in 0..10 {
        yield_now().await;
    }
    let per = live_bytes() as f64 / (n - 1) as f64 - future_size;
    (handles, per)
}

/// The fixed client: 64 connections, each doing 64-byte round trips in
/// lock-step, driven by one `mio::Poll`.
pub fn client(addr: &str) {
    use mio::net::TcpStream;
    use mio::{Events, Interest, Poll, Token};

    let addr: SocketAddr = addr.parse().expect("address");
    let mut poll = Poll::new().expect("poll");
    let mut conns: Vec<(TcpStream, usize, usize)> = (0..CONNECTIONS)
        .map(|i| {
            let std = std::net::TcpStream::connect(addr).expect("connect");
            std.set_nodelay(true).expect("nodelay");
            std.set_nonblocking(true).expect("nonblocking");
            let mut s = TcpStream::from_std(std);
            poll.registry()
                .register(&mut s, Token(i), Interest::READABLE)
                .expect("register");
            (s, 0, 0)
        })
        .collect();
    let msg = [7u8; MESSAGE];
    for (s, _, _) in &mut conns {
        s.write_all(&msg).expect("first write");
    }
    let mut events = Events::with_capacity(1024);
    let mut done = 0;
    let mut buf = [0u8; 4096];
    while done < CONNECTIONS {
        poll.poll(&mut events, None).expect("poll");
        for ev in &events {
            let (s, got, trips) = &mut conns[ev.token().0];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => {
                        *got += n;
                        if *got == MESSAGE {
                            *got = 0;
                            *trips += 1;
                            if *trips == ROUND_TRIPS_PER_CONNECTION {
                                done += 1;
                                s.shutdown(std::net::Shutdown::Write).ok();
                                break;
                            }
                            s.write_all(&msg).expect("write");
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => panic!("client read: {e}"),
                }
            }
        }
    }
}
