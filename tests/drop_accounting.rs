//! Runtime drop with everything in flight frees all memory and closes
//! every descriptor (issue 11): a counting `#[global_allocator]` and
//! `/proc/self/fd`, compared before and after several rounds of "build a
//! runtime, fill it, drop it".
//!
//! Each round leaves in flight, at the moment the runtime is dropped:
//! sockets mid-write to a peer that does not read (both ends owned by
//! tasks), timers (sleeps, an interval, a timeout), blocking jobs still
//! running and others still queued, remote spawns racing the drop from two
//! threads, `JoinSet`s of pending tasks, channels holding values (bounded
//! with a sender waiting on the full channel, unbounded, oneshot), a Unix
//! stream mid-write, a UDP socket and a signal listener waiting, tasks
//! waiting on a `Mutex`, a `Notify`, a `watch` and a `Semaphore`, a
//! detached task that holds another task's `JoinHandle`, and 100k idle
//! tasks (the owned-task list's chunks), some aborted at scrambled keys.
//!
//! This file is its own test binary with a single `#[test]`, so the
//! allocator sees only this scenario (the harness runs nothing beside it).
//!
//! Tolerance, and why: none after a warm-up. The first round is not
//! measured: it pays for what the process keeps on purpose once it has
//! run a runtime (coop's list of runtimes inside `block_on`, a few bytes
//! whose capacity stays; std's lazily made statics; `tracing`'s callsite
//! registry; signal-hook's process-wide table of signal handlers, which
//! keeps the handler it installed for a signal even after the last
//! listener is gone, by design: a handler cannot be uninstalled safely).
//! Here that is +552 live bytes in 6 allocations, of which +8 bytes and no
//! allocation without the signal listener. After it,
//! every round must end with exactly the live allocation count and the
//! live bytes of the end of the warm-up: a leak of one task, timer, socket
//! or waker per round fails at once. (An earlier version allowed a plateau
//! and saw +96 bytes once: the test's own results `Vec` growing; it is
//! now allocated before the first snapshot.) Descriptors must return to
//! exactly the count before the first round.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coop::net::{TcpListener, TcpStream};
use coop::sync::{mpsc, oneshot};
use coop::task::JoinSet;
use coop::Builder;
use futures_util::AsyncWriteExt;

/// Counts live bytes and live allocations of every Rust allocation.
struct Counting;

static LIVE_BYTES: AtomicIsize = AtomicIsize::new(0);
static LIVE_ALLOCS: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards every call to `System` unchanged; the counters are
// plain atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            LIVE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as isize, Ordering::Relaxed);
            LIVE_ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as `alloc`; `ptr` came from `System` through this type.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        LIVE_ALLOCS.fetch_sub(1, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE_BYTES.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Measured rounds after the warm-up.
const ROUNDS: usize = 5;

/// Open descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .count()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    bytes: isize,
    allocs: isize,
    fds: usize,
}

fn snapshot() -> Snapshot {
    let fds = open_fds(); // before the counters: read_dir allocates
    Snapshot {
        bytes: LIVE_BYTES.load(Ordering::SeqCst),
        allocs: LIVE_ALLOCS.load(Ordering::SeqCst),
        fds,
    }
}

/// What one round got in flight before the drop, so the test knows the
/// scenario really happened.
#[derive(Debug, Default)]
struct InFlight {
    /// Bytes the writers got into the kernel before they blocked.
    written: usize,
    /// Blocking jobs running when the runtime was dropped.
    jobs_running: usize,
    /// Remote spawns made by the two racing threads.
    remote_spawns: u32,
    /// Tasks alive on the loop when it was dropped.
    tasks_live: usize,
}

/// One round: a runtime full of work in flight, then dropped.
fn round() -> InFlight {
    let rt = Builder::new().max_blocking_threads(2).build().unwrap();
    let handle = rt.handle();

    // Two threads spawn on the loop until the runtime is gone: their last
    // spawns race the drop and are cancelled on the spawning thread.
    let stop = Arc::new(AtomicBool::new(false));
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (handle, stop) = (handle.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut spawned = 0u32;
                // At least a few before the drop, then on until it is done.
                while spawned < 10 || (!stop.load(Ordering::SeqCst) && spawned < 100_000) {
                    let task = handle.spawn(async {
                        coop::time::sleep(Duration::from_secs(3600)).await;
                    });
                    drop(task);
                    spawned += 1;
                    std::thread::yield_now();
                }
                spawned
            })
        })
        .collect();

    let (release_jobs, jobs_wait) = std::sync::mpsc::channel::<()>();
    let jobs_wait = Arc::new(std::sync::Mutex::new(jobs_wait));
    let started = Arc::new(AtomicUsize::new(0));
    let written = std::rc::Rc::new(std::cell::Cell::new(0usize));
    rt.block_on(async {
        // Sockets mid-write: the server side writes until the kernel
        // buffers are full, to a client that never reads.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        for _ in 0..8 {
            let client = TcpStream::connect(addr).await.unwrap();
            let (mut server, _) = listener.accept().await.unwrap();
            let written = written.clone();
            drop(coop::spawn(async move {
                let _never_reads = client;
                let chunk = vec![7u8; 64 * 1024];
                while let Ok(n) = server.write(&chunk).await {
                    written.set(written.get() + n);
                }
            }));
        }
        drop(coop::spawn(async move {
            let _still_listening = listener.accept().await;
        }));

        // Timers: sleeps, an interval, a timeout, all far off.
        for ms in [10_000u64, 20_000, 3_600_000] {
            drop(coop::spawn(coop::time::sleep(Duration::from_millis(ms))));
        }
        drop(coop::spawn(async {
            let mut ticks = coop::time::interval(Duration::from_secs(60));
            loop {
                ticks.tick().await;
            }
        }));
        drop(coop::spawn(coop::time::timeout(
            Duration::from_secs(3600),
            std::future::pending::<()>(),
        )));

        // Blocking jobs: two running (the pool's two threads), two queued.
        for _ in 0..4 {
            let (jobs_wait, started) = (jobs_wait.clone(), started.clone());
            drop(coop::spawn_blocking(move || {
                started.fetch_add(1, Ordering::SeqCst);
                // Each job waits for the releaser (holding the lock, so the
                // other running job waits on the lock: both are running).
                let _ = jobs_wait
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(30));
            }));
        }

        // JoinSets of pending tasks, one held by a task.
        let mut set = JoinSet::new();
        for _ in 0..16 {
            set.spawn(std::future::pending::<u32>());
        }
        drop(coop::spawn(async move {
            let _ = set.join_next().await;
        }));

        // Channels holding values, a sender waiting on a full one.
        let (tx, rx) = mpsc::channel::<Vec<u8>>(2);
        tx.try_send(vec![1; 100]).unwrap();
        tx.try_send(vec![2; 100]).unwrap();
        drop(coop::spawn(async move {
            let _rx = rx;
            let _ = tx.send(vec![3; 100]).await; // waits: full
        }));
        let (utx, urx) = mpsc::unbounded_channel::<String>();
        for i in 0..32 {
            utx.send(format!("value {i}")).unwrap();
        }
        drop(coop::spawn(async move {
            let _keep = (utx, urx);
            std::future::pending::<()>().await
        }));
        let (otx, orx) = oneshot::channel::<Box<[u8; 256]>>();
        otx.send(Box::new([9; 256])).unwrap();
        drop(coop::spawn(async move {
            let _held = orx;
            std::future::pending::<()>().await
        }));

        // Other sockets mid-wait: a Unix stream pair mid-write, a UDP
        // socket waiting for a datagram, a signal listener.
        let (mut unix_a, unix_b) = coop::net::UnixStream::pair().unwrap();
        drop(coop::spawn(async move {
            let _never_reads = unix_b;
            let chunk = vec![5u8; 64 * 1024];
            while unix_a.write(&chunk).await.is_ok() {}
        }));
        let udp = coop::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        drop(coop::spawn(async move {
            let mut buf = [0u8; 64];
            let _ = udp.recv_from(&mut buf).await;
        }));
        let mut hangup =
            coop::signal::unix::signal(coop::signal::unix::SignalKind::hangup()).unwrap();
        drop(coop::spawn(async move {
            let _ = hangup.recv().await;
        }));

        // Waiters on the sync primitives: a mutex held by one task and
        // awaited by another, a Notify, a watch receiver, a semaphore.
        let mutex = std::rc::Rc::new(coop::sync::Mutex::new(vec![0u8; 32]));
        let guard_holder = mutex.clone();
        drop(coop::spawn(async move {
            let _guard = guard_holder.lock().await;
            std::future::pending::<()>().await
        }));
        drop(coop::spawn(async move {
            let _ = mutex.lock().await;
        }));
        let notify = std::rc::Rc::new(coop::sync::Notify::new());
        drop(coop::spawn(async move { notify.notified().await }));
        let (watch_tx, mut watch_rx) = coop::sync::watch::channel(String::from("v0"));
        drop(coop::spawn(async move {
            let _keep = watch_tx;
            let _ = watch_rx.changed().await;
        }));
        let semaphore = Arc::new(coop::sync::Semaphore::new(0));
        drop(coop::spawn(async move {
            let _ = semaphore.acquire_owned().await;
        }));

        // A detached task that owns the handle of another.
        let inner = coop::spawn(std::future::pending::<()>());
        drop(coop::spawn(async move {
            let _ = inner.await;
        }));

        // The owned-task list at scale: 100k idle tasks (98 chunks of the
        // list), about a fifth aborted at scrambled keys before the drop.
        let idle: Vec<_> = (0..100_000)
            .map(|_| coop::spawn(std::future::pending::<()>()))
            .collect();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..25_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            idle[(x % 100_000) as usize].abort();
        }
        drop(idle);

        // Let everything start: the writers fill the socket buffers, the
        // jobs start, the remote spawns land.
        for _ in 0..20 {
            coop::yield_now().await;
        }
        coop::time::sleep(Duration::from_millis(20)).await;
        for _ in 0..1000 {
            if started.load(Ordering::SeqCst) >= 2 {
                break;
            }
            coop::time::sleep(Duration::from_millis(5)).await;
        }
    });
    let in_flight = InFlight {
        written: written.get(),
        jobs_running: started.load(Ordering::SeqCst),
        remote_spawns: 0,
        tasks_live: rt.task_count(),
    };

    // The running jobs end soon after the drop begins (the drop waits for
    // them, up to its 10 s default); the queued ones are cancelled.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        drop(release_jobs);
    });
    drop(rt);
    stop.store(true, Ordering::SeqCst);
    let remote_spawns = racers.into_iter().map(|r| r.join().unwrap()).sum();
    releaser.join().unwrap();
    drop(handle);
    drop(jobs_wait);
    InFlight {
        remote_spawns,
        ..in_flight
    }
}

#[test]
fn runtime_drop_with_everything_in_flight_frees_all_memory_and_closes_every_fd() {
    // A watchdog: a hang fails the test instead of hanging CI.
    let done = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let done = done.clone();
        std::thread::spawn(move || {
            for _ in 0..1200 {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            eprintln!("drop_accounting: no result within 120 s: a hang");
            std::process::exit(1);
        })
    };

    // Allocated up front: a push that grew it would count as a leak.
    let mut rounds = Vec::with_capacity(ROUNDS);
    let mut in_flight = Vec::with_capacity(ROUNDS);
    let before = snapshot();
    let _warm_up = round();
    let warm = snapshot();
    for _ in 0..ROUNDS {
        in_flight.push(round());
        rounds.push(snapshot());
    }
    done.store(true, Ordering::SeqCst);
    watchdog.join().unwrap();

    eprintln!("before: {before:?}\nwarm-up: {warm:?}");
    for (i, f) in in_flight.iter().enumerate() {
        eprintln!("round {} in flight at the drop: {f:?}", i + 1);
        assert!(f.written > 0, "the writers never wrote");
        assert_eq!(f.jobs_running, 2, "both pool threads were busy");
        assert!(f.remote_spawns >= 20, "the racers spawned");
        assert!(f.tasks_live > 75_000, "the 100k idle tasks were alive");
    }
    for (i, s) in rounds.iter().enumerate() {
        eprintln!(
            "round {}: {s:?} (live bytes {:+}, allocations {:+} against the warm-up)",
            i + 1,
            s.bytes - warm.bytes,
            s.allocs - warm.allocs
        );
    }
    assert_eq!(
        warm.fds, before.fds,
        "the warm-up round left descriptors open"
    );
    for (i, s) in rounds.iter().enumerate() {
        assert_eq!(s.fds, before.fds, "round {} left descriptors open", i + 1);
        assert_eq!(
            s.allocs,
            warm.allocs,
            "round {} left {} allocations alive",
            i + 1,
            s.allocs - warm.allocs
        );
        assert_eq!(
            s.bytes,
            warm.bytes,
            "round {} left {} bytes alive",
            i + 1,
            s.bytes - warm.bytes
        );
    }
}
