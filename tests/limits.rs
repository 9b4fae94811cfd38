//! Values at and beyond the limits of coop's public functions (issue 11,
//! "Panics and bad input"): each test shows what the function's docs
//! promise outside its range, a clear error or a documented panic message,
//! never a hang, an overflow or a lost byte.
//!
//! Every wait runs under [`within`] (or a coop `timeout`), so a hang fails
//! the test instead of hanging CI.

mod net_support;
mod support;

use std::io::ErrorKind;
use std::net::{Shutdown, SocketAddr};
use std::time::{Duration, Instant};

use coop::net::{TcpListener, TcpStream, UdpSocket};
use coop::sync::{mpsc, Semaphore};
use coop::time::{interval, interval_at, sleep, sleep_until, timeout};
use coop::{Builder, Runtime};
use futures_util::{AsyncReadExt, AsyncWriteExt, FutureExt};
use net_support::tcp_pair;
use support::{panic_message, within, GENEROUS};

/// Runs `future` on a fresh runtime on a watched thread.
fn run<F, T>(future: impl FnOnce() -> F + Send + 'static) -> T
where
    F: std::future::Future<Output = T> + 'static,
    T: Send + 'static,
{
    within(GENEROUS, move || Runtime::new().unwrap().block_on(future()))
}

// ---- time ------------------------------------------------------------------

#[test]
fn interval_with_a_zero_period_panics_saying_so() {
    let message = panic_message(|| drop(interval(Duration::ZERO)));
    assert!(message.contains("period greater than zero"), "{message}");
    let message = panic_message(|| drop(interval_at(Instant::now(), Duration::ZERO)));
    assert!(message.contains("period greater than zero"), "{message}");
}

/// `Duration::MAX` is "never": the deadline is capped (about thirty years
/// out) instead of overflowing `Instant`; the sleep stays pending while
/// other timers fire, and dropping it frees its slot.
#[test]
fn sleep_for_duration_max_never_fires_and_does_not_overflow() {
    run(|| async {
        let before = Instant::now();
        let mut forever = Box::pin(sleep(Duration::MAX));
        assert!(forever.deadline() > before + Duration::from_secs(86_400 * 365 * 10));
        assert!(futures_util::poll!(forever.as_mut()).is_pending());
        sleep(Duration::from_millis(5)).await;
        assert!(futures_util::poll!(forever.as_mut()).is_pending());
        assert!(!forever.is_elapsed());
        // Moved far again from a far deadline: still no overflow.
        let far = forever.deadline();
        forever.as_mut().reset(far);
        drop(forever);
    });
}

/// `timeout(Duration::MAX, f)` is `f`: a ready future wins, and a pending
/// one is not cut short.
#[test]
fn timeout_of_duration_max_is_no_timeout() {
    run(|| async {
        assert_eq!(timeout(Duration::MAX, async { 5 }).await, Ok(5));
        let never = timeout(Duration::MAX, std::future::pending::<()>());
        let raced = timeout(Duration::from_millis(10), never).await;
        assert!(raced.is_err(), "the outer, short timeout fired first");
        // A deadline far beyond `now + Duration::MAX`'s cap works too.
        let far = Instant::now() + Duration::from_secs(86_400 * 365 * 100);
        let ready = coop::time::timeout_at(far, async { 6 }).await;
        assert_eq!(ready, Ok(6));
        let mut far_sleep = Box::pin(sleep_until(far));
        assert!(futures_util::poll!(far_sleep.as_mut()).is_pending());
    });
}

/// On a paused clock the loop jumps to the next timer when idle; a
/// `Duration::MAX` sleep is capped, so it jumps about thirty years and
/// completes instead of overflowing. `advance(Duration::MAX)` is capped
/// the same way.
#[test]
fn paused_clock_caps_huge_sleeps_and_advances() {
    within(GENEROUS, || {
        let rt = Builder::new().start_paused(true).build().unwrap();
        rt.block_on(async {
            let start = coop::time::now();
            sleep(Duration::MAX).await;
            let jumped = coop::time::now() - start;
            assert!(
                jumped > Duration::from_secs(86_400 * 365 * 10),
                "{jumped:?}"
            );
            coop::time::advance(Duration::MAX).await;
            assert!(coop::time::now() > start + jumped);
        });
    });
}

// ---- Builder ---------------------------------------------------------------

#[test]
fn builder_zero_sizes_are_refused_naming_the_setting() {
    for (name, build) in [
        (
            "event_interval",
            (|| drop(Builder::new().event_interval(0))) as fn(),
        ),
        ("budget", || drop(Builder::new().budget(0))),
        ("max_blocking_threads", || {
            drop(Builder::new().max_blocking_threads(0))
        }),
    ] {
        let message = panic_message(build);
        assert!(
            message.contains(name) && message.contains("at least 1"),
            "{name}: {message}"
        );
    }
}

/// The smallest legal values work: one event tick, one unit of budget, one
/// blocking thread, no keep-alive.
#[test]
fn builder_minimum_values_run_tasks_timers_and_blocking_jobs() {
    within(GENEROUS, || {
        let rt = Builder::new()
            .event_interval(1)
            .budget(1)
            .max_blocking_threads(1)
            .thread_keep_alive(Duration::ZERO)
            .build()
            .unwrap();
        let sum = rt.block_on(async {
            let jobs: Vec<_> = (0..4).map(|i| coop::spawn_blocking(move || i)).collect();
            let task = coop::spawn(async {
                sleep(Duration::from_millis(1)).await;
                10
            });
            let mut sum = task.await.unwrap();
            for job in jobs {
                sum += job.await.unwrap();
            }
            sum
        });
        assert_eq!(sum, 16);
    });
}

/// A `Duration::MAX` keep-alive: idle workers wait "forever", yet the
/// runtime's drop still ends them (no overflow in the condvar wait).
#[test]
fn builder_keep_alive_of_duration_max_still_shuts_down() {
    within(GENEROUS, || {
        let rt = Builder::new()
            .thread_keep_alive(Duration::MAX)
            .build()
            .unwrap();
        let job = rt.handle().spawn_blocking(|| 3);
        assert_eq!(rt.block_on(job).unwrap(), 3);
        drop(rt);
    });
}

/// A `shutdown_timeout` of `Duration::MAX` waits for running jobs (no
/// overflow); `Duration::ZERO` leaves them to finish on their own.
#[test]
fn shutdown_timeout_accepts_zero_and_duration_max() {
    within(GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let (started, running) = std::sync::mpsc::channel();
        let job = rt.handle().spawn_blocking(move || {
            started.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(20));
        });
        running.recv().unwrap(); // a job not started yet would be cancelled
        rt.shutdown_timeout(Duration::MAX);
        assert!(job.now_or_never().unwrap().is_ok(), "waited for the job");

        let rt = Runtime::new().unwrap();
        let (started, running) = std::sync::mpsc::channel();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let job = rt.handle().spawn_blocking(move || {
            started.send(()).unwrap();
            rx.recv_timeout(GENEROUS)
        });
        running.recv().unwrap();
        let start = Instant::now();
        rt.shutdown_timeout(Duration::ZERO);
        assert!(start.elapsed() < GENEROUS / 2);
        drop(tx); // the job ends; its result goes nowhere
        drop(job);
    });
}

/// A name that `std::thread` refuses (an interior NUL byte) is refused by
/// the builder, at the caller's line, instead of panicking later inside
/// `spawn_blocking` with the pool's lock held.
#[test]
fn a_thread_name_with_a_nul_byte_is_refused_by_the_builder() {
    let message = panic_message(|| drop(Builder::new().thread_name("bad\0name")));
    assert!(
        message.contains("thread_name") && message.contains("NUL"),
        "{message}"
    );
}

/// `thread_name_fn` is user code the pool calls when it starts a worker:
/// a panic there, or a name with a NUL byte, must not lose the job nor
/// wedge the pool. The worker gets the default name instead.
#[test]
fn a_thread_name_fn_that_panics_or_returns_a_bad_name_falls_back_to_the_default() {
    within(GENEROUS, || {
        for bad in [(|| panic!("name fn")) as fn() -> String, || "nul\0".into()] {
            let rt = Builder::new().thread_name_fn(bad).build().unwrap();
            let name = rt.block_on(async {
                coop::spawn_blocking(|| std::thread::current().name().map(String::from))
                    .await
                    .unwrap()
            });
            assert_eq!(name.as_deref(), Some("coop-blk-0"));
            let after = rt.handle().spawn_blocking(|| 1);
            assert_eq!(rt.block_on(after).unwrap(), 1);
        }
    });
}

// ---- sync ------------------------------------------------------------------

/// tokio panics on `channel(0)` too ("mpsc bounded channel requires
/// buffer > 0"); coop's message says what to use instead.
#[test]
fn a_zero_capacity_channel_panics_pointing_at_unbounded_channel() {
    let message = panic_message(|| drop(mpsc::channel::<u8>(0)));
    assert!(
        message.contains("at least 1") && message.contains("unbounded_channel"),
        "{message}"
    );
    let message = panic_message(|| drop(mpsc::channel::<u8>(Semaphore::MAX_PERMITS + 1)));
    assert!(message.contains("mpsc::channel"), "{message}");
    // The largest legal capacity is fine, and allocates nothing up front
    // beyond a small queue.
    let (tx, rx) = mpsc::channel::<u8>(Semaphore::MAX_PERMITS);
    assert_eq!(tx.capacity(), Semaphore::MAX_PERMITS);
    drop((tx, rx));
}

#[test]
fn semaphore_permit_limits_panic_with_the_limit() {
    let max = Semaphore::MAX_PERMITS;
    let message = panic_message(|| drop(Semaphore::new(max + 1)));
    assert!(message.contains(&max.to_string()), "{message}");
    let full = Semaphore::new(max);
    assert_eq!(full.available_permits(), max);
    let message = panic_message(|| full.add_permits(1));
    assert!(message.contains(&max.to_string()), "{message}");
    assert_eq!(
        full.available_permits(),
        max,
        "a refused add changes nothing"
    );
}

/// Zero permits: `acquire_many(0)` is ready at once even on an empty
/// semaphore; asking for more than exist fails `try_` and waits otherwise.
#[test]
fn semaphore_zero_and_too_many_permits() {
    run(|| async {
        let sem = Semaphore::new(0);
        let none = sem.acquire_many(0).now_or_never().unwrap().unwrap();
        assert_eq!(none.num_permits(), 0);
        drop(none);
        assert!(sem.try_acquire_many(0).is_ok());
        let sem = Semaphore::new(2);
        assert!(sem.try_acquire_many(3).is_err());
        assert!(timeout(Duration::from_millis(5), sem.acquire_many(3))
            .await
            .is_err());
        assert_eq!(sem.available_permits(), 2, "the cancelled waiter took none");
    });
}

// ---- net: addresses --------------------------------------------------------

#[test]
fn unparsable_and_unresolvable_addresses_are_errors_not_panics() {
    run(|| async {
        for bad in ["not an address", "127.0.0.1", "127.0.0.1:99999"] {
            let err = TcpStream::connect(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
            let err = TcpListener::bind(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
            let err = UdpSocket::bind(bad).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}: {err}");
        }
        // `.invalid` never resolves (RFC 2606), nor does an empty host; the
        // resolver's error kind varies by libc, so only "an error" is
        // asserted.
        for unresolvable in ["no-such-host.invalid:80", ":80"] {
            assert!(TcpStream::connect(unresolvable).await.is_err());
            assert!(TcpListener::bind(unresolvable).await.is_err());
        }
        // No address at all.
        let none: &[SocketAddr] = &[];
        let err = TcpStream::connect(none).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("could not resolve"), "{err}");
    });
}

#[test]
fn binding_a_port_in_use_is_addr_in_use() {
    run(|| async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let err = TcpListener::bind(first.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        let udp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let err = UdpSocket::bind(udp.local_addr().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
        // The first listener still accepts.
        let client = TcpStream::connect(first.local_addr().unwrap())
            .await
            .unwrap();
        let (_server, peer) = first.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
    });
}

#[test]
fn connecting_to_a_closed_port_is_connection_refused() {
    run(|| async {
        let addr = {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap()
        }; // closed: nothing listens there now
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
        // Two addresses, the first refused: the second is tried.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let good = listener.local_addr().unwrap();
        let stream = TcpStream::connect(&[addr, good][..]).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), good);
    });
}

// ---- net: streams ----------------------------------------------------------

/// After `shutdown(Write)` a write fails with `BrokenPipe` at once (no
/// hang), and the peer reads every byte written before it, then EOF.
#[test]
fn writes_after_shutdown_write_fail_and_lose_no_earlier_byte() {
    run(|| async {
        let (mut client, mut server) = tcp_pair().await;
        client.write_all(b"before").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let err = client.write(b"after").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        let err = client.write_all(b"after").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BrokenPipe, "{err}");
        // `close` after a shutdown is fine (already closed for writing).
        client.close().await.unwrap();
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"before");
        // The other direction still works.
        server.write_all(b"reply").await.unwrap();
        let mut reply = [0; 5];
        client.read_exact(&mut reply).await.unwrap();
        assert_eq!(&reply, b"reply");
    });
}

/// A read into an empty buffer returns `Ok(0)` at once, whether or not
/// data is waiting, and consumes nothing; a write of nothing writes 0.
#[test]
fn reads_into_empty_buffers_return_zero_at_once_without_consuming() {
    run(|| async {
        let (mut client, mut server) = tcp_pair().await;
        // Nothing sent yet: must not wait for readability.
        let idle = timeout(Duration::from_secs(5), server.read(&mut []))
            .await
            .expect("an empty read does not wait");
        assert_eq!(idle.unwrap(), 0);
        client.write_all(b"data").await.unwrap();
        let mut one = [0; 1];
        server.read_exact(&mut one).await.unwrap(); // data has arrived
        assert_eq!(server.read(&mut []).await.unwrap(), 0);
        assert_eq!(client.write(&[]).await.unwrap(), 0);
        let mut rest = [0; 3];
        server.read_exact(&mut rest).await.unwrap();
        assert_eq!((&one, &rest), (b"d", b"ata"), "nothing consumed");
        // And after EOF as well.
        client.close().await.unwrap();
        assert_eq!(server.read(&mut []).await.unwrap(), 0);
        assert_eq!(server.read(&mut [0; 4]).await.unwrap(), 0);
    });
}

/// A datagram socket has no stream to leave bytes in: as `recv(2)`, an
/// empty buffer takes the next datagram and returns 0 (documented on
/// `UdpSocket::recv`); the datagram after it is intact.
#[test]
fn udp_recv_into_an_empty_buffer_takes_one_datagram() {
    run(|| async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        a.send(b"one").await.unwrap();
        a.send(b"two").await.unwrap();
        assert_eq!(b.recv(&mut []).await.unwrap(), 0);
        let mut buf = [0; 8];
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"two");
        assert_eq!(a.send(&[]).await.unwrap(), 0, "an empty datagram is legal");
        let n = b.recv(&mut buf).await.unwrap();
        assert_eq!(n, 0);
    });
}

/// A datagram too large for UDP fails at once with the OS's error (no
/// wait, no panic); the socket stays usable.
#[test]
fn an_oversized_udp_datagram_is_an_error_and_the_socket_goes_on() {
    run(|| async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        let huge = vec![0u8; 70_000];
        let err = a.send(&huge).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMSGSIZE), "{err}");
        let err = a.send_to(&huge, b.local_addr().unwrap()).await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMSGSIZE), "{err}");
        assert_eq!(a.send(b"small").await.unwrap(), 5);
        let mut buf = [0; 8];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
    });
}

/// A Unix stream shares the TCP stream's read path: an empty read is
/// `Ok(0)` at once there too.
#[test]
fn unix_stream_reads_into_empty_buffers_return_zero_at_once() {
    run(|| async {
        let (mut a, mut b) = coop::net::UnixStream::pair().unwrap();
        let idle = timeout(Duration::from_secs(5), a.read(&mut []))
            .await
            .expect("an empty read does not wait");
        assert_eq!(idle.unwrap(), 0);
        b.write_all(b"x").await.unwrap();
        let mut one = [0; 1];
        a.read_exact(&mut one).await.unwrap();
        assert_eq!(&one, b"x");
    });
}

/// Unix socket paths: one longer than `sun_path` (108 bytes) is
/// `InvalidInput`, one with a NUL byte too; binding a path that exists is
/// `AddrInUse`; connecting to a path nobody listens on is `NotFound`, and
/// to a socket file whose listener is gone, `ConnectionRefused`.
#[test]
fn bad_unix_socket_paths_are_errors_not_panics() {
    use coop::net::{UnixDatagram, UnixListener, UnixStream};
    run(|| async {
        let long = std::env::temp_dir().join("x".repeat(200));
        assert_eq!(
            UnixListener::bind(&long).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixStream::connect(&long).await.unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixDatagram::bind(&long).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        assert_eq!(
            UnixListener::bind("nul\0byte").unwrap_err().kind(),
            ErrorKind::InvalidInput
        );

        let path = net_support::socket_path("limits");
        let listener = UnixListener::bind(&path).unwrap();
        assert_eq!(
            UnixListener::bind(&path).unwrap_err().kind(),
            ErrorKind::AddrInUse
        );
        drop(listener); // the file stays, nobody listens
        assert_eq!(
            UnixStream::connect(&path).await.unwrap_err().kind(),
            ErrorKind::ConnectionRefused
        );
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            UnixStream::connect(&path).await.unwrap_err().kind(),
            ErrorKind::NotFound
        );
    });
}
