//! Unix domain sockets: stream and datagram round trips, halves, peeking,
//! and a closed peer surfacing as an error (even though Unix stream writes
//! use plain `write(2)`, which raises SIGPIPE unless it is ignored).

mod net_support;

use std::io;
use std::net::Shutdown;
use std::path::PathBuf;
use std::time::Duration;

use coop::net::{UnixDatagram, UnixListener, UnixStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{exchange_both_ways, run, socket_path, Rng};

#[test]
#[cfg_attr(miri, ignore)]
fn a_stream_echoes_through_a_listener_at_a_path() {
    let path = socket_path("echo");
    run(async {
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let server = coop::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (mut read, mut write) = UnixStream::split(&mut socket);
            futures_util::io::copy(&mut read, &mut write).await.unwrap();
        });
        let data = Rng::new(11).bytes(300 * 1024);
        let (mut read, mut write) = UnixStream::connect(&path).await.unwrap().into_split();
        let sent = data.clone();
        let writer = coop::spawn(async move {
            write.write_all(&sent).await.unwrap();
            // Dropping the owned write half shuts down writing: the echo ends.
        });
        let mut got = Vec::new();
        read.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        server.await.unwrap();
        assert!(got == data, "echo differs");
    });
    std::fs::remove_file(&path).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn pair_halves_read_and_write_at_the_same_time() {
    run(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let payload = Rng::new(12).bytes(512 * 1024);
        exchange_both_ways(
            UnixStream::split(&mut a),
            UnixStream::split(&mut b),
            &payload,
        )
        .await;
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn writing_to_a_closed_unix_peer_is_broken_pipe() {
    run(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        drop(b);
        let err = a.write_all(b"nobody home").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
        let mut buf = [0; 4];
        assert_eq!(a.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn connecting_to_a_missing_path_is_not_found() {
    let path = socket_path("missing");
    run(async {
        let err = UnixStream::connect(&path).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn peek_and_read_after_peer_shutdown_return_zero() {
    run(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0; 4];
        assert_eq!(b.peek(&mut buf).await.unwrap(), 0);
        assert_eq!(b.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn datagrams_round_trip_between_paths() {
    let (server_path, client_path) = (socket_path("dgram-server"), socket_path("dgram-client"));
    run(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        let echo = coop::spawn(async move {
            let mut buf = [0; 256];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            let from = from.as_pathname().unwrap().to_owned();
            server.send_to(&buf[..n], from).await.unwrap();
        });
        client.send_to(b"datagram", &server_path).await.unwrap();
        let mut buf = [0; 256];
        let (n, from) = client.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"datagram");
        assert_eq!(from.as_pathname(), Some(server_path.as_path()));
        echo.await.unwrap();
    });
    std::fs::remove_file(&server_path).unwrap();
    std::fs::remove_file(&client_path).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_full_datagram_pair_makes_the_sender_wait_not_fail() {
    run(async {
        let (a, b) = UnixDatagram::pair().unwrap();
        // Local datagrams are never dropped: once b's queue is full, a's
        // sends wait for writability until b reads.
        let count = 2000;
        let reader = coop::spawn(async move {
            let mut buf = [0; 64];
            for i in 0..count {
                let n = b.recv(&mut buf).await.unwrap();
                assert_eq!(&buf[..n], &(i as u32).to_le_bytes());
            }
        });
        for i in 0..count {
            a.send(&(i as u32).to_le_bytes()).await.unwrap();
        }
        reader.await.unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn std_conversions_round_trip() {
    run(async {
        let (a, b) = UnixStream::pair().unwrap();
        let a = UnixStream::from_std(a.into_std().unwrap()).unwrap();
        let (mut a, mut b) = (a, b);
        a.write_all(b"ok").await.unwrap();
        let mut buf = [0; 2];
        b.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ok");
        let (x, y) = UnixDatagram::pair().unwrap();
        let x = UnixDatagram::from_std(x.into_std().unwrap()).unwrap();
        x.send(b"d").await.unwrap();
        assert_eq!(y.recv(&mut buf).await.unwrap(), 1);
        assert!(format!("{x:?}").starts_with("UnixDatagram"));
    });
}

/// How long a read that should find its data at once may take before the
/// test calls it stuck (generous: the box may be loaded).
const NO_WAIT: Duration = Duration::from_secs(10);

#[test]
#[cfg_attr(miri, ignore)]
fn peek_returns_the_data_and_the_next_read_gets_the_same_bytes() {
    run(async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        a.write_all(b"peek then read").await.unwrap();
        let mut peeked = [0; 14];
        let n = b.peek(&mut peeked).await.unwrap();
        assert!(n > 0);
        // Peeking again sees the same bytes: nothing was consumed.
        let mut again = [0; 14];
        assert_eq!(b.peek(&mut again).await.unwrap(), n);
        assert_eq!(again[..n], peeked[..n]);
        // The peek left the readiness alone, so this read does not wait
        // for an edge that will never come.
        let mut read = [0; 14];
        coop::time::timeout(NO_WAIT, b.read_exact(&mut read))
            .await
            .expect("read after peek waited: the peek cleared readiness")
            .unwrap();
        assert_eq!(&read, b"peek then read");
        assert_eq!(read[..n], peeked[..n]);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn peek_from_reports_the_senders_path_and_keeps_the_datagram() {
    let (server_path, client_path) = (socket_path("peek-server"), socket_path("peek-client"));
    run(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        client.send_to(b"first", &server_path).await.unwrap();
        client.send_to(b"second", &server_path).await.unwrap();
        let mut buf = [0; 16];
        let (n, from) = server.peek_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        let mut got = [0; 16];
        let (n, from) = coop::time::timeout(NO_WAIT, server.recv_from(&mut got))
            .await
            .expect("recv_from after peek_from waited")
            .unwrap();
        assert_eq!(&got[..n], b"first");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
        let (n, _) = server.peek_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"second");
    });
    std::fs::remove_file(&server_path).unwrap();
    std::fs::remove_file(&client_path).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn peek_from_an_unnamed_sender_reports_an_unnamed_address() {
    let path = socket_path("peek-unnamed");
    run(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        client.send_to(b"anon", &path).await.unwrap();
        let mut buf = [0; 8];
        let (n, from) = server.peek_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"anon");
        assert!(from.is_unnamed(), "{from:?}");
        assert_eq!(from.as_pathname(), None);
        // The same again (the cached unnamed address), then the real receive.
        let (_, from) = server.peek_from(&mut buf).await.unwrap();
        assert!(from.is_unnamed(), "{from:?}");
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from.is_unnamed()), (&b"anon"[..], true));

        // A connected pair: `peek` and `peek_from` both leave the datagram.
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"pair").await.unwrap();
        assert_eq!(b.peek(&mut buf).await.unwrap(), 4);
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from.is_unnamed()), (&b"pair"[..], true));
        assert_eq!(b.recv(&mut buf).await.unwrap(), 4);
        assert_eq!(&buf[..4], b"pair");
    });
    std::fs::remove_file(&path).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(miri, ignore)]
fn peek_from_reports_an_abstract_senders_name() {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::SocketAddr;

    let name = format!("coop-test-peek-abstract-{}", std::process::id());
    let path = socket_path("peek-abstract-server");
    run(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let client =
            UnixDatagram::from_std(std::os::unix::net::UnixDatagram::bind_addr(&addr).unwrap())
                .unwrap();
        client.send_to(b"abstract", &path).await.unwrap();
        let mut buf = [0; 8];
        let (n, from) = server.peek_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"abstract");
        assert_eq!(from.as_abstract_name(), Some(name.as_bytes()));
        assert_eq!(from.as_pathname(), None);
    });
    std::fs::remove_file(&path).unwrap();
}

/// A path of exactly 108 bytes: all of `sun_path`, with no room for a NUL.
fn longest_socket_path() -> Option<PathBuf> {
    let dir = std::env::temp_dir();
    let prefix = format!("coop-test-long-{}-", std::process::id());
    let fill = 108usize.checked_sub(dir.as_os_str().len() + 1 + prefix.len())?;
    let path = dir.join(format!("{prefix}{}", "x".repeat(fill)));
    assert_eq!(path.as_os_str().len(), 108);
    let _ = std::fs::remove_file(&path);
    Some(path)
}

#[cfg(target_os = "linux")]
#[test]
#[cfg_attr(miri, ignore)]
fn peek_from_a_sender_at_the_longest_path_is_an_error_not_a_panic() {
    let Some(client_path) = longest_socket_path() else {
        return; // the temp dir's own path is too long to try this
    };
    let server_path = socket_path("peek-long-server");
    run(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        // std refuses such a path; the kernel (and rustix) take it.
        let client = std::os::unix::net::UnixDatagram::unbound().unwrap();
        let addr = rustix::net::SocketAddrUnix::new(client_path.as_path()).unwrap();
        rustix::net::bind(&client, &addr).unwrap();
        let client = UnixDatagram::from_std(client).unwrap();
        client.send_to(b"long", &server_path).await.unwrap();
        let mut buf = [0; 8];
        let err = server.peek_from(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        // Nothing was lost: the datagram is still there for recv_from.
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"long");
        assert_eq!(from.as_pathname(), Some(client_path.as_path()));
    });
    std::fs::remove_file(&server_path).unwrap();
    std::fs::remove_file(&client_path).unwrap();
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_peek_that_must_wait_is_woken_when_data_arrives() {
    run(async {
        let (mut a, b) = UnixStream::pair().unwrap();
        let peeker = coop::spawn(async move {
            let mut buf = [0; 5];
            let n = b.peek(&mut buf).await.unwrap();
            (buf, n, b)
        });
        // Let the peeker find the queue empty and go to sleep first.
        coop::time::sleep(Duration::from_millis(20)).await;
        assert!(!peeker.is_finished(), "peek returned before any data");
        a.write_all(b"later").await.unwrap();
        let (buf, n, mut b) = peeker.await.unwrap();
        assert_eq!(&buf[..n], &b"later"[..n]);
        let mut read = [0; 5];
        b.read_exact(&mut read).await.unwrap();
        assert_eq!(&read, b"later");

        let (x, y) = UnixDatagram::pair().unwrap();
        let peeker = coop::spawn(async move {
            let mut buf = [0; 8];
            let (n, from) = y.peek_from(&mut buf).await.unwrap();
            assert!(from.is_unnamed());
            buf[..n].to_vec()
        });
        coop::time::sleep(Duration::from_millis(20)).await;
        x.send(b"datagram").await.unwrap();
        assert_eq!(peeker.await.unwrap(), b"datagram");
    });
}
