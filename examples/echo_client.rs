//! Load for `echo_server`: N connections, each sending a message and
//! waiting for its echo as fast as it can, for a fixed time; prints round
//! trips per second.
//!
//! `cargo run --release --example echo_client [ADDR] [CONNECTIONS] [SECONDS]`
//! (defaults: `127.0.0.1:7878`, 50 connections, 5 seconds).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use coop::net::TcpStream;
use futures_util::{AsyncReadExt, AsyncWriteExt};

const MESSAGE: &[u8; 64] = b"coop echo round trip: sixty-four bytes of payload, every time..\n";

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7878".to_string());
    let connections: usize = args
        .next()
        .map_or(50, |n| n.parse().expect("CONNECTIONS: a number"));
    let seconds: u64 = args
        .next()
        .map_or(5, |s| s.parse().expect("SECONDS: a number"));
    let run_for = Duration::from_secs(seconds);

    coop::block_on(async move {
        let round_trips = Rc::new(Cell::new(0u64));
        let start = Instant::now();
        let deadline = start + run_for;
        let mut tasks = Vec::with_capacity(connections);
        for _ in 0..connections {
            let stream =
                coop::time::timeout(Duration::from_secs(5), TcpStream::connect(addr.as_str()))
                    .await??;
            stream.set_nodelay(true)?;
            tasks.push(coop::spawn(client(stream, deadline, round_trips.clone())));
        }
        let mut failed = 0;
        for task in tasks {
            if let Err(e) = task.await.expect("client task panicked") {
                eprintln!("connection failed: {e}");
                failed += 1;
            }
        }
        let elapsed = start.elapsed().as_secs_f64();
        let total = round_trips.get();
        println!(
            "{connections} connections, {total} round trips of {} bytes in {elapsed:.2} s: {:.0} round trips/s ({failed} failed)",
            MESSAGE.len(),
            total as f64 / elapsed,
        );
        Ok(())
    })
}

async fn client(
    mut stream: TcpStream,
    deadline: Instant,
    round_trips: Rc<Cell<u64>>,
) -> std::io::Result<()> {
    let mut reply = [0; MESSAGE.len()];
    while Instant::now() < deadline {
        stream.write_all(MESSAGE).await?;
        stream.read_exact(&mut reply).await?;
        assert_eq!(&reply, MESSAGE, "the server sent back something else");
        round_trips.set(round_trips.get() + 1);
    }
    Ok(())
}
