//! Tasks and connections at scale: is the cost per item flat as the count
//! grows?
//!
//! * `tasks_scale`: 10k, 1M and 10M live idle tasks (each polled once, then
//!   pending forever, join handles kept): nanoseconds per `spawn` (the
//!   spawn loop only) and heap bytes per task (as `mem_task`: live growth
//!   per task, plus the handle's size, minus the future's). Each size runs
//!   in a process of its own (this binary, `COOP_TASK_SCALE_ONLY=N`), so no
//!   size sees what an earlier one left: smol's executor is a thread-local
//!   that outlives `block_on`, and in one process it would free the earlier
//!   size's cancelled tasks during the next size's count (which made its
//!   10M figure ~7 B too low) and start with the earlier size's capacity.
//!   10M tasks take 1–3 GB depending on the runtime; sizes beyond
//!   `COOP_TASK_SCALE_MAX` (default 10M) are skipped.
//! * `conns_scale`: heap bytes per idle TCP connection (as `mem_tcp`) with
//!   10k and 100k connections. The server side (the runtime measured) needs
//!   one descriptor per connection, so it asks for an `RLIMIT_NOFILE` of
//!   the count plus room, raising the hard limit if it may (a process with
//!   `CAP_SYS_RESOURCE`) and else taking the hard limit; the row
//!   "RLIMIT_NOFILE got" says what it got, and a size beyond it is
//!   skipped. The clients live in other processes (this binary with
//!   `--hold-client ADDR N`): up to `COOP_CONNS_PER_CLIENT` (10k)
//!   connections in one, more fanned out over several, started one after
//!   another, each bound to a loopback source address of its own
//!   (127.a.b.1, 127.a.b.2, …, with a.b fresh each run) so no source runs
//!   out of ephemeral ports (28k in the default `ip_local_port_range`,
//!   fewer while an earlier run's ports sit in `TIME_WAIT`).

use std::cell::Cell;
use std::io::{BufRead, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
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
    if let Some(n) = only_size("COOP_TASK_SCALE_ONLY") {
        let (_, label) = TASK_SIZES
            .into_iter()
            .find(|&(size, _)| size == n)
            .expect("COOP_TASK_SCALE_ONLY is one of the sizes");
        return tasks_at::<R>(n, label);
    }
    let mut rows = Vec::new();
    for (n, _) in TASK_SIZES {
        if n > env_max("COOP_TASK_SCALE_MAX") {
            continue;
        }
        rows.extend(run_size("tasks_scale", "COOP_TASK_SCALE_ONLY", n, R::NAME));
    }
    rows
}

/// The one size this process should run (`var` set by [`run_size`]).
fn only_size(var: &str) -> Option<usize> {
    std::env::var(var).ok().and_then(|s| s.parse().ok())
}

/// Runs one size of `workload` in a process of its own (this binary, with
/// `var=n`) and returns the rows it printed.
fn run_size(workload: &str, var: &str, n: usize, runtime: &str) -> Vec<Row> {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .args(["--workload", workload, "--runtime", runtime])
        .env(var, n.to_string())
        .stderr(Stdio::inherit())
        .output()
        .expect("run one size");
    assert!(out.status.success(), "{workload} at {n} failed");
    parse_rows(&String::from_utf8_lossy(&out.stdout))
}

/// The rows a single run printed (`ROW name runtime value unit`).
fn parse_rows(out: &str) -> Vec<Row> {
    out.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[..] {
                ["ROW", name, _, value, unit] => Some(Row {
                    name: name.into(),
                    value: value.parse().ok()?,
                    unit: match unit {
                        "ns" => "ns",
                        _ => "B",
                    },
                }),
                _ => None,
            }
        })
        .collect()
}

/// One size of `tasks_scale`, in this process.
fn tasks_at<R: Rt>(n: usize, label: &str) -> Vec<Row> {
    async fn idle() {
        POLLED.with(|p| p.set(p.get() + 1));
        std::future::pending::<()>().await
    }
    let future_size = std::mem::size_of_val(&idle()) as f64;
    let handle_size = std::mem::size_of::<R::Join<()>>() as f64;
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
    vec![
        Row::ns(
            &format!("tasks at scale: spawn, {label} live (ns/task)"),
            spawn_ns,
        ),
        Row::bytes(
            &format!("tasks at scale: memory, {label} live (B/task, incl. JoinHandle)"),
            bytes / n as f64 + handle_size - future_size,
        ),
    ]
}

/// Asks for an `RLIMIT_NOFILE` of `want` descriptors: raises the hard
/// limit too if `want` is above it (allowed with `CAP_SYS_RESOURCE`),
/// else settles for the hard limit. Returns the soft limit it got.
pub fn raise_nofile(want: u64) -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let now = getrlimit(Resource::Nofile);
    let hard = now.maximum.unwrap_or(u64::MAX);
    if want > hard {
        let raised = Rlimit {
            current: Some(want),
            maximum: Some(want),
        };
        if setrlimit(Resource::Nofile, raised).is_err() {
            eprintln!(
                "conns_scale: RLIMIT_NOFILE hard limit {hard} cannot be raised to {want} \
                 (needs CAP_SYS_RESOURCE): using {hard}"
            );
        }
    }
    let hard = getrlimit(Resource::Nofile).maximum.unwrap_or(u64::MAX);
    let _ = setrlimit(
        Resource::Nofile,
        Rlimit {
            current: Some(hard),
            maximum: Some(hard),
        },
    );
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Connections one client process holds at most.
fn per_client() -> usize {
    std::env::var("COOP_CONNS_PER_CLIENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000)
}

/// The other end of `conns_scale` (`--hold-client ADDR N [--source IP]`):
/// opens `n` connections to `addr`, says so on stdout, and holds them until
/// stdin closes. More than [`per_client`] are fanned out over several
/// processes, each started once the previous one is connected and bound to
/// its own source address (see [`fan_out`]).
pub fn hold_client(args: &[String]) {
    let at = args
        .iter()
        .position(|a| a == "--hold-client")
        .expect("flag");
    let addr: SocketAddr = args[at + 1].parse().expect("--hold-client ADDR N");
    let n: usize = args[at + 2].parse().expect("--hold-client ADDR N");
    let source = args
        .iter()
        .position(|a| a == "--source")
        .map(|i| args[i + 1].parse::<Ipv4Addr>().expect("--source IP"));
    if source.is_none() && n > per_client() {
        return fan_out(addr, n);
    }
    raise_nofile(n as u64 + 64);
    // A pause every 64 connects lets the server drain its accept queue: a
    // full queue drops the handshake, and the kernel retries it only after
    // a second (`nstat TcpExtListenOverflows` counts those).
    let conns: Vec<TcpStream> = (0..n)
        .map(|i| {
            if i % 64 == 63 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            connect_from(source, addr)
        })
        .collect();
    println!("connected {}", conns.len());
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// A connection to `addr`, from `source` (any free port) if given.
///
/// Without a source, `connect` picks the port, and may reuse one that a
/// connection to another address holds or one in `TIME_WAIT`. A `bind` to
/// port 0 may not, so each run binds to source addresses no earlier run
/// used (see [`fan_out`]): 10k connections closed by the client leave 10k
/// ports of their source address in `TIME_WAIT` for a minute.
fn connect_from(source: Option<Ipv4Addr>, addr: SocketAddr) -> TcpStream {
    use socket2::{Domain, Socket, Type};
    let Some(source) = source else {
        return TcpStream::connect(addr).expect("connect");
    };
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    socket
        .bind(&SocketAddr::from((source, 0)).into())
        .expect("bind the source address");
    socket.connect(&addr.into()).expect("connect");
    socket.into()
}

/// Holds `n` connections through several client processes, one source
/// address each, started one after another.
fn fan_out(addr: SocketAddr, n: usize) {
    // 127.a.b.1, 127.a.b.2, …: all loopback; a.b from this process's id,
    // so back-to-back runs use fresh addresses (see `connect_from`).
    let id = std::process::id();
    let (a, b) = (1 + (id % 254) as u8, (id / 254 % 256) as u8);
    let mut children: Vec<Child> = Vec::new();
    let mut left = n;
    while left > 0 {
        let share = left.min(per_client());
        let source = Ipv4Addr::new(127, a, b, 1 + children.len() as u8);
        let mut child = Command::new(std::env::current_exe().expect("own path"))
            .args(["--hold-client", &addr.to_string(), &share.to_string()])
            .args(["--source", &source.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start a holding client");
        let mut line = String::new();
        let mut out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        out.read_line(&mut line).expect("client says connected");
        assert!(
            line.starts_with("connected"),
            "client from {source}: {line}"
        );
        children.push(child);
        left -= share;
    }
    eprintln!(
        "conns_scale: {n} connections from {} client processes, sources 127.{a}.{b}.1..={}",
        children.len(),
        children.len()
    );
    println!("connected {n}");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    for mut child in children {
        drop(child.stdin.take());
        child.wait().expect("client exit");
    }
}

/// The sizes `conns_scale` runs under an `RLIMIT_NOFILE` of `limit`: each
/// of [`CONN_SIZES`] that fits (with 64 descriptors of room for the
/// listener, the poll, the eventfd, stdio and the runtime's own), and, in
/// place of those that do not, the most whole thousands the limit allows
/// (with 1,024 of room), so the table still shows how the cost per
/// connection grows beyond the smallest size.
fn conn_sizes(limit: u64) -> Vec<(usize, String)> {
    let mut sizes: Vec<(usize, String)> = Vec::new();
    let mut skipped = false;
    for (n, label) in CONN_SIZES {
        if n as u64 + 64 <= limit {
            sizes.push((n, label.to_string()));
        } else {
            eprintln!(
                "conns_scale: {label} connections need more than RLIMIT_NOFILE {limit}: skipped"
            );
            skipped = true;
        }
    }
    let most = (limit.saturating_sub(1024) / 1000 * 1000) as usize;
    let largest = sizes.last().map_or(0, |&(n, _)| n);
    if skipped && most > largest {
        sizes.push((
            most,
            format!("{}k (the most RLIMIT_NOFILE allows)", most / 1000),
        ));
    }
    sizes
}

pub fn conns_scale<R: NetRt>() -> Vec<Row> {
    let largest = CONN_SIZES.iter().map(|&(n, _)| n).max().unwrap_or(0);
    let limit = raise_nofile(largest as u64 + 1024);
    let sizes = conn_sizes(limit);
    if let Some(n) = only_size("COOP_CONN_SCALE_ONLY") {
        let (_, label) = sizes
            .into_iter()
            .find(|&(size, _)| size == n)
            .expect("COOP_CONN_SCALE_ONLY is one of the sizes");
        return conns_at::<R>(n, &label);
    }
    let mut rows = vec![Row {
        name: "connections at scale: RLIMIT_NOFILE got".into(),
        value: limit as f64,
        unit: "fds",
    }];
    // Each size in a process of its own, as `tasks_scale` does: smol's
    // executor outlives `block_on` in a thread-local, and in one process it
    // would free the earlier size's tasks during the next size's count
    // (which made its 18k figure negative).
    for (n, _) in sizes {
        rows.extend(run_size("conns_scale", "COOP_CONN_SCALE_ONLY", n, R::NAME));
    }
    rows
}

/// One size of `conns_scale`, in this process.
fn conns_at<R: NetRt>(n: usize, label: &str) -> Vec<Row> {
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
    vec![Row::bytes(
        &format!("connections at scale: memory, {label} idle (B/conn beyond the echo future)"),
        per,
    )]
}
