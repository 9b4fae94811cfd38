//! The echo server on N loops, one per core, sharing nothing: each loop
//! binds its own listener to the same address with `SO_REUSEPORT`, and the
//! kernel spreads incoming connections across them.
//!
//! `cargo run --release --example echo_per_core -- [ADDR] [N] [pin]`
//! (defaults: `127.0.0.1:7878`, one loop per core, unpinned; a third
//! argument `pin` pins loop `i` to core `i`). ADDR needs a fixed port: with
//! port 0 each loop would get a port of its own. Load it with
//! `cargo run --release --example echo_client -- ADDR CONNECTIONS SECONDS`;
//! `benches/per_core.sh` compares it with tokio's multi-thread runtime.
//!
//! ```text
//!              ┌── loop 0: TcpSocket (SO_REUSEPORT) ─ listen ─ accept ─► spawn(echo) …
//!   ADDR ──────┼── loop 1: TcpSocket (SO_REUSEPORT) ─ listen ─ accept ─► spawn(echo) …
//!   (kernel    └── …
//!    hashes each connection to one listener; it stays on that loop for life)
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use coop::net::{TcpSocket, TcpStream};
use futures_util::io;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:7878".to_string())
        .parse()
        .expect("ADDR: an IP address and port, e.g. 127.0.0.1:7878");
    let loops = match args.next() {
        Some(n) => n.parse().expect("N: a number of loops"),
        None => std::thread::available_parallelism()?.get(),
    };
    let pin = args.next().as_deref() == Some("pin");

    let results = coop::per_core::Builder::new()
        .loops(loops)
        .pin(pin)
        .run(|index| async move {
            let listener = listen(addr)?;
            let core = coop::per_core::current().and_then(|l| l.core());
            println!(
                "loop {index} (core {core:?}) listening on {}",
                listener.local_addr()?
            );
            loop {
                match listener.accept().await {
                    // Detached: the connection's task runs until the
                    // client goes away, on this loop only.
                    Ok((socket, _peer)) => drop(coop::spawn(serve(socket))),
                    Err(e) => {
                        // E.g. EMFILE: the connection waits in the kernel's
                        // queue; try again shortly.
                        eprintln!("loop {index}: accept failed: {e}; retrying");
                        coop::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        })?;
    // The accept loops never end; a loop that could not listen does.
    for (index, result) in results.into_iter().enumerate() {
        let result: std::io::Result<()> = result;
        if let Err(e) = result {
            eprintln!("loop {index}: {e}");
        }
    }
    Ok(())
}

/// This loop's own listener on `addr`, sharing the port with the others.
fn listen(addr: SocketAddr) -> std::io::Result<coop::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

async fn serve(mut socket: TcpStream) {
    if socket.set_nodelay(true).is_err() {
        return;
    }
    let (mut read, mut write) = TcpStream::split(&mut socket);
    // An error is the client going away: nothing to report.
    let _ = io::copy(&mut read, &mut write).await;
}
