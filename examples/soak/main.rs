//! The soak: one coop loop serving echo for a given time while thousands of
//! connections misbehave at it and the rest of the runtime churns, then a
//! check that nothing was lost or leaked.
//!
//! `cargo run --release --example soak -- --secs N [--conns N] [--timers N]`
//! (defaults: 10 s, 1,000 connections, 2,000 timer tasks; `scripts/soak.sh`).
//! `--no-rss-check` skips the plateau check (under valgrind, whose shadow
//! memory is most of the RSS).
//!
//! ```text
//!   main thread: server loop                     thread "soak-clients": client loop
//!   ┌───────────────────────────────────┐        ┌─────────────────────────────┐
//!   │ accept ─► spawn(echo: io::copy)    │◄──TCP──│ echo / reset / half-close / │
//!   │ churn: timers, spawn+abort, pumps, │        │ slow-loris / never-read     │
//!   │        spawn_blocking              │        └─────────────────────────────┘
//!   │ this future: report every few s    │◄── Handle::spawn, oneshot wakes ── 2 remote threads
//!   └───────────────────────────────────┘
//! ```
//!
//! Pass (exit 0) only if: every echo client got exactly its bytes back and
//! EOF after them; the half-close and slow-loris clients got theirs; no
//! panic anywhere; after the load stops, open descriptors and live tasks
//! return to their baseline; and RSS plateaus (its peak in the last third
//! of the run is less than 5% over its peak before).

mod churn;
mod clients;
mod stats;

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use coop::net::{TcpListener, TcpSocket, TcpStream};
use coop::time::sleep;

use stats::{open_fds, raise_nofile, rss_bytes, Stats};

struct Args {
    secs: u64,
    conns: u64,
    timers: u64,
    /// Off under valgrind, whose shadow memory is most of the RSS.
    rss_check: bool,
}

fn args() -> Args {
    let mut args = Args {
        secs: 10,
        conns: 1000,
        timers: 2000,
        rss_check: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--secs" => args.secs = value(),
            "--conns" => args.conns = value(),
            "--timers" => args.timers = value(),
            "--no-rss-check" => args.rss_check = false,
            other => panic!(
                "unknown argument {other}; use --secs N --conns N --timers N [--no-rss-check]"
            ),
        }
    }
    args
}

fn main() {
    let args = args();
    let stats = Arc::new(Stats::default());
    {
        let stats = stats.clone();
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            stats.panics.inc();
            default(info);
        }));
    }
    let (soft, hard) = raise_nofile();
    println!("RLIMIT_NOFILE: soft {soft}, hard {hard}");
    // Each connection costs two descriptors here (client and server side).
    let room = soft.saturating_sub(100) / 2;
    let conns = if args.conns > room {
        println!(
            "--conns {} needs {} descriptors; capping at {room}",
            args.conns,
            args.conns * 2
        );
        room
    } else {
        args.conns
    };
    println!(
        "soak: {} s, {conns} connections, {} timer tasks",
        args.secs, args.timers
    );

    let rt = coop::Runtime::new().expect("runtime");
    let ok = rt.block_on(soak(&rt, &args, conns, stats.clone()));
    drop(rt);
    if ok && stats.panics.get() == 0 {
        println!("PASS");
    } else {
        println!("FAIL");
        std::process::exit(1);
    }
}

fn report(rt: &coop::Runtime, t: Duration, stats: &Stats) -> u64 {
    let rss = rss_bytes();
    println!(
        "[{:>5.0} s] open conns {} | round trips {} ({} B) | resets {} half-closes {} \
         loris bytes {} never-read stalled {} | timers set {} reset {} fired {} cancelled {} \
         | spawned {} aborted {} | remote spawns {} wakes {} | blocking {} \
         | RSS {:.1} MiB fds {} tasks {} timer slots {} | errors: {}",
        t.as_secs_f64(),
        stats.open_connections(),
        stats.round_trips.get(),
        stats.echo_bytes.get(),
        stats.resets.get(),
        stats.half_closes.get(),
        stats.loris_bytes.get(),
        stats.never_read_stalled.get(),
        stats.timers_set.get(),
        stats.timers_reset.get(),
        stats.timers_fired.get(),
        stats.timers_cancelled.get(),
        stats.spawned.get(),
        stats.aborted.get(),
        stats.remote_spawns.get(),
        stats.remote_wakes.get(),
        stats.blocking_jobs.get(),
        rss as f64 / (1 << 20) as f64,
        open_fds(),
        rt.task_count(),
        rt.timer_slots().0,
        stats.errors_line(),
    );
    rss
}

async fn soak(rt: &coop::Runtime, args: &Args, conns: u64, stats: Arc<Stats>) -> bool {
    let (secs, timers) = (args.secs, args.timers);
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_reuseaddr(true).expect("SO_REUSEADDR");
    socket
        .bind("127.0.0.1:0".parse().unwrap())
        .expect("bind 127.0.0.1:0");
    let listener = socket.listen(4096).expect("listen");
    let addr = listener.local_addr().expect("local_addr");
    let accept = coop::spawn(accept_loop(listener, stats.clone()));

    // Warm-up, so that what the runtime sets up once (the blocking pool's
    // first thread, the remote-wake path) is in the baseline.
    coop::spawn_blocking(|| ()).await.expect("warm-up job");
    let handle = coop::Handle::current();
    let remote = std::thread::spawn(move || handle.spawn(async {}));
    let task = coop::spawn_blocking(move || remote.join())
        .await
        .expect("warm-up job")
        .expect("warm-up thread");
    task.await.expect("warm-up task");
    sleep(Duration::from_millis(50)).await;
    let base_fds = open_fds();
    let base_tasks = rt.task_count();
    println!(
        "baseline: fds {base_fds}, tasks {base_tasks}, RSS {:.1} MiB; listening on {addr}",
        rss_bytes() as f64 / (1 << 20) as f64
    );

    let stop = Arc::new(AtomicBool::new(false));
    let churn = churn::start(timers, &stop, &stats);
    let client_thread = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::Builder::new()
            .name("soak-clients".into())
            .spawn(move || clients::run(addr, conns, stop, stats))
            .expect("client thread")
    };

    // The load: report every few seconds, sampling RSS.
    let start = Instant::now();
    let every = Duration::from_secs(if secs <= 60 { 2 } else { 10 });
    let mut samples: Vec<(Duration, u64)> = Vec::new();
    let mut max_held = 0;
    loop {
        let left = Duration::from_secs(secs).saturating_sub(start.elapsed());
        if left.is_zero() {
            break;
        }
        sleep(every.min(left)).await;
        max_held = max_held.max(stats.open_connections());
        samples.push((start.elapsed(), report(rt, start.elapsed(), &stats)));
    }

    // Stop, and wait for everything to wind down.
    println!("stopping the load");
    stop.store(true, Relaxed);
    let echo_clients = coop::spawn_blocking(move || client_thread.join())
        .await
        .expect("join client thread")
        .expect("client thread panicked");
    for task in churn.tasks {
        if let Err(e) = task.await {
            stats.fail(format!("churn task: {e}"));
        }
    }
    for thread in churn.threads {
        coop::spawn_blocking(move || thread.join())
            .await
            .expect("join remote thread")
            .expect("remote thread panicked");
    }
    let settle = Instant::now();
    let (mut fds, mut tasks) = (open_fds(), rt.task_count());
    while (fds != base_fds || tasks != base_tasks) && settle.elapsed() < Duration::from_secs(20) {
        sleep(Duration::from_millis(100)).await;
        (fds, tasks) = (open_fds(), rt.task_count());
    }
    println!(
        "after the load ({:.1} s to settle):",
        settle.elapsed().as_secs_f64()
    );
    report(rt, start.elapsed(), &stats);
    accept.abort();
    let _ = accept.await;

    // The verdict.
    let mut ok = true;
    let mut check = |pass: bool, what: String| {
        println!("{} {what}", if pass { "ok  " } else { "FAIL" });
        ok &= pass;
    };
    let echo_ok = stats.echo_clients_ok.get();
    check(
        echo_ok == echo_clients,
        format!(
            "well-behaved echo clients with exactly their bytes back: {echo_ok} of {echo_clients} \
             ({} round trips, {} bytes)",
            stats.round_trips.get(),
            stats.echo_bytes.get()
        ),
    );
    let failures = stats.failures();
    check(
        failures.is_empty(),
        format!(
            "failures (lost/changed bytes, client errors): {}",
            failures.len()
        ),
    );
    check(
        stats.panics.get() == 0,
        format!("panics: {}", stats.panics.get()),
    );
    check(
        fds == base_fds,
        format!("open fds back to baseline: {fds} (baseline {base_fds})"),
    );
    check(
        tasks == base_tasks,
        format!("live tasks back to baseline: {tasks} (baseline {base_tasks})"),
    );
    let cut = start.elapsed().mul_f64(2.0 / 3.0);
    let before = samples.iter().filter(|s| s.0 < cut).map(|s| s.1).max();
    let after = samples.iter().filter(|s| s.0 >= cut).map(|s| s.1).max();
    match (before, after) {
        _ if !args.rss_check => println!("--   RSS plateau: not checked (--no-rss-check)"),
        (Some(b), Some(a)) => {
            let growth = (a as f64 / b as f64 - 1.0) * 100.0;
            check(
                growth < 5.0,
                format!(
                    "RSS plateau: peak {:.1} MiB in the first two thirds, {:.1} MiB in the last \
                     third ({growth:+.1}%)",
                    b as f64 / (1 << 20) as f64,
                    a as f64 / (1 << 20) as f64
                ),
            );
        }
        _ => check(false, "RSS plateau: too few samples (run longer)".into()),
    }
    println!(
        "held: {max_held} client connections at peak; faults injected: {} resets, {} half-closes, \
         {} slow-loris bytes, {} never-read clients stalled by back-pressure ({} B accepted)",
        stats.resets.get(),
        stats.half_closes.get(),
        stats.loris_bytes.get(),
        stats.never_read_stalled.get(),
        stats.never_read_bytes.get()
    );
    ok
}

async fn accept_loop(listener: TcpListener, stats: Arc<Stats>) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                stats.accepted.inc();
                drop(coop::spawn(serve(socket, stats.clone())));
            }
            Err(e) => {
                stats.error("accept", &e);
                sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// The echo server's connection task: copy until EOF, then close.
async fn serve(mut socket: TcpStream, stats: Arc<Stats>) {
    use futures_util::AsyncWriteExt;
    let (mut read, mut write) = TcpStream::split(&mut socket);
    match futures_util::io::copy(&mut read, &mut write).await {
        Ok(_) => {
            if let Err(e) = write.close().await {
                stats.error("server close", &e);
            }
        }
        Err(e) => stats.error("server", &e),
    }
}
