//! TCP on loopback: data arrives intact, halves work at once, and every
//! fault a user meets (refused, reset, closed peer, half-close) comes back
//! as a value, never a panic or a hang.

mod net_support;

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::time::Duration;

use coop::net::{TcpListener, TcpStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{exchange_both_ways, reset_on_close, run, tcp_pair, Rng};

const MIB: usize = 1 << 20;

#[test]
#[cfg_attr(miri, ignore)]
fn one_mib_echoes_back_byte_for_byte_in_random_chunks() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = coop::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (mut read, mut write) = TcpStream::split(&mut socket);
            futures_util::io::copy(&mut read, &mut write).await.unwrap();
            write.close().await.unwrap();
        });

        let mut rng = Rng::new(0x5eed);
        let data = rng.bytes(MIB);
        let (mut read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
        let sent = data.clone();
        let writer = coop::spawn(async move {
            let mut rng = Rng::new(7);
            let mut rest = &sent[..];
            while !rest.is_empty() {
                let n = rng.range(1, 64 * 1024).min(rest.len());
                write.write_all(&rest[..n]).await.unwrap();
                rest = &rest[n..];
            }
            write.close().await.unwrap();
        });
        let mut received = Vec::with_capacity(MIB);
        let mut buf = vec![0; 64 * 1024];
        loop {
            let want = rng.range(1, buf.len());
            let n = read.read(&mut buf[..want]).await.unwrap();
            if n == 0 {
                break;
            }
            received.extend_from_slice(&buf[..n]);
        }
        writer.await.unwrap();
        server.await.unwrap();
        assert_eq!(received.len(), data.len());
        assert!(received == data, "echoed bytes differ");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn borrowed_halves_read_and_write_at_the_same_time() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        let payload = Rng::new(1).bytes(256 * 1024);
        exchange_both_ways(
            TcpStream::split(&mut client),
            TcpStream::split(&mut server),
            &payload,
        )
        .await;
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn owned_halves_work_from_two_tasks_and_reunite() {
    run(async {
        let (client, mut server) = tcp_pair().await;
        let (mut read, mut write) = client.into_split();
        let payload = Rng::new(2).bytes(200 * 1024);
        let to_send = payload.clone();
        let writer = coop::spawn(async move {
            write.write_all(&to_send).await.unwrap();
            write
        });
        let reader = coop::spawn(async move {
            let mut got = vec![0; 200 * 1024];
            read.read_exact(&mut got).await.unwrap();
            (read, got)
        });
        // The server echoes while both tasks run.
        let mut buf = vec![0; 200 * 1024];
        server.read_exact(&mut buf).await.unwrap();
        server.write_all(&buf).await.unwrap();
        let write = writer.await.unwrap();
        let (read, got) = reader.await.unwrap();
        assert!(got == payload);

        let client = read.reunite(write).expect("halves of one stream");
        client.shutdown(Shutdown::Write).unwrap();
        assert_eq!(server.read(&mut buf).await.unwrap(), 0);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn reuniting_halves_of_different_streams_gives_them_back() {
    run(async {
        let (a, _a_peer) = tcp_pair().await;
        let (b, _b_peer) = tcp_pair().await;
        let (a_read, a_write) = a.into_split();
        let (b_read, b_write) = b.into_split();
        let coop::net::split::ReuniteError(a_read, b_write) = a_read.reunite(b_write).unwrap_err();
        assert!(a_read.reunite(a_write).is_ok());
        assert!(b_read.reunite(b_write).is_ok());
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn connecting_to_a_closed_port_is_connection_refused() {
    run(async {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = closed.local_addr().unwrap();
        drop(closed);
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn connect_tries_each_address_until_one_answers() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let dead = closed.local_addr().unwrap();
        drop(closed);
        let addrs = [dead, listener.local_addr().unwrap()];
        let stream = TcpStream::connect(&addrs[..]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addrs[1]);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_peer_reset_is_an_error_on_the_next_read_and_write() {
    run(async {
        let (peer, mut stream) = tcp_pair().await;
        reset_on_close(&peer); // through coop's `AsRawFd`
        drop(peer); // sends RST

        let mut buf = [0; 16];
        let err = stream.read(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
        // The connection is dead: writing fails too (no panic, no signal).
        let mut write_failed = false;
        for _ in 0..10 {
            if stream.write_all(b"anyone?").await.is_err() {
                write_failed = true;
                break;
            }
        }
        assert!(write_failed, "writes to a reset connection must fail");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn reading_after_the_peer_shuts_down_writing_returns_zero() {
    run(async {
        let (client, mut server) = tcp_pair().await;
        client.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0; 16];
        assert_eq!(server.read(&mut buf).await.unwrap(), 0);
        assert_eq!(server.read(&mut buf).await.unwrap(), 0, "EOF stays EOF");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn writing_to_a_closed_peer_returns_an_error() {
    run(async {
        let (client, mut server) = tcp_pair().await;
        drop(client);
        // The first writes may land in the buffer before the peer's RST
        // comes back; within a few, the error shows.
        let chunk = vec![7u8; 64 * 1024];
        let mut result = Ok(());
        for _ in 0..100 {
            result = server.write_all(&chunk).await;
            if result.is_err() {
                break;
            }
            coop::time::sleep(Duration::from_millis(1)).await;
        }
        let err = result.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
            ),
            "{err:?}"
        );
        // Vectored writes (writev, no MSG_NOSIGNAL) fail the same way.
        let bufs = [IoSlice::new(b"a"), IoSlice::new(b"b")];
        assert!(server.write_vectored(&bufs).await.is_err());
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_half_closed_connection_still_delivers_the_rest() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(b"request").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        // The server reads to EOF, then answers on the still-open direction.
        let mut request = Vec::new();
        server.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"request");
        let reply = Rng::new(3).bytes(300 * 1024);
        server.write_all(&reply).await.unwrap();
        drop(server);
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert!(got == reply, "reply after half-close was cut short");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn vectored_writes_send_every_slice_in_order() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        let parts: [&[u8]; 3] = [b"one ", b"two ", b"three"];
        let mut slices = parts.map(IoSlice::new);
        let mut slices = &mut slices[..];
        while !slices.is_empty() {
            let n = client.write_vectored(slices).await.unwrap();
            IoSlice::advance_slices(&mut slices, n);
        }
        client.close().await.unwrap();
        let mut got = String::new();
        server.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "one two three");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn peek_leaves_the_data_for_the_next_read() {
    run(async {
        let (mut client, server) = tcp_pair().await;
        client.write_all(b"peekaboo").await.unwrap();
        let mut buf = [0; 8];
        let mut seen = 0;
        while seen < 8 {
            seen = server.peek(&mut buf).await.unwrap();
        }
        assert_eq!(&buf, b"peekaboo");
        let mut server = server;
        let mut again = [0; 8];
        server.read_exact(&mut again).await.unwrap();
        assert_eq!(&again, b"peekaboo");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn options_and_std_conversions_round_trip() {
    run(async {
        let (client, server) = tcp_pair().await;
        client.set_nodelay(true).unwrap();
        assert!(client.nodelay().unwrap());
        assert_eq!(client.local_addr().unwrap(), server.peer_addr().unwrap());

        let std_client = client.into_std().unwrap();
        let client = TcpStream::from_std(std_client).unwrap();
        let mut client = client;
        let mut server = server;
        client.write_all(b"still works").await.unwrap();
        let mut buf = [0; 11];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"still works");

        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let listener = TcpListener::from_std(std_listener).unwrap();
        let addr = listener.local_addr().unwrap();
        assert_eq!(listener.into_std().unwrap().local_addr().unwrap(), addr);
        let debug = format!("{client:?}");
        assert!(debug.starts_with("TcpStream"), "{debug}");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn binding_a_port_in_use_is_an_error() {
    run(async {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let err = TcpListener::bind(taken.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn sigpipe_is_ignored_so_broken_pipes_are_errors() {
    // Rust's runtime sets SIGPIPE to "ignore" before main; coop relies on it
    // for writes that cannot pass MSG_NOSIGNAL (writev, Unix streams).
    // SAFETY: a null new action only reads the current one into `old`.
    let old = unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        assert_eq!(
            libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old),
            0
        );
        old
    };
    assert_eq!(old.sa_sigaction, libc::SIG_IGN);
}

#[test]
#[cfg_attr(miri, ignore)]
fn readiness_survives_partial_reads_until_the_socket_is_drained() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(&[9; 100]).await.unwrap();
        // Wait until all 100 bytes are there, then read them in small bites.
        // epoll reported "readable" once; no new event comes, so each read
        // after the first must find the readiness still recorded.
        let mut peeked = [0; 100];
        while server.peek(&mut peeked).await.unwrap() < 100 {}
        let mut buf = [0; 10];
        for _ in 0..10 {
            let n = coop::time::timeout(Duration::from_secs(5), server.read(&mut buf))
                .await
                .expect("readiness was lost after a partial read")
                .unwrap();
            assert_eq!(n, 10);
        }
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn data_sent_after_a_short_read_is_still_read() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        let mut buf = [0; 100];
        for round in 1..=20u8 {
            // Each read gets less than the buffer holds (a drained socket,
            // so coop forgets the readiness); the next bytes must still wake
            // the reader, whether they arrive before or after it waits.
            client.write_all(&[round; 7]).await.unwrap();
            let n = coop::time::timeout(Duration::from_secs(5), server.read(&mut buf))
                .await
                .expect("data after a short read was not noticed")
                .unwrap();
            assert!(0 < n && n <= 7);
            assert!(buf[..n].iter().all(|&b| b == round));
            let mut rest = 7 - n;
            while rest > 0 {
                rest -= server.read(&mut buf[..rest]).await.unwrap();
            }
        }
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn spurious_polls_neither_complete_nor_lose_a_pending_read() {
    run(async {
        let (mut client, mut server) = tcp_pair().await;
        let mut buf = [0; 4];
        let mut read = std::pin::pin!(server.read(&mut buf));
        for _ in 0..10 {
            // Polled with nothing to read: Pending each time, no error.
            assert!(futures_util::poll!(read.as_mut()).is_pending());
        }
        client.write_all(b"real").await.unwrap();
        assert_eq!(read.await.unwrap(), 4);
        assert_eq!(&buf, b"real");
    });
}
