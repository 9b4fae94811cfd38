//! A TCP echo server on the coop loop: one task per connection, each
//! sending back whatever it receives.
//!
//! `cargo run --example echo_server [ADDR]` (default `127.0.0.1:7878`),
//! then, in another terminal, `nc 127.0.0.1 7878` and type lines, or
//! `cargo run --release --example echo_client` to measure it.
//!
//! ```text
//!   accept loop ──► spawn(connection task) ──► copy(read half → write half) until EOF
//! ```

use std::time::Duration;

use coop::net::{TcpListener, TcpStream};
use futures_util::io;

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7878".to_string());
    coop::block_on(async {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!("echo server listening on {}", listener.local_addr()?);
        loop {
            match listener.accept().await {
                // The connection's task is detached: it runs until the
                // client goes away.
                Ok((socket, peer)) => drop(coop::spawn(serve(socket, peer))),
                Err(e) => {
                    // E.g. EMFILE: out of descriptors. The connection waits
                    // in the kernel's queue; try again shortly.
                    eprintln!("accept failed: {e}; retrying");
                    coop::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    })
}

async fn serve(mut socket: TcpStream, peer: std::net::SocketAddr) {
    println!("{peer} connected");
    let (mut read, mut write) = TcpStream::split(&mut socket);
    match io::copy(&mut read, &mut write).await {
        Ok(bytes) => println!("{peer} disconnected ({bytes} bytes echoed)"),
        Err(e) => println!("{peer} disconnected: {e}"),
    }
}
