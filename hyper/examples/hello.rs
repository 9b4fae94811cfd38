//! The smallest hyper server on coop (the README's "HTTP with hyper"):
//! `cargo run -p coop-hyper --example hello`, then `curl -s 127.0.0.1:8080`.
//! `examples/http_hello` in the repository is the complete one (routes,
//! streaming echo, graceful shutdown).

use std::convert::Infallible;

use coop::net::TcpListener;
use coop_hyper::{CoopIo, CoopTimer};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{server::conn::http1, service::service_fn, Request, Response};

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

#[coop::main]
async fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:8080").await?;
    loop {
        let (stream, _) = listener.accept().await?;
        // One task per connection; HTTP/1 keep-alive is on by default.
        drop(coop::spawn(async move {
            let conn = http1::Builder::new()
                .timer(CoopTimer::new()) // header-read timeout (30 s)
                .serve_connection(CoopIo::new(stream), service_fn(hello));
            if let Err(e) = conn.await {
                eprintln!("connection: {e}");
            }
        }));
    }
}
