//! coop's benchmark suite: the same workloads on coop, tokio, smol and
//! `futures::executor::LocalPool`.
//!
//! ```text
//! cargo bench --bench suite                         # the whole comparison (5 rounds)
//! cargo bench --bench suite -- --rounds 3 --only spawn_many,yield_many
//! cargo bench --bench suite -- --workload ping_pong --runtime coop   # one run
//! ```
//!
//! A single run (`--workload W --runtime R`) runs the workload once to warm
//! up and once measured, and prints one line per figure:
//! `ROW <tab> row name <tab> runtime <tab> value <tab> unit`. The driver
//! (`compare.rs`) starts one such process per workload × runtime, rotating
//! the runtime order each round, and prints the markdown table.
//!
//! Files: `rt.rs` (the runtime trait and its four implementations),
//! `prims.rs` (runtime-neutral baton/signal/yield), `executor.rs`,
//! `timers.rs`, `timers_scale.rs`, `latency.rs`, `scale.rs`, `wake_primitives.rs`, `remote.rs`, `memory.rs`, `sync.rs` (the workloads), `alloc.rs` (the
//! counting allocator), `compare.rs` (the driver), `tcp_echo.rs` and
//! `blocking.rs`.

mod alloc;
mod blocking;
mod compare;
mod executor;
mod latency;
mod memory;
mod prims;
mod remote;
mod rt;
mod scale;
mod sync;
mod tcp_echo;
mod timers;
mod timers_scale;
mod wake_primitives;

use std::time::Duration;

use rt::Rt;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// One measured figure.
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) value: f64,
    pub(crate) unit: &'static str,
}

impl Row {
    pub(crate) fn ms(name: &str, d: Duration) -> Row {
        Row {
            name: name.into(),
            value: d.as_secs_f64() * 1e3,
            unit: "ms",
        }
    }
    pub(crate) fn us(name: &str, value: f64) -> Row {
        Row {
            name: name.into(),
            value,
            unit: "µs",
        }
    }
    pub(crate) fn ns(name: &str, value: f64) -> Row {
        Row {
            name: name.into(),
            value,
            unit: "ns",
        }
    }
    pub(crate) fn bytes(name: &str, value: f64) -> Row {
        Row {
            name: name.into(),
            value,
            unit: "B",
        }
    }
}

/// A workload: name, whether it needs timers, whether it is warmed up,
/// and how to run it on each runtime.
pub(crate) struct Workload {
    pub(crate) name: &'static str,
    pub(crate) needs_timers: bool,
    pub(crate) warm_up: bool,
    pub(crate) run: fn(&str) -> Option<Vec<Row>>,
}

macro_rules! workload {
    ($name:literal, $m:ident :: $f:ident, timers: $timers:expr, warm: $warm:expr) => {
        workload!(@make $name, $m::$f, $timers, $warm, {
            "localpool" if !$timers => $m::$f::<rt::LocalPool>(),
        })
    };
    // Workloads LocalPool has no API for (sockets, a blocking pool).
    ($name:literal, $m:ident :: $f:ident, timers: $timers:expr, warm: $warm:expr, no_localpool) => {
        workload!(@make $name, $m::$f, $timers, $warm, {})
    };
    (@make $name:literal, $m:ident :: $f:ident, $timers:expr, $warm:expr, { $($extra:tt)* }) => {
        Workload {
            name: $name,
            needs_timers: $timers,
            warm_up: $warm,
            run: |runtime| {
                Some(match runtime {
                    "coop" => $m::$f::<rt::Coop>(),
                    "tokio" => $m::$f::<rt::Tokio>(),
                    "smol" => $m::$f::<rt::Smol>(),
                    $($extra)*
                    _ => return None,
                })
            },
        }
    };
}

pub(crate) fn workloads() -> Vec<Workload> {
    #[allow(unused_mut)]
    let mut all = vec![
        workload!("spawn_many", executor::spawn_many, timers: false, warm: true),
        workload!("yield_many", executor::yield_many, timers: false, warm: true),
        workload!("ping_pong", executor::ping_pong, timers: false, warm: true),
        workload!("spawn_chain", executor::spawn_chain, timers: false, warm: true),
        workload!("remote_wake", remote::remote_wake, timers: false, warm: true),
        workload!("remote_wake_asleep", remote::remote_wake_asleep, timers: false, warm: false),
        workload!("remote_wake_pinned", remote::remote_wake_pinned, timers: false, warm: true),
        workload!("wake_primitives", wake_primitives::wake_primitives, timers: false, warm: true),
        workload!("timers_fire", timers::timers_fire, timers: true, warm: true),
        workload!("timers_cancel", timers::timers_cancel, timers: true, warm: true),
        workload!("timers_scale", timers_scale::timers_scale, timers: true, warm: false),
        workload!("latency_under_load", latency::latency_under_load, timers: true, warm: false),
        workload!("tasks_scale", scale::tasks_scale, timers: false, warm: false),
        workload!("mem_task", memory::mem_task, timers: false, warm: false),
        workload!("mem_timer", memory::mem_timer, timers: true, warm: false),
    ];
    all.extend([
        workload!("tcp_echo", tcp_echo::tcp_echo, timers: true, warm: false, no_localpool),
        workload!("mem_tcp", tcp_echo::mem_tcp, timers: true, warm: false, no_localpool),
        workload!("conns_scale", scale::conns_scale, timers: true, warm: false, no_localpool),
    ]);
    all.extend([
        workload!("mpsc_1p", sync::mpsc_1p, timers: false, warm: true, no_localpool),
        workload!("mpsc_10p", sync::mpsc_10p, timers: false, warm: true, no_localpool),
        workload!("oneshot_roundtrip", sync::oneshot_roundtrip, timers: false, warm: true, no_localpool),
        workload!("semaphore_contended", sync::semaphore_contended, timers: false, warm: true, no_localpool),
    ]);
    all.push(workload!(
        "blocking_roundtrip",
        blocking::blocking_roundtrip,
        timers: true,
        warm: true,
        no_localpool
    ));
    all
}

pub(crate) const RUNTIMES: [&str; 4] = [
    rt::Coop::NAME,
    rt::Tokio::NAME,
    rt::Smol::NAME,
    rt::LocalPool::NAME,
];

fn main() {
    alloc::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.iter().any(|a| a == "--hold-client") {
        scale::hold_client(&args);
        return;
    }
    if let Some(addr) = flag("--echo-client") {
        tcp_echo::client(&addr);
        return;
    }
    match (flag("--workload"), flag("--runtime")) {
        (Some(workload), Some(runtime)) => run_one(&workload, &runtime),
        // `cargo bench` passes `--bench`; `cargo test --all-targets` runs
        // this binary without it, to check that it builds and starts. The
        // suite takes minutes, so it only runs when asked for.
        _ if !args.iter().any(|a| a == "--bench") => {
            println!("benchmark suite: run it with `cargo bench` or benches/compare.sh");
        }
        _ => compare::main(&args),
    }
}

fn run_one(name: &str, runtime: &str) {
    let workload = workloads()
        .into_iter()
        .find(|w| w.name == name)
        .unwrap_or_else(|| panic!("unknown workload {name}"));
    if workload.warm_up {
        (workload.run)(runtime);
    }
    let Some(rows) = (workload.run)(runtime) else {
        eprintln!("{name} does not run on {runtime}");
        return;
    };
    for row in rows {
        println!(
            "ROW\t{}\t{}\t{:.3}\t{}",
            row.name, runtime, row.value, row.unit
        );
    }
}
