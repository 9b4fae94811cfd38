//! Paused time (`Builder::start_paused`, `time::pause/resume/advance`):
//! an hour-long timeout takes no wall time, sleeps fire in exact deadline
//! order, `advance` fires exactly the due timers, an interval ticks exactly,
//! a ready socket is served before the clock jumps, and misuse panics.

mod support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use coop::time::{advance, interval, now, sleep, timeout};
use coop::Runtime;
use support::{panic_message, within};

const SEC: Duration = Duration::from_secs(1);

fn paused() -> Runtime {
    coop::Builder::new()
        .start_paused(true)
        .build()
        .expect("runtime builds")
}

#[test]
fn an_hour_long_timeout_takes_well_under_a_second() {
    within(Duration::from_secs(30), || {
        let wall = Instant::now();
        let (elapsed, virtual_time) = paused().block_on(async {
            let start = now();
            let r = timeout(3600 * SEC, std::future::pending::<()>()).await;
            (r.is_err(), now() - start)
        });
        assert!(elapsed, "the pending future timed out");
        assert_eq!(
            virtual_time,
            3600 * SEC,
            "the clock jumped exactly to the deadline"
        );
        assert!(
            wall.elapsed() < SEC,
            "took {:?} of wall time",
            wall.elapsed()
        );
    });
}

#[test]
fn many_sleeps_finish_in_exact_deadline_order_at_exact_times() {
    within(Duration::from_secs(30), || {
        let log = Rc::new(RefCell::new(Vec::new()));
        let rt = paused();
        let got = rt.block_on({
            let log = log.clone();
            async move {
                let start = now();
                let mut handles = Vec::new();
                // Deadlines spawned out of order: 7, 14, 0, 21, ... minutes.
                for i in 0..50u64 {
                    let mins = (i * 7) % 50;
                    let log = log.clone();
                    handles.push(coop::spawn(async move {
                        sleep(Duration::from_secs(60 * mins)).await;
                        log.borrow_mut().push((mins, now() - start));
                    }));
                }
                for h in handles {
                    h.await.expect("sleeper finishes");
                }
                log.borrow().clone()
            }
        });
        let expected: Vec<_> = (0..50u64)
            .map(|m| (m, Duration::from_secs(60 * m)))
            .collect();
        assert_eq!(got, expected);
    });
}

#[test]
fn advance_fires_exactly_the_due_timers() {
    within(Duration::from_secs(30), || {
        paused().block_on(async {
            let fired = Rc::new(RefCell::new(Vec::new()));
            for secs in [1u64, 2, 3, 10] {
                let fired = fired.clone();
                drop(coop::spawn(async move {
                    sleep(Duration::from_secs(secs)).await;
                    fired.borrow_mut().push(secs);
                }));
            }
            coop::yield_now().await; // the sleepers register their timers
            advance(Duration::from_secs(2)).await;
            coop::yield_now().await;
            assert_eq!(*fired.borrow(), [1, 2], "only the timers due by t=2s");
            advance(Duration::from_millis(999)).await;
            coop::yield_now().await;
            assert_eq!(*fired.borrow(), [1, 2], "t=2.999s: the 3s timer is not due");
            advance(Duration::from_millis(1)).await;
            coop::yield_now().await;
            assert_eq!(*fired.borrow(), [1, 2, 3]);
        });
    });
}

#[test]
fn an_interval_ticks_exactly_on_its_period() {
    within(Duration::from_secs(30), || {
        paused().block_on(async {
            let start = now();
            let mut ticks = interval(90 * SEC);
            for n in 0..20u32 {
                let at = ticks.tick().await;
                assert_eq!(at - start, 90 * SEC * n);
                assert_eq!(now() - start, 90 * SEC * n, "tick {n} on time, no drift");
            }
        });
    });
}

#[test]
fn pause_and_resume_inside_a_real_runtime() {
    within(Duration::from_secs(30), || {
        coop::block_on(async {
            coop::time::pause();
            let wall = Instant::now();
            let start = now();
            sleep(24 * 3600 * SEC).await;
            assert_eq!(now() - start, 24 * 3600 * SEC);
            coop::time::resume();
            let resumed = now();
            sleep(Duration::from_millis(20)).await; // real time again
            assert!(now() - resumed >= Duration::from_millis(20));
            assert!(wall.elapsed() >= Duration::from_millis(20));
            assert!(wall.elapsed() < 600 * SEC);
        });
    });
}

#[test]
fn a_ready_socket_is_served_before_the_clock_jumps() {
    use coop::net::{TcpListener, TcpStream};
    use futures_util::{AsyncReadExt, AsyncWriteExt};
    within(Duration::from_secs(30), || {
        paused().block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let addr = listener.local_addr().expect("addr");
            let mut client = TcpStream::connect(addr).await.expect("connect");
            let (mut server, _) = listener.accept().await.expect("accept");
            let start = now();
            client.write_all(b"ping").await.expect("write");
            let mut buf = [0u8; 4];
            // The bytes are already readable: the loop sees the event in its
            // zero-timeout look at the reactor and does not jump an hour.
            let read = timeout(3600 * SEC, server.read_exact(&mut buf)).await;
            assert!(read.is_ok(), "the read won, not the hour-long timeout");
            assert_eq!(&buf, b"ping");
            assert_eq!(now(), start, "the clock did not move while I/O was ready");
        });
    });
}

#[test]
fn misuse_panics_say_what_to_do() {
    let msg = panic_message(coop::time::pause);
    assert!(msg.contains("outside a coop runtime"), "{msg}");
    let msg = panic_message(|| coop::block_on(async { coop::time::resume() }));
    assert!(msg.contains("not paused"), "{msg}");
    let msg = panic_message(|| paused().block_on(async { coop::time::pause() }));
    assert!(msg.contains("already paused"), "{msg}");
    let msg = panic_message(|| coop::block_on(advance(SEC)));
    assert!(
        msg.contains("not paused") && msg.contains("start_paused"),
        "{msg}"
    );
}
