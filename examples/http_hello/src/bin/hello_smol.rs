//! The benchmark's smol peer (benches/http.sh): hyper's hello-world on a
//! single-threaded smol `LocalExecutor` with smol-hyper's adapters,
//! configured as `http_hello` is (timer, 30 s header timeout, keep-alive,
//! `TCP_NODELAY`). Stops on `SIGTERM`.
//!
//! `cargo run --release --features bench --bin hello_smol -- 127.0.0.1:0`

use std::convert::Infallible;
use std::rc::Rc;
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use smol_hyper::rt::{FuturesIo, SmolTimer};

async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(Response::new(Full::new(Bytes::from_static(
        b"Hello, world!",
    ))))
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let ex = Rc::new(smol::LocalExecutor::new());
    smol::block_on(ex.run(async {
        let listener = smol::net::TcpListener::bind(addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    eprintln!("accept: {e}");
                    smol::Timer::after(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            ex.spawn(async move {
                let _ = http1::Builder::new()
                    .timer(SmolTimer::new())
                    .header_read_timeout(Duration::from_secs(30))
                    .keep_alive(true)
                    .serve_connection(FuturesIo::new(stream), service_fn(hello))
                    .await;
            })
            .detach();
        }
    }))
}
