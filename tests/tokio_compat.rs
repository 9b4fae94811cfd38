//! Libraries written for tokio, inside coop (README: "Libraries written
//! for tokio").
//!
//! * A future that needs tokio's reactor or timer (`tokio::net`,
//!   `tokio::time`) runs in a coop task wrapped in `async_compat::Compat`,
//!   which enters a background tokio runtime around each poll.
//! * Code that takes tokio's `AsyncRead`/`AsyncWrite` gets a coop socket
//!   through `tokio_util::compat`'s `.compat()`: a thin trait adapter, no
//!   tokio runtime at all.

use std::time::Duration;

use async_compat::{Compat, CompatExt};
use coop::net::{TcpListener, TcpStream};
use futures::{SinkExt, StreamExt};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_util::codec::{Framed, LinesCodec, LinesCodecError};
use tokio_util::compat::FuturesAsyncReadCompatExt;

/// A coop echo peer on a fresh port: serves one connection, then ends.
async fn coop_echo_peer() -> std::io::Result<(std::net::SocketAddr, coop::JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let task = coop::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let (mut read, mut write) = TcpStream::split(&mut socket);
        futures_util::io::copy(&mut read, &mut write).await.unwrap();
    });
    Ok((addr, task))
}

#[test]
fn tokio_time_and_net_need_a_tokio_runtime_without_compat() {
    // The failure Compat exists for: tokio's timer panics outside a tokio
    // runtime, and the coop task reports that panic on its JoinHandle.
    coop::block_on(async {
        let task = coop::spawn(async { tokio::time::sleep(Duration::from_millis(1)).await });
        let err = task.await.unwrap_err();
        assert!(err.is_panic(), "{err:?}");
    });
}

#[test]
fn async_compat_runs_tokio_time_and_net_in_a_coop_task() {
    coop::block_on(async {
        let task = coop::spawn(Compat::new(async {
            let start = std::time::Instant::now();
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20));

            // A tokio listener and client, on tokio's reactor (in the
            // background runtime), awaited from the coop loop.
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let (accepted, client) =
                coop::join!(listener.accept(), tokio::net::TcpStream::connect(addr));
            let (mut server, _) = accepted?;
            let mut client = client?;
            client.write_all(b"through tokio").await?;
            let mut buf = [0; 13];
            server.read_exact(&mut buf).await?;
            assert_eq!(&buf, b"through tokio");
            Ok::<_, std::io::Error>(coop::task::try_id().is_some())
        }));
        assert!(task.await.unwrap().unwrap(), "it ran as a coop task");
    });
}

#[test]
fn a_tokio_client_talks_to_a_coop_server_across_the_two_reactors() {
    coop::block_on(async {
        let (addr, server) = coop_echo_peer().await.unwrap();
        let client = coop::spawn(
            async move {
                let mut stream = tokio::net::TcpStream::connect(addr).await?;
                stream.write_all(b"ping").await?;
                stream.shutdown().await?;
                let mut echoed = Vec::new();
                tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut echoed).await?;
                Ok::<_, std::io::Error>(echoed)
            }
            .compat(),
        );
        assert_eq!(client.await.unwrap().unwrap(), b"ping");
        server.await.unwrap();
    });
}

#[test]
fn framed_lines_codec_over_a_coop_stream_with_no_tokio_runtime() {
    coop::block_on(async {
        let (addr, server) = coop_echo_peer().await.unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut lines = Framed::new(FuturesAsyncReadCompatExt::compat(stream), LinesCodec::new());
        for line in ["hello", "from", "tokio-util"] {
            lines.send(line).await.unwrap();
        }
        for line in ["hello", "from", "tokio-util"] {
            assert_eq!(lines.next().await.unwrap().unwrap(), line);
        }
        // Nothing here ran on tokio: there is no tokio runtime at all.
        assert!(tokio::runtime::Handle::try_current().is_err());

        // Closing our write side ends the peer's copy; it closes, and the
        // framed stream ends.
        let mut stream = lines.into_inner().into_inner();
        stream.close().await.unwrap();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.unwrap();
        assert!(rest.is_empty());
        server.await.unwrap();
    });
}

#[test]
fn framed_reports_a_codec_error_from_a_coop_stream() {
    // An over-long line is the codec's error, surfaced through the adapter.
    coop::block_on(async {
        let (addr, server) = coop_echo_peer().await.unwrap();
        let stream = TcpStream::connect(addr).await.unwrap();
        let mut lines = Framed::new(
            FuturesAsyncReadCompatExt::compat(stream),
            LinesCodec::new_with_max_length(8),
        );
        let coop_stream: &mut TcpStream = lines.get_mut().get_mut();
        AsyncWriteExt::write_all(coop_stream, b"far too long for eight\n")
            .await
            .unwrap();
        match lines.next().await {
            Some(Err(LinesCodecError::MaxLineLengthExceeded)) => {}
            other => panic!("expected MaxLineLengthExceeded, got {other:?}"),
        }
        drop(lines);
        server.await.unwrap();
    });
}
