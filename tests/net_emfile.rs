//! `accept` at the descriptor limit (`EMFILE`) returns an error, and the
//! listener serves again once descriptors are freed.
//!
//! Lowering `RLIMIT_NOFILE` would disturb other tests running in the same
//! process, so the test re-runs this test binary as a child process with
//! `COOP_EMFILE_CHILD` set, and only the child lowers its limit.

mod net_support;

use std::io;
use std::process::Command;

use coop::net::{TcpListener, TcpStream};
use futures_util::{AsyncReadExt, AsyncWriteExt};
use net_support::{fd_limits, run, set_soft_fd_limit};

const CHILD_ENV: &str = "COOP_EMFILE_CHILD";
const TEST_NAME: &str = "accept_at_the_descriptor_limit_fails_then_recovers";

#[test]
#[cfg_attr(miri, ignore)]
fn accept_at_the_descriptor_limit_fails_then_recovers() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains("EMFILE seen"),
        "child did not reach EMFILE:\n{stdout}"
    );
}

/// Runs in the child process only.
fn child() {
    run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // A client connects; the kernel queues it until someone accepts.
        let mut client = std::net::TcpStream::connect(addr).unwrap();

        // Use up every descriptor under a low limit.
        let (soft, _) = fd_limits();
        set_soft_fd_limit(soft.min(256));
        let mut hogs = Vec::new();
        loop {
            match std::fs::File::open("/dev/null") {
                Ok(file) => hogs.push(file),
                Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
                Err(e) => panic!("unexpected error filling descriptors: {e}"),
            }
        }

        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err:?}");
        println!("EMFILE seen: {err}");
        // Still failing, not hanging, while nothing is freed.
        assert!(listener.accept().await.is_err());

        // Free descriptors: the queued connection is accepted and served.
        drop(hogs);
        set_soft_fd_limit(soft);
        let (mut server_side, _) = listener.accept().await.unwrap();
        io::Write::write_all(&mut client, b"ping").unwrap();
        let mut buf = [0; 4];
        server_side.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");

        // And new connections keep coming.
        let accept = coop::spawn(async move { listener.accept().await.map(|(s, _)| s) });
        let mut late = TcpStream::connect(addr).await.unwrap();
        let mut late_server = accept.await.unwrap().unwrap();
        late.write_all(b"pong").await.unwrap();
        late_server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"pong");
    });
}
