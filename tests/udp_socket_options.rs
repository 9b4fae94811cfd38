//! `UdpSocket`'s options: the ones set on a bound socket (broadcast, TTL,
//! buffer sizes) and the ones set before `bind` through `socket2` and
//! `UdpSocket::from_std` (`SO_REUSEPORT`: two sockets on one port, each
//! receiving a share).

use std::collections::HashSet;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use coop::future::FutureExt;
use coop::net::UdpSocket;
use socket2::{Domain, Protocol, SockRef, Socket, Type};

fn reuseport_socket(addr: SocketAddr) -> std::io::Result<UdpSocket> {
    let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    UdpSocket::from_std(socket.into())
}

#[test]
fn options_on_a_bound_socket_read_back() {
    coop::block_on(async {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert!(!socket.broadcast().unwrap());
        socket.set_broadcast(true).unwrap();
        assert!(socket.broadcast().unwrap());
        socket.set_ttl(3).unwrap();
        assert_eq!(socket.ttl().unwrap(), 3);
        // Linux doubles what it is given (and clamps to rmem_max/wmem_max).
        socket.set_recv_buffer_size(32 * 1024).unwrap();
        socket.set_send_buffer_size(32 * 1024).unwrap();
        assert!(socket.recv_buffer_size().unwrap() >= 32 * 1024);
        assert!(socket.send_buffer_size().unwrap() >= 32 * 1024);
        // What the kernel holds, read past coop.
        let std_socket = socket.into_std().unwrap();
        assert_eq!(std_socket.ttl().unwrap(), 3);
        assert!(SockRef::from(&std_socket).broadcast().unwrap());
    });
}

#[test]
fn options_set_through_socket2_before_bind_survive_from_std() {
    coop::block_on(async {
        let socket = Socket::new(Domain::IPV4, Type::DGRAM, Some(Protocol::UDP)).unwrap();
        socket.set_reuse_port(true).unwrap();
        socket.set_recv_buffer_size(48 * 1024).unwrap();
        socket
            .bind(&"127.0.0.1:0".parse::<SocketAddr>().unwrap().into())
            .unwrap();
        // A blocking socket: from_std makes it non-blocking, or the loop
        // would block in recv_from below.
        let socket = UdpSocket::from_std(socket.into()).unwrap();
        assert!(socket.recv_buffer_size().unwrap() >= 48 * 1024);
        assert!(SockRef::from(&socket).reuse_port().unwrap());
        let nothing =
            coop::time::timeout(Duration::from_millis(20), socket.recv_from(&mut [0; 8])).await;
        assert!(
            nothing.is_err(),
            "no datagram: the receive waits, it does not block"
        );
    });
}

#[test]
fn binding_a_taken_port_fails_without_reuseport_and_succeeds_with_it() {
    coop::block_on(async {
        let first = reuseport_socket("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = first.local_addr().unwrap();
        assert!(
            UdpSocket::bind(addr).await.is_err(),
            "plain bind on a taken port"
        );
        let second = reuseport_socket(addr).unwrap();
        assert_eq!(second.local_addr().unwrap(), addr);
    });
}

#[test]
fn two_reuseport_sockets_share_the_datagrams_of_many_senders() {
    // The kernel picks a receiver by hashing each sender's address: with 64
    // senders, both receivers get some (all on one: odds 2 in 2^64), and
    // every datagram arrives exactly once.
    const SENDERS: u8 = 64;
    coop::block_on(async {
        let a = Rc::new(reuseport_socket("127.0.0.1:0".parse().unwrap()).unwrap());
        let addr = a.local_addr().unwrap();
        let b = Rc::new(reuseport_socket(addr).unwrap());
        for i in 0..SENDERS {
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            sender.send_to(&[i], addr).await.unwrap();
        }
        let mut got = [Vec::new(), Vec::new()];
        let mut total = 0;
        while total < usize::from(SENDERS) {
            let (mut buf_a, mut buf_b) = ([0u8; 1], [0u8; 1]);
            let (which, received) = coop::time::timeout(Duration::from_secs(10), async {
                let from_a = a.recv_from(&mut buf_a).fuse();
                let from_b = b.recv_from(&mut buf_b).fuse();
                coop::pin_mut!(from_a, from_b);
                coop::select! {
                    r = from_a => (0, r),
                    r = from_b => (1, r),
                }
            })
            .await
            .expect("every datagram arrives (loopback does not drop 64 one-byte datagrams)");
            assert_eq!(received.unwrap().0, 1);
            got[which].push(if which == 0 { buf_a[0] } else { buf_b[0] });
            total += 1;
        }
        assert!(
            !got[0].is_empty() && !got[1].is_empty(),
            "both receive: {got:?}"
        );
        let all: HashSet<u8> = got.iter().flatten().copied().collect();
        assert_eq!(
            all.len(),
            usize::from(SENDERS),
            "each datagram once: {got:?}"
        );
    });
}
