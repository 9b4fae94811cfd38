//! UDP on loopback: datagrams arrive whole, with their sender; connected
//! sockets filter by peer; peeking leaves the datagram queued.

mod net_support;

use coop::net::UdpSocket;
use net_support::run;

#[test]
#[cfg_attr(miri, ignore)]
fn a_datagram_makes_the_round_trip() {
    run(async {
        let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let server_addr = server.local_addr().unwrap();
        let echo = coop::spawn(async move {
            let mut buf = [0; 1500];
            let (n, from) = server.recv_from(&mut buf).await.unwrap();
            server.send_to(&buf[..n], from).await.unwrap();
        });
        let message: Vec<u8> = (0..1200u32).map(|i| i as u8).collect();
        client.send_to(&message, server_addr).await.unwrap();
        let mut buf = [0; 1500];
        let (n, from) = client.recv_from(&mut buf).await.unwrap();
        assert_eq!(from, server_addr);
        assert_eq!(&buf[..n], &message[..]);
        echo.await.unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn connected_sockets_send_and_recv_with_their_peer() {
    run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
        for i in 0..10u8 {
            a.send(&[i; 32]).await.unwrap();
            let mut buf = [0; 64];
            let n = b.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &[i; 32]);
        }
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_receiver_waiting_first_is_woken_by_the_datagram() {
    run(async {
        let receiver = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = receiver.local_addr().unwrap();
        let waiting = coop::spawn(async move {
            let mut buf = [0; 8];
            let (n, _) = receiver.recv_from(&mut buf).await.unwrap();
            buf[..n].to_vec()
        });
        // Let the receiver park on the reactor before anything is sent.
        coop::time::sleep(std::time::Duration::from_millis(20)).await;
        let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        sender.send_to(b"late", addr).await.unwrap();
        assert_eq!(waiting.await.unwrap(), b"late");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn peek_from_leaves_the_datagram_queued() {
    run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.send_to(b"twice", b.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 16];
        let (n, from) = b.peek_from(&mut buf).await.unwrap();
        assert_eq!((&buf[..n], from), (&b"twice"[..], a.local_addr().unwrap()));
        let (n, _) = b.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"twice");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn sending_to_nothing_is_an_invalid_input_error() {
    run(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let none: &[std::net::SocketAddr] = &[];
        let err = a.send_to(b"x", none).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    });
}
