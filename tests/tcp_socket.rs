//! `TcpSocket` and the stream options on real loopback sockets: options
//! read back as set, two `SO_REUSEPORT` listeners share a port and both
//! accept, a refused connect is an `Err`, and `linger(0)` resets the peer.

#![cfg(not(miri))]

mod net_support;

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use coop::net::{TcpListener, TcpSocket, TcpStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{run, tcp_pair};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A listener on `addr` with `SO_REUSEPORT` set before the bind.
fn reuseport_listener(addr: SocketAddr) -> TcpListener {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseport(true).unwrap();
    socket.bind(addr).unwrap();
    socket.listen(128).unwrap()
}

#[test]
fn options_read_back_as_set() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_reuseaddr(true).unwrap();
    socket.set_reuseport(true).unwrap();
    socket.set_nodelay(true).unwrap();
    socket.set_keepalive(true).unwrap();
    socket.set_linger(Some(Duration::from_secs(3))).unwrap();
    socket.set_send_buffer_size(96 * 1024).unwrap();
    socket.set_recv_buffer_size(80 * 1024).unwrap();
    assert!(socket.reuseaddr().unwrap());
    assert!(socket.reuseport().unwrap());
    assert!(socket.nodelay().unwrap());
    assert!(socket.keepalive().unwrap());
    assert_eq!(socket.linger().unwrap(), Some(Duration::from_secs(3)));
    // Linux doubles the requested size for its bookkeeping.
    assert!(socket.send_buffer_size().unwrap() >= 96 * 1024);
    assert!(socket.recv_buffer_size().unwrap() >= 80 * 1024);

    socket.set_reuseport(false).unwrap();
    socket.set_nodelay(false).unwrap();
    socket.set_linger(None).unwrap();
    assert!(!socket.reuseport().unwrap());
    assert!(!socket.nodelay().unwrap());
    assert_eq!(socket.linger().unwrap(), None);
}

#[test]
fn stream_options_read_back_as_set() {
    run(async {
        let (client, _server) = tcp_pair().await;
        client.set_nodelay(true).unwrap();
        client.set_linger(Some(Duration::from_secs(1))).unwrap();
        client.set_ttl(17).unwrap();
        assert!(client.nodelay().unwrap());
        assert_eq!(client.linger().unwrap(), Some(Duration::from_secs(1)));
        assert_eq!(client.ttl().unwrap(), 17);
    });
}

#[test]
fn nodelay_set_on_the_socket_carries_over_to_the_stream() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_nodelay(true).unwrap();
        let stream = socket
            .connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        assert!(stream.nodelay().unwrap());
        let (_server, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
    });
}

#[test]
fn two_reuseport_listeners_on_one_port_both_accept() {
    run(async {
        let first = reuseport_listener(loopback());
        let addr = first.local_addr().unwrap();
        let second = reuseport_listener(addr);
        assert_eq!(second.local_addr().unwrap(), addr);

        // The kernel hashes each connection (by its source port) to one
        // listener: connect until both have accepted one. 200 tries make a
        // miss vanishingly unlikely (each falls on `second` with p = 1/2).
        let mut accepted = [0usize; 2];
        let mut clients = Vec::new();
        for _ in 0..200 {
            clients.push(TcpStream::connect(addr).await.unwrap());
            for (n, listener) in [&first, &second].into_iter().enumerate() {
                let poll = coop::time::timeout(Duration::from_millis(1), listener.accept());
                if let Ok(Ok(_)) = poll.await {
                    accepted[n] += 1;
                }
            }
            if accepted.iter().all(|&n| n > 0) {
                break;
            }
        }
        assert!(
            accepted.iter().all(|&n| n > 0),
            "accepted per listener: {accepted:?}"
        );
    });
}

#[test]
fn a_second_listener_without_reuseport_is_refused() {
    run(async {
        let first = reuseport_listener(loopback());
        let socket = TcpSocket::new_v4().unwrap();
        let err = socket
            .bind(first.local_addr().unwrap())
            .and_then(|()| socket.listen(128).map(drop))
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    });
}

#[test]
fn connect_to_a_closed_port_is_connection_refused() {
    run(async {
        // A port that was free a moment ago: bind, note, close.
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let err = TcpSocket::new_v4()
            .unwrap()
            .connect(addr)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
fn linger_zero_close_resets_the_peer() {
    run(async {
        let (client, mut server) = tcp_pair().await;
        client.set_linger(Some(Duration::ZERO)).unwrap();
        drop(client);
        let mut buf = [0; 8];
        let err = server.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
    });
}

#[test]
fn without_linger_close_is_an_orderly_end_of_file() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(b"bye").await.unwrap();
        drop(client);
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"bye");
    });
}

#[test]
#[should_panic(expected = "TcpSocket::listen")]
fn listen_outside_a_runtime_panics_naming_it() {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(loopback()).unwrap();
    let _ = socket.listen(1);
}
