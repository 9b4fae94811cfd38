//! In-crate tests of how sockets sit on the reactor: slots freed on drop,
//! stale tokens ignored, error and shutdown states that must not spin.
//! They look at reactor internals (`source_count`, tokens), which the
//! integration tests in `tests/` cannot see. Real sockets: not for Miri.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use crate::net::{TcpListener, TcpStream, UdpSocket, UnixDatagram, UnixStream};
use crate::reactor::{Direction, IoHandle, KEY_MASK};
use crate::Runtime;

fn io_handle() -> Arc<IoHandle> {
    crate::context::with_core("test", |core| core.io_handle().clone())
}

fn source_count() -> usize {
    io_handle().source_count()
}

/// Counts its wake-ups.
#[derive(Default)]
struct CountingWaker(AtomicUsize);

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Polls `fut` and counts the polls.
async fn count_polls<F: Future>(fut: F, polls: &AtomicUsize) -> F::Output {
    let mut fut = pin!(fut);
    poll_fn(|cx| {
        polls.fetch_add(1, Ordering::SeqCst);
        fut.as_mut().poll(cx)
    })
    .await
}

#[test]
fn sockets_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TcpListener>();
    assert_send_sync::<TcpStream>();
    assert_send_sync::<UdpSocket>();
    assert_send_sync::<UnixStream>();
    assert_send_sync::<UnixDatagram>();
    assert_send_sync::<crate::net::UnixListener>();
    assert_send_sync::<crate::net::tcp::OwnedReadHalf>();
    assert_send_sync::<crate::net::tcp::OwnedWriteHalf>();
    assert_send_sync::<crate::net::tcp::ReadHalf<'static>>();
    assert_send_sync::<crate::net::unix::OwnedWriteHalf>();
}

#[test]
#[cfg_attr(miri, ignore)]
fn dropping_a_socket_frees_its_reactor_slot() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let before = source_count();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let (read, write) = server.into_split();
        assert_eq!(source_count(), before + 3);
        drop(client);
        drop(read);
        assert_eq!(source_count(), before + 2, "one owned half keeps it");
        drop(write);
        drop(listener);
        assert_eq!(source_count(), before);
        // into_std hands the socket back and frees the slot too.
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        assert_eq!(source_count(), before + 1);
        let _std = udp.into_std().unwrap();
        assert_eq!(source_count(), before);
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_stale_token_never_wakes_the_new_owner_of_its_slot() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let handle = io_handle();
        // Socket A, plus a duplicate of its descriptor. epoll registrations
        // belong to the open file, so while the duplicate lives, epoll keeps
        // reporting events for A under A's token: a stale token, on demand.
        let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        a.set_nonblocking(true).unwrap();
        let a_addr = a.local_addr().unwrap();
        let _dup = a.try_clone().unwrap();
        let mut a = mio::net::UdpSocket::from_std(a);
        let io_a = handle.register(&mut a, mio::Interest::READABLE).unwrap();
        // Free A's slot without telling epoll, then close A's descriptor.
        handle.release(&io_a);
        drop(a);

        // B takes the same slot, with a new generation.
        let mut b = mio::net::UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let b_addr = b.local_addr().unwrap();
        let io_b = handle.register(&mut b, mio::Interest::READABLE).unwrap();
        assert_eq!(io_b.token & KEY_MASK, io_a.token & KEY_MASK, "slot reused");
        assert_ne!(io_b.token, io_a.token, "generation differs");

        let counter = Arc::new(CountingWaker::default());
        let waker = Waker::from(counter.clone());
        let mut cx = Context::from_waker(&waker);
        assert!(io_b.poll_ready(&mut cx, Direction::Read, None).is_pending());

        // An event for A's old token: the reactor must drop it.
        let sender = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sender.send_to(b"to the old owner", a_addr).unwrap();
        crate::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(counter.0.load(Ordering::SeqCst), 0, "B woken by A's event");
        assert!(io_b.poll_ready(&mut cx, Direction::Read, None).is_pending());

        // Control: B's own event does wake it.
        sender.send_to(b"to the new owner", b_addr).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while counter.0.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
            crate::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
        assert!(io_b.poll_ready(&mut cx, Direction::Read, None).is_ready());
        handle.deregister(&mut b, &io_b).unwrap();
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_udp_error_is_reported_once_then_the_socket_waits_without_spinning() {
    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let closed = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let closed_addr = closed.local_addr().unwrap();
        drop(closed);
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        socket.connect(closed_addr).await.unwrap();
        socket.send(b"anyone?").await.unwrap();
        let mut buf = [0; 16];
        let err = socket.recv(&mut buf).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);

        // The error is gone; the next recv must park, not spin on a stale
        // error flag (which would poll it thousands of times).
        let polls = AtomicUsize::new(0);
        let waited = crate::time::timeout(
            Duration::from_millis(100),
            count_polls(socket.recv(&mut buf), &polls),
        )
        .await;
        assert!(waited.is_err(), "nothing was sent: recv must time out");
        let polls = polls.load(Ordering::SeqCst);
        assert!(polls <= 3, "recv was polled {polls} times while waiting");
    });
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_socket_that_outlives_its_runtime_fails_instead_of_hanging() {
    let first = Runtime::new().unwrap();
    let (a, b) = first.block_on(async { UnixDatagram::pair().unwrap() });
    drop(first);
    let second = Runtime::new().unwrap();
    let result = second.block_on(crate::time::timeout(Duration::from_secs(10), async {
        let mut buf = [0; 4];
        a.recv(&mut buf).await
    }));
    let err = result.expect("recv hung").unwrap_err();
    assert!(err.to_string().contains("shut down"), "{err}");
    drop((a, b));
}
