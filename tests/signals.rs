//! Unix signals through the reactor: real signals sent to this test
//! process reach the `Signal`s listening for them, every listener of a
//! kind is woken, deliveries coalesce but are never lost (not even by a
//! dropped `recv`), and `ctrl_c` in a child process sees a real `SIGINT`.
//!
//! Tests in this file run in parallel threads of one process, and a signal
//! goes to the whole process, so each test uses a signal of its own.

mod support;

use std::io::{BufRead, BufReader};
use std::pin::pin;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use coop::signal::unix::{signal, SignalKind};
use support::{panic_message, within, GENEROUS};

/// Sends `signum` to this whole process (the kernel picks the thread).
fn kill_self(signum: libc::c_int) {
    // SAFETY: `kill` and `getpid` have no memory-safety preconditions;
    // every caller listens for `signum` before sending it.
    let rc = unsafe { libc::kill(libc::getpid(), signum) };
    assert_eq!(rc, 0, "kill failed: {}", std::io::Error::last_os_error());
}

/// Sends `signum` to this very thread: unlike `kill`, which any thread of
/// the process may take later, `raise` runs the handler before it returns,
/// so two raises are both handled before the next line (what a test of
/// coalescing needs).
fn raise_here(signum: libc::c_int) {
    // SAFETY: `raise` has no memory-safety preconditions; every caller
    // listens for `signum` before sending it.
    let rc = unsafe { libc::raise(signum) };
    assert_eq!(rc, 0, "raise failed: {}", std::io::Error::last_os_error());
}

/// How long "nothing more arrives" is watched for: a missing coalescing
/// or a stale byte would show up at once, so this only needs to be long
/// enough for a wake-up to be processed.
const QUIET: Duration = Duration::from_millis(300);

#[test]
fn a_sigusr1_sent_while_the_loop_sleeps_in_epoll_is_received() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut usr1 = signal(SignalKind::user_defined1()).unwrap();
            // From another thread, after the loop has parked: the wake-up
            // must come from the self-pipe, not from a poll that happened
            // to run.
            let sender = thread::spawn(|| {
                thread::sleep(Duration::from_millis(100));
                kill_self(libc::SIGUSR1);
            });
            let started = Instant::now();
            assert_eq!(usr1.recv().await, Some(()));
            assert!(
                started.elapsed() >= Duration::from_millis(90),
                "received before it was sent"
            );
            sender.join().unwrap();
        });
    });
}

#[test]
fn every_listener_of_a_kind_is_woken_by_one_delivery() {
    within(GENEROUS, || {
        coop::block_on(async {
            let waiters: Vec<_> = (0..3)
                .map(|_| {
                    let mut usr2 = signal(SignalKind::user_defined2()).unwrap();
                    coop::spawn(async move { usr2.recv().await })
                })
                .collect();
            // Let all three park in `recv` before the one delivery.
            coop::time::sleep(Duration::from_millis(50)).await;
            kill_self(libc::SIGUSR2);
            for waiter in waiters {
                assert_eq!(waiter.await.unwrap(), Some(()));
            }
        });
    });
}

#[test]
fn deliveries_before_a_recv_coalesce_and_a_stale_wake_reports_nothing() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut winch = signal(SignalKind::window_change()).unwrap();
            raise_here(libc::SIGWINCH);
            raise_here(libc::SIGWINCH);
            assert_eq!(winch.recv().await, Some(()));
            // Two sends, one report: nothing is left for a second recv.
            let second = coop::time::timeout(QUIET, winch.recv()).await;
            assert!(second.is_err(), "coalesced deliveries were reported twice");
            // And the listener still works after that.
            kill_self(libc::SIGWINCH);
            assert_eq!(winch.recv().await, Some(()));
        });
    });
}

#[test]
fn a_recv_dropped_while_waiting_loses_no_delivery() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut urg = signal(SignalKind::from_raw(libc::SIGURG)).unwrap();
            // A recv that waits, then is cancelled by the timeout.
            assert!(coop::time::timeout(Duration::from_millis(20), urg.recv())
                .await
                .is_err());
            kill_self(libc::SIGURG);
            // The delivery is kept for the next recv, even with a little
            // delay before it starts.
            coop::time::sleep(Duration::from_millis(20)).await;
            assert_eq!(urg.recv().await, Some(()));
        });
    });
}

#[test]
fn recv_returns_none_once_the_runtime_is_gone() {
    within(GENEROUS, || {
        let rt = coop::Runtime::new().unwrap();
        let mut hup = rt.block_on(async { signal(SignalKind::hangup()).unwrap() });
        drop(rt);
        assert_eq!(coop::block_on(hup.recv()), None);
    });
}

#[test]
fn signals_that_cannot_be_listened_for_are_refused_with_an_error() {
    coop::block_on(async {
        for signum in [libc::SIGKILL, libc::SIGSTOP, libc::SIGSEGV, 0, -1, 1000] {
            let err = signal(SignalKind::from_raw(signum)).unwrap_err();
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::InvalidInput,
                "{signum}: {err}"
            );
        }
    });
}

#[test]
fn listening_outside_a_runtime_panics_with_a_hint() {
    let message = panic_message(|| drop(signal(SignalKind::user_defined1())));
    assert!(message.contains("outside a coop runtime"), "{message}");
    assert!(message.contains("coop::signal::unix::signal"), "{message}");
}

const CHILD_ENV: &str = "COOP_CTRL_C_CHILD";
const CTRL_C_TEST: &str = "ctrl_c_in_a_child_process_sees_a_real_sigint_and_exits_cleanly";

#[test]
#[cfg_attr(miri, ignore)]
fn ctrl_c_in_a_child_process_sees_a_real_sigint_and_exits_cleanly() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return ctrl_c_child();
    }
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([CTRL_C_TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = lines_tx.send(line.unwrap());
        }
    });
    let mut seen = Vec::new();
    // Wait until the child listens; a SIGINT sent earlier would kill it.
    while !seen.iter().any(|l: &String| l.contains("ctrl_c listening")) {
        match lines.recv_timeout(GENEROUS) {
            Ok(line) => seen.push(line),
            Err(e) => {
                let _ = child.kill();
                panic!("child never started listening ({e:?}); its output: {seen:#?}");
            }
        }
    }
    let pid = child.id() as libc::pid_t;
    // SAFETY: `kill` has no memory-safety preconditions; the pid is our
    // child's, which has not been waited for, so it cannot be reused.
    let rc = unsafe { libc::kill(pid, libc::SIGINT) };
    assert_eq!(rc, 0, "kill failed: {}", std::io::Error::last_os_error());
    let deadline = Instant::now() + GENEROUS;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("child did not exit after SIGINT; its output: {seen:#?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    seen.extend(lines.iter());
    assert!(status.success(), "child failed ({status}): {seen:#?}");
    assert!(seen.iter().any(|l| l.contains("ctrl_c seen")), "{seen:#?}");
    assert!(seen.iter().any(|l| l.contains("1 passed")), "{seen:#?}");
}

/// Runs in the child process only: listen, say so, wait for Ctrl-C.
fn ctrl_c_child() {
    within(GENEROUS, || {
        coop::block_on(async {
            let mut ctrl_c = pin!(coop::signal::ctrl_c());
            // The first poll registers the listener.
            assert!(futures_util::poll!(ctrl_c.as_mut()).is_pending());
            println!("ctrl_c listening");
            ctrl_c.await.unwrap();
            println!("ctrl_c seen");
        });
    });
}
