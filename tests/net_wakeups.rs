//! No lost wake-ups on sockets: several tasks waiting in one socket's
//! `&self` operations are each woken; a short read that stopped at urgent
//! data or at a message carrying a file descriptor is not taken for the
//! end of the data; after a socket error a full send buffer makes the task
//! sleep, not spin. Each wait has its own timeout, so a lost wake-up fails
//! the test within seconds instead of hanging it.

mod net_support;
mod support;

use std::cell::Cell;
use std::future::Future;
use std::io::{IoSlice, Write};
use std::mem::MaybeUninit;
use std::os::fd::AsFd;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use coop::net::{TcpListener, UdpSocket, UnixDatagram, UnixStream};
use coop::time::{sleep, timeout};
use futures_util::future::{self, Either};
use futures_util::AsyncReadExt;
use net_support::{run, socket_path};
use rustix::net::{SendAncillaryBuffer, SendAncillaryMessage, SendFlags};
use support::count_polls;

/// How long one wait may take before its wake-up counts as lost.
const LOST: Duration = Duration::from_secs(10);

/// `future`'s output, or `None` if it did not finish within [`LOST`]. The
/// timer is polled first: a task woken only by it (its socket wake-up was
/// lost) must not get to finish the operation on that late poll.
async fn unless_lost<F: Future>(future: F) -> Option<F::Output> {
    match future::select(pin!(sleep(LOST)), pin!(future)).await {
        Either::Left(((), _)) => None,
        Either::Right((output, _)) => Some(output),
    }
}

/// Lets spawned tasks run until they park in their operation.
async fn settle() {
    sleep(Duration::from_millis(50)).await;
}

#[test]
fn two_tasks_accepting_on_one_listener_each_get_a_connection() {
    run(async {
        let listener = Rc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let listener = listener.clone();
                coop::spawn(async move { unless_lost(listener.accept()).await })
            })
            .collect();
        settle().await; // both wait in accept
        let _clients: Vec<_> = (0..2)
            .map(|_| std::net::TcpStream::connect(addr).unwrap())
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            let accepted = task.await.unwrap();
            accepted
                .unwrap_or_else(|| panic!("acceptor {i} never woken: wake-up lost"))
                .unwrap();
        }
    });
}

#[test]
fn forty_tasks_receiving_on_one_udp_socket_each_get_a_datagram() {
    // More waiters than one wake batch (32), and one that gives up while
    // waiting: its entry must go without taking the others' wake-ups along.
    run(async {
        let socket = Rc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
        let addr = socket.local_addr().unwrap();
        let received = Rc::new(Cell::new(0));
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let (socket, received) = (socket.clone(), received.clone());
                coop::spawn(async move {
                    let mut buf = [0; 16];
                    let n = unless_lost(socket.recv(&mut buf)).await;
                    received.set(received.get() + 1);
                    n
                })
            })
            .collect();
        let quitter = {
            let socket = socket.clone();
            coop::spawn(async move {
                let mut buf = [0; 16];
                timeout(Duration::from_millis(20), socket.recv(&mut buf)).await
            })
        };
        settle().await;
        assert!(quitter.await.unwrap().is_err(), "nothing was sent yet");
        assert_eq!(received.get(), 0);
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        for i in 0..40u8 {
            sender.send_to(&[i], addr).unwrap();
        }
        for (i, task) in tasks.into_iter().enumerate() {
            let n = task.await.unwrap();
            let n = n.unwrap_or_else(|| panic!("receiver {i} never woken: wake-up lost"));
            assert_eq!(n.unwrap(), 1);
        }
    });
}

#[test]
fn a_tcp_read_that_stops_at_urgent_data_is_not_the_end() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut peer = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut reader, _) = listener.accept().await.unwrap();
        // All of it is queued before the first read: no later edge comes.
        peer.write_all(b"before").unwrap();
        rustix::net::send(&peer, b"!", SendFlags::OOB).unwrap();
        peer.write_all(b"after").unwrap();
        settle().await;
        let got = read_twice(&mut reader).await;
        assert_eq!(got, b"beforeafter", "the urgent byte is out of band");
    });
}

#[test]
fn a_unix_stream_read_that_stops_at_a_message_with_a_descriptor_is_not_the_end() {
    run(async {
        let (peer, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut reader = UnixStream::from_std(theirs).unwrap();
        let passed = std::fs::File::open("/dev/null").unwrap();
        let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = SendAncillaryBuffer::new(&mut space);
        let fds = [passed.as_fd()];
        assert!(control.push(SendAncillaryMessage::ScmRights(&fds)));
        rustix::net::sendmsg(
            &peer,
            &[IoSlice::new(b"with fd ")],
            &mut control,
            SendFlags::empty(),
        )
        .unwrap();
        (&peer).write_all(b"and more").unwrap();
        settle().await;
        let got = read_twice(&mut reader).await;
        assert_eq!(got, b"with fd and more");
    });
}

#[test]
fn a_unix_stream_read_that_stops_at_out_of_band_data_is_not_the_end() {
    run(async {
        let (mut peer, theirs) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut reader = UnixStream::from_std(theirs).unwrap();
        peer.write_all(b"before").unwrap();
        match rustix::net::send(&peer, b"!", SendFlags::OOB) {
            Ok(_) => {}
            // A kernel without AF_UNIX MSG_OOB (before 5.15, or built
            // without it): nothing to test.
            Err(e) => return eprintln!("skipped: AF_UNIX MSG_OOB unsupported ({e})"),
        }
        peer.write_all(b"after").unwrap();
        settle().await;
        let got = read_twice(&mut reader).await;
        assert_eq!(got, b"beforeafter");
    });
}

/// Two reads with a large buffer, the second under [`LOST`]: the first
/// stops early (at the mark or message), the second must get the rest.
async fn read_twice(stream: &mut (impl futures_util::AsyncRead + Unpin)) -> Vec<u8> {
    let mut buf = [0; 4096];
    let n = stream.read(&mut buf).await.unwrap();
    let mut got = buf[..n].to_vec();
    let n = unless_lost(stream.read(&mut buf))
        .await
        .expect("the data after the short read never came: wake-up lost")
        .unwrap();
    got.extend_from_slice(&buf[..n]);
    got
}

#[test]
fn after_a_socket_error_a_full_send_buffer_sleeps_instead_of_spinning() {
    run(async {
        // `a` and `b` are connected to each other; `b` connects elsewhere
        // with `a`'s message unread, which hands `a` an ECONNRESET (an
        // EPOLLERR with EPOLLOUT: mio's "write closed"); then `b` connects
        // back, so `a` can send again until its buffer is full.
        use std::os::unix::net::UnixDatagram as StdDatagram;
        let (a_path, b_path, c_path) = (
            socket_path("err-a"),
            socket_path("err-b"),
            socket_path("err-c"),
        );
        let (a, b, _c) = (
            StdDatagram::bind(&a_path).unwrap(),
            StdDatagram::bind(&b_path).unwrap(),
            StdDatagram::bind(&c_path).unwrap(),
        );
        a.connect(&b_path).unwrap();
        b.connect(&a_path).unwrap();
        let a = UnixDatagram::from_std(a).unwrap();
        a.send(b"unread").await.unwrap();
        b.connect(&c_path).unwrap();
        b.connect(&a_path).unwrap();
        settle().await;

        // The error is reported once ...
        let err = a.send(b"x").await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset, "{err}");
        // ... then fill `b`'s queue until a send has to wait.
        let (waited, polls) = loop {
            let (send, polls) = count_polls(Box::pin(a.send(b"fill")));
            match timeout(Duration::from_millis(300), send).await {
                Ok(sent) => assert_eq!(sent.unwrap(), 4),
                Err(_) => break (true, polls.get()),
            }
        };
        assert!(waited);
        // A stale error bit makes every poll find "ready", hit WouldBlock
        // and go round again: thousands of polls in 300 ms.
        assert!(
            polls <= 5,
            "the waiting send was polled {polls} times: it spins"
        );
        drop(b);
        for path in [a_path, b_path, c_path] {
            let _ = std::fs::remove_file(path);
        }
    });
}
