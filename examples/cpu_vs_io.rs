//! CPU-bound vs I/O-bound work, measured: the lesson of `shared/lesson.txt`
//! in Rust, on coop.
//!
//! CPU-bound: one function that counts (a hashing loop) runs 4 times
//!   1. as 4 async tasks on the loop: no speedup, the one loop thread runs
//!      them one after another (concurrency is not parallelism);
//!   2. with `spawn_blocking`: real parallelism on the cores (Rust threads
//!      have no global interpreter lock);
//!   3. as 4 child processes (this example re-runs itself): parallel too,
//!      paying process start-up and a pipe to send the result back.
//!
//! I/O-bound: 1,000 waits of 1 s each
//!   4. as 1,000 tasks sleeping on the loop: about 1 s, one thread;
//!   5. as 1,000 OS threads each sleeping: about 1 s too, but each thread
//!      costs a kernel thread and a stack.
//!
//! Run: `cargo run --release --example cpu_vs_io` (set `COOP_WORK` to change
//! the size of the CPU work, default 200,000,000 steps).

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

const JOBS: usize = 4;
const SLEEPERS: usize = 1_000;

/// The CPU-bound function: a loop with no I/O at all.
fn count(steps: u64) -> u64 {
    let mut x = black_box(0x9E37_79B9_7F4A_7C15u64);
    for i in 0..steps {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x = x.wrapping_add(i);
    }
    x
}

/// CPU time (user + system) and peak resident memory, from `getrusage`.
#[derive(Clone, Copy)]
struct Usage {
    cpu: Duration,
    max_rss_kib: i64,
}

fn usage(who: libc::c_int) -> Usage {
    // SAFETY: `getrusage` fills the zeroed struct we pass; RUSAGE_SELF and
    // RUSAGE_CHILDREN are valid `who` values.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    Usage {
        cpu: tv(ru.ru_utime) + tv(ru.ru_stime),
        max_rss_kib: ru.ru_maxrss,
    }
}

/// Current resident memory of this process, in KiB (Linux `/proc`).
fn rss_now_kib() -> i64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: i64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as i64;
    pages * page / 1024
}

struct Row {
    name: &'static str,
    wall: Duration,
    cpu: Duration,
    rss_kib: i64,
    note: String,
}

/// Measures `f`, which returns the resident memory it saw at its busiest.
fn measure(name: &'static str, children: bool, f: impl FnOnce() -> (i64, String)) -> Row {
    let who = if children {
        libc::RUSAGE_CHILDREN
    } else {
        libc::RUSAGE_SELF
    };
    let before = usage(who);
    let start = Instant::now();
    let (rss_kib, note) = f();
    let wall = start.elapsed();
    let after = usage(who);
    let rss_kib = if children {
        after.max_rss_kib // the largest child
    } else {
        rss_kib
    };
    Row {
        name,
        wall,
        cpu: after.cpu - before.cpu,
        rss_kib,
        note,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--child") {
        let steps: u64 = args.next().and_then(|s| s.parse().ok()).expect("--child STEPS");
        println!("{}", count(steps));
        return;
    }
    let steps: u64 = std::env::var("COOP_WORK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000_000);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{JOBS} x count({steps}) on a machine with {cores} cores\n");

    let rt = coop::Runtime::new().expect("runtime");
    let mut rows = Vec::new();

    rows.push(measure("1 CPU: 4 tasks on the loop", false, || {
        rt.block_on(async {
            let tasks: Vec<_> = (0..JOBS).map(|_| coop::spawn(async move { count(steps) })).collect();
            for task in tasks {
                black_box(task.await.unwrap());
            }
        });
        (rss_now_kib(), "one thread: runs them in turn".into())
    }));

    rows.push(measure("2 CPU: 4 x spawn_blocking", false, || {
        rt.block_on(async {
            let jobs: Vec<_> = (0..JOBS).map(|_| coop::spawn_blocking(move || count(steps))).collect();
            for job in jobs {
                black_box(job.await.unwrap());
            }
        });
        (rss_now_kib(), format!("{JOBS} pool threads in parallel"))
    }));

    rows.push(measure("3 CPU: 4 child processes", true, || {
        let exe = std::env::current_exe().expect("own path");
        let children: Vec<_> = (0..JOBS)
            .map(|_| {
                Command::new(&exe)
                    .args(["--child", &steps.to_string()])
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .expect("re-run this example as a child")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("child output");
            let text = String::from_utf8_lossy(&out.stdout);
            black_box(text.trim().parse::<u64>().expect("child printed its result"));
        }
        (0, "result sent back over a pipe".into())
    }));

    rows.push(measure("4 I/O: 1,000 tasks sleep 1 s", false, || {
        let base = rss_now_kib();
        let peak = rt.block_on(async {
            let tasks: Vec<_> = (0..SLEEPERS)
                .map(|_| coop::spawn(coop::time::sleep(Duration::from_secs(1))))
                .collect();
            coop::time::sleep(Duration::from_millis(500)).await;
            let peak = rss_now_kib();
            for task in tasks {
                task.await.unwrap();
            }
            peak
        });
        (peak, format!("+{} KiB while waiting", peak - base))
    }));

    rows.push(measure("5 I/O: 1,000 threads sleep 1 s", false, || {
        let base = rss_now_kib();
        let threads: Vec<_> = (0..SLEEPERS)
            .map(|_| std::thread::spawn(|| std::thread::sleep(Duration::from_secs(1))))
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let peak = rss_now_kib();
        for thread in threads {
            thread.join().unwrap();
        }
        (peak, format!("+{} KiB while waiting", peak - base))
    }));

    println!(
        "{:<32} {:>9} {:>9} {:>11}  note",
        "scenario", "wall", "CPU", "memory"
    );
    for row in &rows {
        let memory = if row.rss_kib > 0 {
            format!("{:.1} MiB", row.rss_kib as f64 / 1024.0)
        } else {
            "-".into()
        };
        println!(
            "{:<32} {:>8.2}s {:>8.2}s {:>11}  {}",
            row.name,
            row.wall.as_secs_f64(),
            row.cpu.as_secs_f64(),
            memory,
            row.note
        );
    }
    println!(
        "\nmemory: resident set of this process at its busiest (row 3: the largest child, \
         from getrusage RUSAGE_CHILDREN); CPU: user + system time from getrusage."
    );
    let (on_loop, pool) = (rows[0].wall.as_secs_f64(), rows[1].wall.as_secs_f64());
    println!(
        "\nWhat it shows:\n\
         * CPU-bound work gains nothing from async: 4 tasks on the loop took {on_loop:.2}s, \
           one after another. Concurrency is managing waiting, not doing more at once.\n\
         * Threads run Rust code truly in parallel (no GIL): spawn_blocking took {pool:.2}s \
           ({:.1}x faster on {cores} cores), with the same CPU time.\n\
         * Processes are parallel too, but pay start-up and IPC (a pipe here), and each \
           has its own memory.\n\
         * I/O-bound waiting is what async is for: 1,000 sleeping tasks cost one thread and \
           a few hundred bytes each; 1,000 threads finish as fast but each holds a kernel \
           thread and a stack.",
        on_loop / pool
    );
}
