//! # coop-hyper: hyper 1.x on coop
//!
//! [hyper](https://docs.rs/hyper) 1.x does not depend on a runtime: it
//! asks for three things, and this crate provides each from coop.
//!
//! | hyper wants | coop-hyper gives | backed by | file |
//! |---|---|---|---|
//! | [`hyper::rt::Read`] + [`hyper::rt::Write`] | [`CoopIo`] | coop's `futures-io` sockets, read through a per-thread scratch buffer | `io/` |
//! | [`hyper::rt::Timer`] | [`CoopTimer`] | [`coop::time::sleep`] and `Sleep::reset` | `timer.rs` |
//! | [`hyper::rt::Executor`] | [`CoopExecutor`] | [`coop::spawn`] | `executor.rs` |
//!
//! ```text
//!   TcpListener::accept ─► coop::spawn(conn task) ─► http1::Builder::serve_connection(CoopIo(stream), service)
//!                                                      │ reads/writes ─► CoopIo ─► coop reactor
//!                                                      │ header timeout ─► CoopTimer ─► coop timer heap
//!                                                      └ background work (HTTP/2) ─► CoopExecutor ─► coop::spawn
//! ```
//!
//! ## Why a crate and not a `hyper` feature of coop
//!
//! This is what the ecosystem does (`hyper-util`'s `rt::tokio` for tokio,
//! `smol-hyper` for smol): coop itself keeps no dependency on hyper, its
//! build and its feature matrix stay as they are, and hyper's own major
//! versions can move this small crate without a new coop. The cost is one
//! line in the downstream `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! coop = "0.1"
//! coop-hyper = "0.1"                                          # the one extra line
//! hyper = { version = "1", features = ["http1", "server"] }  # as every hyper user writes
//! ```
//!
//! ## A server and a client on one loop
//!
//! HTTP/1 needs no executor: the server's `serve_connection` future runs in
//! the task that accepted the connection, and the client's connection
//! future is spawned with `coop::spawn`.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use coop::net::{TcpListener, TcpStream};
//! use coop_hyper::{CoopIo, CoopTimer};
//! use http_body_util::{BodyExt, Full};
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{server, client, service::service_fn, Request, Response};
//!
//! async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from_static(b"Hello, world!"))))
//! }
//!
//! coop::block_on(async {
//!     let listener = TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     let server = coop::spawn(async move {
//!         // A real server loops here, one task per connection.
//!         let (stream, _) = listener.accept().await.unwrap();
//!         server::conn::http1::Builder::new()
//!             .timer(CoopTimer::new())
//!             .serve_connection(CoopIo::new(stream), service_fn(hello))
//!             .await
//!     });
//!
//!     let stream = TcpStream::connect(addr).await?;
//!     let (mut sender, conn) = client::conn::http1::handshake(CoopIo::new(stream)).await.unwrap();
//!     drop(coop::spawn(conn)); // detached: it ends when `sender` is dropped
//!     let request = Request::get("/").header("host", "localhost").body(Full::<Bytes>::default()).unwrap();
//!     let response = sender.send_request(request).await.unwrap();
//!     let body = response.into_body().collect().await.unwrap().to_bytes();
//!     assert_eq!(body, "Hello, world!");
//!     drop(sender); // the client closes; the server's connection ends cleanly
//!     server.await.unwrap().unwrap();
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! `examples/http_hello` in coop's repository is a complete server: routes,
//! a streaming echo, keep-alive, graceful shutdown on `SIGINT`/`SIGTERM`.

#![warn(missing_docs, missing_debug_implementations)]

mod executor;
mod io;
mod timer;

pub use executor::CoopExecutor;
pub use io::CoopIo;
pub use timer::CoopTimer;

/// hyper itself, so `coop_hyper::hyper::…` names the same crate this one
/// implements the traits of.
///
/// ```
/// let _builder = coop_hyper::hyper::server::conn::http1::Builder::new();
/// ```
pub use hyper;
