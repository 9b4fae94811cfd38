//! hyper's own HTTP/1 client, running on coop, against the release-built
//! `http_hello` binary: every route, a body echoed while it is still being
//! sent, 1,000 concurrent keep-alive connections, and a graceful shutdown
//! that lets the request in flight finish.
//!
//! Each test starts its own server on a free loopback port (the binary
//! prints `listening on http://ADDR` first) and stops it with `SIGTERM`,
//! asserting that it exits 0.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use coop::net::TcpStream;
use coop_hyper::CoopIo;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Body, Bytes, Frame};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::Request;

/// The server process; killed outright if a test panics before `stop`.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_http_hello"))
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start http_hello");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap();
        Server { child, addr }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([name, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success(), "kill {name} failed");
    }

    /// Waits (boundedly) for the process to exit by itself.
    fn wait(&mut self, within: Duration) -> ExitStatus {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "server still running after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// SIGTERM, then the exit status must be 0 within a generous bound.
    fn stop(mut self) {
        self.signal("-TERM");
        let status = self.wait(Duration::from_secs(20));
        assert!(status.success(), "server exited with {status}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A client connection: hyper's handshake over a coop socket, the
/// connection future spawned as a coop task.
async fn connect<B>(addr: SocketAddr) -> SendRequest<B>
where
    B: Body + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = http1::handshake(CoopIo::new(stream)).await.unwrap();
    drop(coop::spawn(async move {
        if let Err(e) = conn.await {
            panic!("client connection failed: {e}");
        }
    }));
    sender
}

fn get(path: &str) -> Request<Empty<Bytes>> {
    Request::get(path)
        .header("host", "localhost")
        .body(Empty::new())
        .unwrap()
}

async fn text(sender: &mut SendRequest<Empty<Bytes>>, path: &str) -> String {
    let response = sender.send_request(get(path)).await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

fn stat(report: &str, name: &str) -> u64 {
    report
        .lines()
        .find_map(|line| line.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in {report:?}"))
}

#[test]
fn hyper_client_on_coop_gets_every_route_over_one_connection() {
    let server = Server::start();
    coop::block_on(async {
        let mut sender = connect(server.addr).await;
        assert_eq!(text(&mut sender, "/").await, "Hello, world!");

        let start = Instant::now();
        assert_eq!(text(&mut sender, "/sleep?ms=50").await, "slept 50 ms");
        assert!(start.elapsed() >= Duration::from_millis(50));

        let response = sender.send_request(get("/nowhere")).await.unwrap();
        assert_eq!(response.status(), 404);
        response.into_body().collect().await.unwrap();
        let response = sender.send_request(get("/sleep?ms=oops")).await.unwrap();
        assert_eq!(response.status(), 400);
        response.into_body().collect().await.unwrap();

        // Everything above went over this one connection.
        let stats = text(&mut sender, "/stats").await;
        assert_eq!(stat(&stats, "accepted"), 1, "{stats}");
        assert_eq!(stat(&stats, "requests"), 5, "{stats}");
    });
    server.stop();
}

#[test]
fn echo_streams_each_chunk_back_before_the_request_body_ends() {
    let server = Server::start();
    coop::block_on(async {
        let mut sender = connect(server.addr).await;
        // The request body is fed by hand through a channel, chunk by chunk.
        let (tx, mut rx) = coop::sync::mpsc::unbounded_channel::<Bytes>();
        let frames = futures_util::stream::poll_fn(move |cx| {
            rx.poll_recv(cx)
                .map(|chunk| chunk.map(|c| Ok::<_, std::convert::Infallible>(Frame::data(c))))
        });
        let request = Request::post("/echo")
            .header("host", "localhost")
            .body(StreamBody::new(frames))
            .unwrap();
        let request = coop::spawn(async move { sender.send_request(request).await });

        tx.send(Bytes::from_static(b"first chunk ")).unwrap();
        let mut body = request.await.unwrap().unwrap().into_body();
        for (i, chunk) in ["first chunk ", "second ", "third"].into_iter().enumerate() {
            if i > 0 {
                tx.send(Bytes::from(chunk)).unwrap();
            }
            // This chunk comes back while the request is still open: a
            // collect-then-send echo would wait for the end and hang here.
            let frame = coop::time::timeout(Duration::from_secs(20), body.frame())
                .await
                .expect("the echo did not stream the chunk back")
                .unwrap()
                .unwrap();
            assert_eq!(frame.into_data().unwrap(), chunk);
        }
        drop(tx); // ends the request body, and so the echoed one
        assert!(body.frame().await.is_none());
    });
    server.stop();
}

#[test]
fn a_thousand_concurrent_keep_alive_connections_each_make_several_requests() {
    const CONNECTIONS: usize = 1000;
    const REQUESTS: usize = 5;
    let server = Server::start();
    let addr = server.addr;
    coop::block_on(async move {
        let clients: Vec<_> = (0..CONNECTIONS)
            .map(|i| {
                coop::spawn(async move {
                    let mut sender = connect::<Full<Bytes>>(addr).await;
                    for r in 0..REQUESTS {
                        let request = if r % 2 == 0 {
                            Request::get("/")
                                .header("host", "x")
                                .body(Full::default())
                                .unwrap()
                        } else {
                            let payload = format!("client {i} request {r}");
                            Request::post("/echo")
                                .header("host", "x")
                                .body(Full::from(payload))
                                .unwrap()
                        };
                        let expected = if r % 2 == 0 {
                            "Hello, world!".to_owned()
                        } else {
                            format!("client {i} request {r}")
                        };
                        let response = sender.send_request(request).await.unwrap();
                        let body = response.into_body().collect().await.unwrap().to_bytes();
                        assert_eq!(body, expected);
                    }
                    // Keep the connection open until every client is done,
                    // so all 1,000 are open at once at the end.
                    sender
                })
            })
            .collect();
        let mut senders = Vec::new();
        let all = async {
            for client in clients {
                senders.push(client.await.unwrap());
            }
        };
        coop::time::timeout(Duration::from_secs(120), all)
            .await
            .expect("the 1,000 clients did not finish in 120 s");

        let mut probe = connect(addr).await;
        let stats = text(&mut probe, "/stats").await;
        // One accept per client (keep-alive: no reconnects), plus the probe.
        assert_eq!(stat(&stats, "accepted"), CONNECTIONS as u64 + 1, "{stats}");
        assert_eq!(stat(&stats, "open"), CONNECTIONS as u64 + 1, "{stats}");
        assert_eq!(
            stat(&stats, "requests"),
            (CONNECTIONS * REQUESTS) as u64 + 1,
            "{stats}"
        );
    });
    server.stop();
}

#[test]
fn sigint_lets_the_request_in_flight_finish_then_exits_zero() {
    let mut server = Server::start();
    let addr = server.addr;
    let (started, finished) = std::sync::mpsc::channel();
    let client = std::thread::spawn(move || {
        coop::block_on(async move {
            let mut sender = connect(addr).await;
            let request = coop::spawn(async move { text(&mut sender, "/sleep?ms=1500").await });
            // Signal only once the sleep is running (busy: it and the probe).
            let mut probe = connect(addr).await;
            while stat(&text(&mut probe, "/stats").await, "busy") < 2 {
                coop::time::sleep(Duration::from_millis(10)).await;
            }
            drop(probe);
            started.send(()).unwrap();
            request.await.unwrap()
        })
    });
    finished.recv().unwrap();
    let signalled = Instant::now();
    server.signal("-INT");
    assert_eq!(client.join().unwrap(), "slept 1500 ms");
    let status = server.wait(Duration::from_secs(20));
    assert!(status.success(), "server exited with {status}");
    // It waited for the sleep (about 1.2 s more), not for the drain timeout.
    assert!(signalled.elapsed() < Duration::from_secs(20));
}
