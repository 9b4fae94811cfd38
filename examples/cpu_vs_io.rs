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

/// CPU time (user + system), from `getrusage`.
fn cpu_time(who: libc::c_int) -> Duration {
    // SAFETY: `getrusage` fills the zeroed struct we pass; RUSAGE_SELF and
    // RUSAGE_CHILDREN are valid `who` values.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Peak resident memory of this process image, in KiB: `VmHWM` from
/// `/proc/self/status`. (`getrusage`'s `ru_maxrss` survives `execve`, so
/// under `cargo run` it would report cargo's own peak, not ours.)
fn peak_rss_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
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
    let before = cpu_time(who);
    let start = Instant::now();
    let (rss_kib, note) = f();
    let wall = start.elapsed();
    let cpu = cpu_time(who) - before;
    Row {
        name,
        wall,
        cpu,
        rss_kib,
        note,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("--child") {
        let steps: u64 = args
            .next()
            .and_then(|s| s.parse().ok())
            .expect("--child STEPS");
        let result = count(steps);
        // The result and this child's own peak memory, to the parent's pipe.
        println!("{result} {}", peak_rss_kib());
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
            let tasks: Vec<_> = (0..JOBS)
                .map(|_| coop::spawn(async move { count(steps) }))
                .collect();
            for task in tasks {
                black_box(task.await.unwrap());
            }
        });
        let peak = peak_rss_kib();
        (peak, "one thread: runs them in turn".into())
    }));

    rows.push(measure("2 CPU: 4 x spawn_blocking", false, || {
        rt.block_on(async {
            let jobs: Vec<_> = (0..JOBS)
                .map(|_| coop::spawn_blocking(move || count(steps)))
                .collect();
            for job in jobs {
                black_box(job.await.unwrap());
            }
        });
        let peak = peak_rss_kib();
        (peak, format!("{JOBS} pool threads in parallel"))
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
        let mut total_kib = 0;
        for child in children {
            let out = child.wait_with_output().expect("child output");
            let text = String::from_utf8_lossy(&out.stdout);
            let mut fields = text.split_whitespace();
            let result = fields.next().and_then(|f| f.parse::<u64>().ok());
            black_box(result.expect("child printed its result"));
            total_kib += fields
                .next()
                .and_then(|f| f.parse::<i64>().ok())
                .unwrap_or(0);
        }
        (
            total_kib,
            "memory of the 4 summed; results over a pipe".into(),
        )
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
        "\nmemory: resident set of this process at its busiest (rows 1-2: VmHWM; row 3: \
         each child's own VmHWM, summed; rows 4-5: /proc/self/statm sampled while they \
         wait). CPU: user + system time from getrusage (row 3: \
         RUSAGE_CHILDREN)."
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
