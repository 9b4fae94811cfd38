//! The peer of `echo_per_core` in `benches/per_core.sh`: the same echo
//! server on tokio's multi-thread runtime with N workers and one listener
//! (the way a tokio user writes it; work stealing spreads the connections).
//!
//! `cargo run --release --example echo_tokio_multi_thread -- [ADDR] [N]`
//! (defaults: `127.0.0.1:7878`, one worker per core).

use tokio::io::copy;
use tokio::net::{TcpListener, TcpStream};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7878".to_string());
    let workers = match args.next() {
        Some(n) => n.parse().expect("N: a number of worker threads"),
        None => std::thread::available_parallelism()?.get(),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(addr.as_str()).await?;
        println!(
            "tokio ({workers} workers) listening on {}",
            listener.local_addr()?
        );
        loop {
            match listener.accept().await {
                Ok((socket, _peer)) => drop(tokio::spawn(serve(socket))),
                Err(e) => {
                    eprintln!("accept failed: {e}; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    })
}

async fn serve(mut socket: TcpStream) {
    if socket.set_nodelay(true).is_err() {
        return;
    }
    let (mut read, mut write) = socket.split();
    let _ = copy(&mut read, &mut write).await;
}
