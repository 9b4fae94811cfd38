//! The benchmark's coop server (benches/http.sh): hyper's hello-world on
//! coop, line for line the shape of its peers `hello_tokio` and
//! `hello_smol` (timer, 30 s header timeout, keep-alive, `TCP_NODELAY`), so
//! the comparison is of runtimes, not of programs. `http_hello` (the full
//! example: routes, stats, graceful shutdown) costs a little more per
//! request; benches/RESULTS.md has both. Stops on `SIGTERM`.
//!
//! `cargo run --release --features bench --bin hello_coop -- 127.0.0.1:0`

use std::convert::Infallible;
use std::time::Duration;

use coop::net::TcpSocket;
use coop_hyper::{CoopIo, CoopTimer};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    coop::block_on(async {
        let addr: std::net::SocketAddr = addr.parse().expect("usage: hello_coop IP:PORT");
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        // The same backlog as the peers.
        let listener = socket.listen(4096)?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    eprintln!("accept: {e}");
                    coop::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            drop(coop::spawn(async move {
                let _ = http1::Builder::new()
                    .timer(CoopTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    .serve_connection(CoopIo::new(stream), service_fn(hello))
                    .await;
            }));
        }
    })
}
