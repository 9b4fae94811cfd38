//! hyper's HTTP/1 server and client on coop, through coop-hyper's three
//! pieces: the timer's header-read timeout, keep-alive on one connection,
//! and a streamed body that crosses many reads and writes of the adapter.

use std::convert::Infallible;
use std::time::{Duration, Instant};

use coop::net::{TcpListener, TcpStream};
use coop_hyper::{CoopIo, CoopTimer};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{client, server, service::service_fn, Request, Response};

/// `GET` answers "hello"; `POST` echoes the request body as it streams in.
async fn service(
    req: Request<Incoming>,
) -> Result<Response<http_body_util::Either<Full<Bytes>, Incoming>>, Infallible> {
    Ok(match *req.method() {
        hyper::Method::POST => Response::new(http_body_util::Either::Right(req.into_body())),
        _ => Response::new(http_body_util::Either::Left(Full::new(Bytes::from_static(
            b"hello",
        )))),
    })
}

/// Serves one connection; resolves to hyper's verdict on it.
async fn serve_one(listener: TcpListener, header_timeout: Duration) -> hyper::Result<()> {
    let (stream, _) = listener.accept().await.unwrap();
    server::conn::http1::Builder::new()
        .timer(CoopTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(CoopIo::new(stream), service_fn(service))
        .await
}

#[test]
fn a_client_that_stalls_mid_header_is_dropped_by_the_timer() {
    coop::block_on(async {
        // Paused time: the 30 s header timeout passes as soon as the loop
        // is idle, so the test waits for the timer, not the wall clock.
        coop::time::pause();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = coop::spawn(serve_one(listener, Duration::from_secs(30)));

        let mut client = TcpStream::connect(addr).await.unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        let started = coop::time::now();
        let mut reply = Vec::new();
        // Bounded: without a working timer hyper would wait forever.
        coop::time::timeout(Duration::from_secs(120), client.read_to_end(&mut reply))
            .await
            .expect("the 30 s header timeout never fired")
            .unwrap();

        // hyper answers a header timeout with 408 or a bare close.
        let reply = String::from_utf8_lossy(&reply);
        assert!(
            reply.is_empty() || reply.starts_with("HTTP/1.1 408"),
            "{reply}"
        );
        assert!(coop::time::now() - started >= Duration::from_secs(30));
        let verdict = server.await.unwrap();
        assert!(
            verdict.is_err(),
            "a timed-out connection is an error: {verdict:?}"
        );
    });
}

#[test]
fn keep_alive_and_a_streamed_body_on_one_connection() {
    coop::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = coop::spawn(serve_one(listener, Duration::from_secs(30)));

        let stream = TcpStream::connect(addr).await.unwrap();
        let (mut sender, conn) = client::conn::http1::handshake(CoopIo::new(stream))
            .await
            .unwrap();
        let conn = coop::spawn(conn);

        // Several requests, one connection (the server accepts only one).
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        for round in 0..3 {
            let get = Request::get("/")
                .header("host", "x")
                .body(Full::default())
                .unwrap();
            let body = sender.send_request(get).await.unwrap().into_body();
            assert_eq!(
                body.collect().await.unwrap().to_bytes(),
                "hello",
                "round {round}"
            );

            let post = Request::post("/")
                .header("host", "x")
                .body(Full::new(Bytes::from(big.clone())))
                .unwrap();
            let body = sender.send_request(post).await.unwrap().into_body();
            let echoed = body.collect().await.unwrap().to_bytes();
            assert!(
                echoed == big[..],
                "round {round}: {} bytes back",
                echoed.len()
            );
        }

        // Closing the client ends both connection futures cleanly.
        drop(sender);
        conn.await.unwrap().unwrap();
        server.await.unwrap().unwrap();
    });
}

#[test]
fn the_header_timeout_does_not_cut_a_slow_but_complete_request() {
    coop::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = coop::spawn(serve_one(listener, Duration::from_secs(30)));

        // The head arrives in pieces with pauses in between, all within the timeout.
        let mut client = TcpStream::connect(addr).await.unwrap();
        let start = Instant::now();
        for piece in [
            "GET / HTTP/1.1\r\n",
            "Host: x\r\n",
            "Connection: close\r\n",
            "\r\n",
        ] {
            client.write_all(piece.as_bytes()).await.unwrap();
            coop::time::sleep(Duration::from_millis(20)).await;
        }
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).await.unwrap();
        let reply = String::from_utf8_lossy(&reply);
        assert!(reply.starts_with("HTTP/1.1 200 OK"), "{reply}");
        assert!(reply.ends_with("hello"), "{reply}");
        assert!(start.elapsed() >= Duration::from_millis(80));
        server.await.unwrap().unwrap();
    });
}
