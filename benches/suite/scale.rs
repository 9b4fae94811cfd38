//! Tasks and connections at scale: is the cost per item flat as the count
//! grows?
//!
//! * `tasks_scale`: 10k, 1M and 10M live idle tasks (each polled once, then
//!   pending forever, join handles kept): nanoseconds per `spawn` (the
//!   spawn loop only) and heap bytes per task (as `mem_task`: live growth
//!   per task, plus the handle's size, minus the future's). 10M tasks take
//!   1–3 GB depending on the runtime; sizes beyond `COOP_TASK_SCALE_MAX`
//!   (default 10M) are skipped.
//! * `conns_scale`: heap bytes per idle TCP connection (as `mem_tcp`) with
//!   10k and 100k connections. The clients live in a second process (this
//!   binary with `--hold-client ADDR N`), so each process needs one file
//!   descriptor per connection; both raise `RLIMIT_NOFILE` to the hard
//!   limit, and a size the limit cannot hold is skipped. The row
//!   "RLIMIT_NOFILE got" says what the limit allowed.

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::alloc::{live_bytes, start_counting};
use crate::prims::yield_now;
use crate::rt::Rt;
use crate::tcp_echo::{accept_idle, NetRt};
use crate::Row;

pub const TASK_SIZES: [(usize, &str); 3] =
    [(10_000, "10k"), (1_000_000, "1M"), (10_000_000, "10M")];
pub const CONN_SIZES: [(usize, &str); 2] = [(10_000, "10k"), (100_000, "100k")];

thread_local! {
    static POLLED: Cell<usize> = const { Cell::new(0) };
}

fn env_max(name: &str) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX)
}

pub fn tasks_scale<R: Rt>() -> Vec<Row> {
    async fn idle() {
        POLLED.with(|p| p.set(p.get() + 1));
        std::future::pending::<()>().await
    }
    let future_size = std::mem::size_of_val(&idle()) as f64;
    let handle_size = std::mem::size_of::<R::Join<()>>() as f64;
    let mut rows = Vec::new();
    for (n, label) in TASK_SIZES {
        if n > env_max("COOP_TASK_SCALE_MAX") {
            continue;
        }
        POLLED.with(|p| p.set(0));
        let (spawn_ns, bytes) = R::block_on(async move {
            let mut handles = Vec::with_capacity(n);
            yield_now().await;
            start_counting();
            let start = Instant::now();
            for _ in 0..n {
                handles.push(R::spawn(idle()));
            }
            let spawn_ns = start.elapsed().as_secs_f64() * 1e9 / n as f64;
            while POLLED.with(|p| p.get()) < n {
                yield_now().await;
            }
            let bytes = live_bytes() as f64;
            drop(handles);
            (spawn_ns, bytes)
        });
        rows.push(Row::ns(
            &format!("tasks at scale: spawn, {label} live (ns/task)"),
            spawn_ns,
        ));
        rows.push(Row::bytes(
            &format!("tasks at scale: memory, {label} live (B/task, incl. JoinHandle)"),
            bytes / n as f64 + handle_size - future_size,
        ));
    }
    rows
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns what it got.
pub fn raise_nofile() -> u64 {
    // SAFETY: getrlimit/setrlimit fill and read the struct we pass.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur
    }
}

/// The other end of `conns_scale`: opens `n` connections to `addr`, says
/// so on stdout, and holds them until stdin closes.
pub fn hold_client(addr: &str, n: usize) {
    raise_nofile();
    // A pause every 64 connects lets the server drain its accept queue: a
    // full queue drops the handshake, and the kernel retries it only after
    // a second (`nstat TcpExtListenOverflows` counts those).
    let conns: Vec<_> = (0..n)
        .map(|i| {
            if i % 64 == 63 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            std::net::TcpStream::connect(addr).expect("connect")
        })
        .collect();
    println!("connected {}", conns.len());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

pub fn conns_scale<R: NetRt>() -> Vec<Row> {
    let limit = raise_nofile();
    let mut rows = vec![Row {
        name: "connections at scale: RLIMIT_NOFILE got (hard limit)".into(),
        value: limit as f64,
        unit: "fds",
    }];
    for (n, label) in CONN_SIZES {
        // The listener, the poll, the eventfd, stdio and the runtime's own.
        if n as u64 + 64 > limit {
            eprintln!(
                "conns_scale: {label} connections need more than RLIMIT_NOFILE {limit}: skipped"
            );
            continue;
        }
        let per = R::block_on(async move {
            let (listener, addr) = R::bind().await.expect("bind");
            let mut client = Command::new(std::env::current_exe().expect("own path"))
                .args(["--hold-client", &addr.to_string(), &n.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("start the holding client");
            let (handles, per) = accept_idle::<R>(&listener, n).await;
            let mut line = String::new();
            let mut out = std::io::BufReader::new(client.stdout.take().expect("stdout"));
            out.read_line(&mut line).expect("client says connected");
            drop(client.stdin.take());
            client.wait().expect("client exit");
            drop(handles);
            per
        });
        rows.push(Row::bytes(
            &format!("connections at scale: memory, {label} idle (B/conn beyond the echo future)"),
            per,
        ));
    }
    rows
}
