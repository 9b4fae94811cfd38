//! `http_hello`: hyper's HTTP/1 server on coop, built as a downstream crate
//! would build it (coop and coop-hyper by path, hyper from crates.io).
//!
//! ```text
//! cargo run --release -- 127.0.0.1:8080      # port 0 picks a free port
//! curl -s http://127.0.0.1:8080/             # Hello, world!
//! curl -s 'http://127.0.0.1:8080/sleep?ms=500'
//! curl -s --data-binary @file http://127.0.0.1:8080/echo
//! ```
//!
//! The first line on stdout is `listening on http://ADDR` (the real port
//! when 0 was asked for); logs go to stderr. `HTTP_HELLO_HEADER_TIMEOUT_MS`
//! sets hyper's header-read timeout (default 30,000).
//!
//! One task accepts; each connection gets its own task running hyper's
//! `serve_connection`, with keep-alive on. `SIGINT` (Ctrl-C) or `SIGTERM`
//! starts a graceful shutdown:
//!
//! ```text
//!   accept loop ──SIGINT/SIGTERM──► stop accepting, close the listener
//!        │                            │
//!        │                            ▼ shutdown watch = true
//!   connection tasks ──► conn.graceful_shutdown(): idle ones close now,
//!                        busy ones finish the request in flight, then close
//!        │
//!        ▼ open connections = 0  (or DRAIN_TIMEOUT passed: exit 1)
//!   exit 0
//! ```

mod routes;
mod stats;

use std::future::Future;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;
use std::{env, io};

use coop::future::FutureExt;
use coop::net::{TcpListener, TcpSocket, TcpStream};
use coop::signal::unix::{signal, SignalKind};
use coop::sync::watch;
use coop_hyper::{CoopIo, CoopTimer};
use hyper::server::conn::http1;
use hyper::service::service_fn;

use stats::Stats;

/// How long a graceful shutdown waits for open connections to finish.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// hyper's own default header-read timeout, used unless the environment says otherwise.
const DEFAULT_HEADER_TIMEOUT_MS: u64 = 30_000;
/// Queued connections the kernel may hold before `accept` (the kernel caps
/// it at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

fn main() -> ExitCode {
    let addr = env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("usage: http_hello [IP:PORT]   (got {addr:?})");
        return ExitCode::from(2);
    };
    let header_timeout = env::var("HTTP_HELLO_HEADER_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .unwrap_or(DEFAULT_HEADER_TIMEOUT_MS);
    match coop::block_on(serve(addr, Duration::from_millis(header_timeout))) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_hello: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addr: SocketAddr, header_timeout: Duration) -> io::Result<()> {
    // Listen for the signals before saying we are up: from here on SIGINT
    // and SIGTERM start a graceful shutdown instead of killing the process.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let listener = bind(addr)?;
    println!("listening on http://{}", listener.local_addr()?);

    let stats = Stats::new();
    let (shutdown, shutdown_rx) = watch::channel(false);
    let stop = async {
        coop::select! {
            _ = interrupt.recv().fuse() => "SIGINT",
            _ = terminate.recv().fuse() => "SIGTERM",
        }
    }
    .fuse();
    coop::pin_mut!(stop);

    let why = loop {
        coop::select! {
            accepted = listener.accept().fuse() => match accepted {
                Ok((stream, _peer)) => {
                    let task = connection(stream, stats.clone(), shutdown_rx.clone(), header_timeout);
                    drop(coop::spawn(task));
                }
                // Out of descriptors (EMFILE) and the like: the connection
                // stays queued; back off a little instead of spinning.
                Err(e) => {
                    eprintln!("accept: {e}");
                    coop::time::sleep(Duration::from_millis(10)).await;
                }
            },
            why = stop => break why,
        }
    };

    drop(listener); // new connections are refused from now on
    eprintln!(
        "{why}: draining {} open connection(s)",
        stats.open_connections()
    );
    shutdown.send_replace(true);
    match coop::time::timeout(DRAIN_TIMEOUT, stats.all_closed()).await {
        Ok(()) => {
            eprintln!("all connections closed; bye");
            Ok(())
        }
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "{} connection(s) still open after {DRAIN_TIMEOUT:?}",
                stats.open_connections()
            ),
        )),
    }
}

fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

/// One connection, from accept to close: hyper's HTTP/1 state machine over
/// coop's socket, until the client leaves, an error ends it, or shutdown.
async fn connection(
    stream: TcpStream,
    stats: Rc<Stats>,
    mut shutdown: watch::Receiver<bool>,
    header_timeout: Duration,
) {
    let _open = stats.open();
    let peer = stream.peer_addr().ok();
    // Responses are one write each; do not let Nagle hold them back.
    let _ = stream.set_nodelay(true);

    let service = service_fn(move |req| routes::handle(req, stats.clone()));
    let conn = http1::Builder::new()
        .timer(CoopTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(true)
        .serve_connection(CoopIo::new(stream), service);
    coop::pin_mut!(conn);

    // The connection first (it is what wakes us nearly every time), then
    // the shutdown flag.
    let shutdown = shutdown.changed();
    coop::pin_mut!(shutdown);
    let done_first = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = conn.as_mut().poll(cx) {
            return Poll::Ready(Some(result));
        }
        shutdown.as_mut().poll(cx).map(|_| None)
    })
    .await;
    let result = match done_first {
        Some(result) => result,
        None => {
            // Finish the request in flight (if any), then close.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // Hostile or broken clients end here: bad bytes, a timeout, a reset.
        eprintln!("connection {peer:?}: {e}");
    }
}
