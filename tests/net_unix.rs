//! Unix domain sockets: stream and datagram round trips, halves, and a
//! closed peer surfacing as an error (even though Unix stream writes use
//! plain `write(2)`, which raises SIGPIPE unless it is ignored).

mod net_support;

use std::io;
use std::net::Shutdown;

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
fn read_after_peer_shutdown_returns_zero() {
    run(async {
        let (a, mut b) = UnixStream::pair().unwrap();
        a.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0; 4];
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
