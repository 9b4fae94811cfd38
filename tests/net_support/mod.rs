//! Helpers shared by the `net_*` integration tests: connected pairs,
//! deterministic random data, temporary socket paths, descriptor limits,
//! and a guard that turns a hang into a failure.

#![allow(dead_code)] // each test binary uses a different subset

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use coop::net::{TcpListener, TcpStream};
use futures_util::{future, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// How long any single test may wait before it is declared hung.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Runs `future` on a fresh runtime, failing (not hanging) if it takes
/// longer than [`DEADLINE`].
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    let rt = coop::Runtime::new().expect("runtime");
    rt.block_on(coop::time::timeout(DEADLINE, future))
        .expect("test did not finish within DEADLINE (hung?)")
}

/// A connected TCP pair on loopback: (client, server side).
pub async fn tcp_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

/// A small deterministic xorshift generator, so failures reproduce.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() as usize) % (hi - lo + 1)
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// A path for a Unix socket in the temp dir, unique in this process, and
/// removed if it exists already.
pub fn socket_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!(
        "coop-test-{}-{}-{n}.sock",
        name,
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    path
}

/// The soft and hard `RLIMIT_NOFILE`.
pub fn fd_limits() -> (libc::rlim_t, libc::rlim_t) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for getrlimit to fill.
    let rc = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) };
    assert_eq!(rc, 0, "getrlimit: {}", std::io::Error::last_os_error());
    (limit.rlim_cur, limit.rlim_max)
}

/// Sets the soft `RLIMIT_NOFILE` (the hard limit stays).
pub fn set_soft_fd_limit(soft: libc::rlim_t) {
    let (_, hard) = fd_limits();
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `limit` is a valid rlimit that setrlimit only reads.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit: {}", std::io::Error::last_os_error());
}

/// Makes `stream` send a reset (RST) instead of a FIN when it is closed:
/// `SO_LINGER` on, with a zero timeout.
pub fn reset_on_close(stream: &impl std::os::fd::AsRawFd) {
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: the fd is open (borrowed from a live stream) and `linger` is
    // a valid option value of the size passed.
    let rc = unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt: {}", std::io::Error::last_os_error());
}

/// Sends `payload` both ways at once over two connected ends (each given
/// as a read half and a write half), closing each write side when done,
/// and checks that both ends received it whole. The payload should exceed
/// the socket buffers, so each side must read while it writes.
pub async fn exchange_both_ways(
    (mut a_read, mut a_write): (impl AsyncRead + Unpin, impl AsyncWrite + Unpin),
    (mut b_read, mut b_write): (impl AsyncRead + Unpin, impl AsyncWrite + Unpin),
    payload: &[u8],
) {
    let (mut got_a, mut got_b) = (Vec::new(), Vec::new());
    let (w1, w2, r1, r2) = future::join4(
        async {
            a_write.write_all(payload).await?;
            a_write.close().await
        },
        async {
            b_write.write_all(payload).await?;
            b_write.close().await
        },
        a_read.read_to_end(&mut got_a),
        b_read.read_to_end(&mut got_b),
    )
    .await;
    w1.unwrap();
    w2.unwrap();
    r1.unwrap();
    r2.unwrap();
    assert!(
        got_a == payload && got_b == payload,
        "bytes lost or changed"
    );
}
