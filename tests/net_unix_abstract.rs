//! Linux abstract Unix socket addresses: a path that starts with a NUL
//! byte names a socket with no file, for `UnixListener::bind`,
//! `UnixStream::connect` and `UnixDatagram::bind`/`connect`/`send_to`. Also what an
//! unbound datagram socket looks like to its peer.
#![cfg(target_os = "linux")]

mod net_support;

use std::os::linux::net::SocketAddrExt;
use std::path::PathBuf;

use coop::net::{UnixDatagram, UnixListener, UnixStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{run, socket_path};

/// A NUL byte, then a name unique to this process and test.
fn abstract_path(test: &str) -> (PathBuf, String) {
    let name = format!("coop-test-{test}-{}", std::process::id());
    (PathBuf::from(format!("\0{name}")), name)
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_stream_round_trips_over_an_abstract_address() {
    let (path, name) = abstract_path("stream");
    run(async {
        let listener = UnixListener::bind(&path).unwrap();
        let local = listener.local_addr().unwrap();
        assert_eq!(local.as_abstract_name(), Some(name.as_bytes()));
        assert_eq!(local.as_pathname(), None, "no file is made");
        let server = coop::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = [0; 4];
            socket.read_exact(&mut buf).await.unwrap();
            socket.write_all(&buf).await.unwrap();
        });
        let mut client = UnixStream::connect(&path).await.unwrap();
        let peer = client.peer_addr().unwrap();
        assert_eq!(peer.as_abstract_name(), Some(name.as_bytes()));
        client.write_all(b"ping").await.unwrap();
        let mut buf = [0; 4];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        server.await.unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn datagrams_round_trip_between_abstract_addresses() {
    let (server_path, server_name) = abstract_path("dgram-server");
    let (client_path, client_name) = abstract_path("dgram-client");
    run(async {
        let server = UnixDatagram::bind(&server_path).unwrap();
        let client = UnixDatagram::bind(&client_path).unwrap();
        client.connect(&server_path).unwrap();
        assert_eq!(
            client.peer_addr().unwrap().as_abstract_name(),
            Some(server_name.as_bytes())
        );
        client.send(b"hello").await.unwrap();
        let mut buf = [0; 8];
        let (n, from) = server.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello");
        assert_eq!(from.as_abstract_name(), Some(client_name.as_bytes()));
        // The client has an address: the server can reply, to the path or
        // to the address it received from.
        server.send_to(b"back", &client_path).await.unwrap();
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"back");
        let reply_to = format!(
            "\0{}",
            std::str::from_utf8(from.as_abstract_name().unwrap()).unwrap()
        );
        server.send_to(b"again", reply_to).await.unwrap();
        let n = client.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"again");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn connecting_to_an_abstract_name_nobody_bound_is_refused() {
    let (path, _) = abstract_path("nobody");
    run(async {
        let err = UnixStream::connect(&path).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_connected_unbound_datagram_socket_has_no_address_to_reply_to() {
    let path = socket_path("unbound-peer");
    run(async {
        let server = UnixDatagram::bind(&path).unwrap();
        let client = UnixDatagram::unbound().unwrap();
        client.connect(&path).unwrap();
        assert!(client.local_addr().unwrap().is_unnamed());
        client.send(b"hi").await.unwrap();
        let mut buf = [0; 2];
        let (_, from) = server.recv_from(&mut buf).await.unwrap();
        assert!(from.is_unnamed(), "{from:?}");
        assert_eq!((from.as_pathname(), from.as_abstract_name()), (None, None));
    });
    std::fs::remove_file(&path).unwrap();
}
