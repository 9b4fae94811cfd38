//! A runtime kept in a thread-local is dropped while its thread exits, by
//! the thread-local destructors, when coop's own thread-locals (the current
//! runtime, the budget, the paused-clock counter) may already be gone. It
//! must still shut down cleanly: no panic (a panic in a TLS destructor
//! aborts the process), every task's future dropped, the queued blocking
//! job's closure dropped unrun, a `Drop` that calls `coop::spawn` refused
//! or caught rather than aborting, and handles that outlive it answering
//! "cancelled".
//!
//! The order is forced: the user's thread-local is touched *before* the
//! runtime first runs, so it registers its destructor first and (TLS
//! destructors run last-registered first) is destroyed after coop's.
//! One scenario also runs with the opposite order, where coop's
//! thread-locals are still alive.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll};
use std::thread;
use std::time::Duration;

use coop::{Handle, JoinHandle, Runtime};
use futures_util::FutureExt;

/// Counts drops across threads (the runtime dies on its own thread, the
/// test reads the count on the main one).
#[derive(Clone, Default)]
struct Drops(Arc<AtomicUsize>);

impl Drops {
    fn guard(&self) -> Guard {
        Guard(self.0.clone())
    }
    fn get(&self) -> usize {
        self.0.load(SeqCst)
    }
}

struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// A future that never finishes and, when dropped, calls `coop::spawn`:
/// during shutdown the spawn is refused (its future dropped at once) or,
/// with no runtime left to find, panics and the runtime catches the panic.
/// Either way both guards are dropped, and nothing aborts.
struct SpawnsOnDrop {
    _dropped: Guard,
    spawned: Option<Guard>,
}

impl Future for SpawnsOnDrop {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        Poll::Pending
    }
}

impl Drop for SpawnsOnDrop {
    fn drop(&mut self) {
        let guard = self.spawned.take();
        drop(coop::spawn(async move {
            let _guard = guard;
        }));
    }
}

/// What the exiting thread hands back before it exits.
struct Outside {
    handle: Handle,
    joins: Vec<JoinHandle<()>>,
    blocking: JoinHandle<()>,
}

/// Fills `rt` with pending work; returns the handles the test keeps.
/// Six guards are dropped at shutdown: a sleeping task, a task waiting on
/// a socket, a task waiting on nothing, the two of `SpawnsOnDrop`, and the
/// queued blocking job's closure.
fn load(rt: &Runtime, drops: &Drops) -> Outside {
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let mut joins = Vec::new();
    // Occupies the only pool thread until the queued job's closure is
    // dropped, so that job can only be cancelled, never run (and the
    // shutdown does not wait out its timeout).
    let busy = rt.handle().spawn_blocking(move || {
        let _ = release_rx.recv();
    });
    let queued = drops.guard();
    let blocking = rt.handle().spawn_blocking(move || {
        let _guard = queued;
        let _release = release_tx;
        panic!("a queued job must be cancelled, not run");
    });
    rt.block_on(async {
        let guard = drops.guard();
        joins.push(coop::spawn(async move {
            let _guard = guard;
            coop::time::sleep(Duration::from_secs(3600)).await;
        }));
        let guard = drops.guard();
        let listener = coop::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        joins.push(coop::spawn(async move {
            let _guard = guard;
            let _ = listener.accept().await;
        }));
        let guard = drops.guard();
        joins.push(coop::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        }));
        joins.push(coop::spawn(SpawnsOnDrop {
            _dropped: drops.guard(),
            spawned: Some(drops.guard()),
        }));
        coop::yield_now().await;
    });
    assert_eq!(drops.get(), 0);
    drop(busy);
    Outside {
        handle: rt.handle(),
        joins,
        blocking,
    }
}

/// Everything a runtime dropped by a TLS destructor must leave behind.
fn check(outside: Outside, drops: &Drops) {
    assert_eq!(
        drops.get(),
        6,
        "every pending future and the queued job were dropped"
    );
    let mut joins = outside.joins;
    // `SpawnsOnDrop`'s task: cancelled, or, where its `Drop` found no
    // runtime to spawn on, failed with the caught "outside" panic.
    let err = joins
        .pop()
        .unwrap()
        .now_or_never()
        .expect("finished")
        .unwrap_err();
    if !err.is_cancelled() {
        let panic = err.into_panic();
        let msg = panic.downcast_ref::<String>().expect("a panic message");
        assert!(msg.contains("was called outside a coop runtime"), "{msg}");
    }
    for join in joins {
        let err = join.now_or_never().expect("finished").unwrap_err();
        assert!(err.is_cancelled(), "{err}");
    }
    let err = outside.blocking.join_blocking().unwrap_err();
    assert!(err.is_cancelled(), "the queued job was cancelled: {err}");
    // The runtime is gone: a late spawn is cancelled at once, its future
    // dropped on this thread.
    let late = drops.guard();
    let join = outside.handle.spawn(async move {
        let _guard = late;
    });
    assert_eq!(drops.get(), 7, "the late future was dropped on the spot");
    assert!(join.join_blocking().unwrap_err().is_cancelled());
    let err = outside
        .handle
        .spawn_blocking(|| ())
        .join_blocking()
        .unwrap_err();
    assert!(err.is_cancelled());
}

thread_local! {
    static RT: RefCell<Option<Runtime>> = const { RefCell::new(None) };
}

/// Runs a thread that keeps a loaded runtime in `RT` and exits, so that
/// `RT`'s destructor drops the runtime. `user_tls_first`: touch `RT` before
/// the runtime first runs, so that coop's thread-locals die first.
fn runtime_in_refcell(user_tls_first: bool, paused: bool) {
    let drops = Drops::default();
    let counted = drops.clone();
    let child = thread::spawn(move || {
        if user_tls_first {
            RT.with(|_| {});
        }
        let rt = Runtime::builder()
            .max_blocking_threads(1)
            .start_paused(paused)
            .build()
            .unwrap();
        let outside = load(&rt, &counted);
        RT.with(|slot| *slot.borrow_mut() = Some(rt));
        outside
    });
    let outside = child.join().expect("the thread exited without a panic");
    check(outside, &drops);
}

#[test]
fn runtime_in_thread_local_dropped_after_coops_thread_locals() {
    runtime_in_refcell(true, false);
}

#[test]
fn runtime_in_thread_local_dropped_before_coops_thread_locals() {
    runtime_in_refcell(false, false);
}

#[test]
fn paused_runtime_in_thread_local_dropped_after_coops_thread_locals() {
    runtime_in_refcell(true, true);
}

/// A runtime owned by some other thread-local value, not a bare
/// `Option<Runtime>`.
struct Service {
    _rt: Runtime,
    _name: String,
}

thread_local! {
    static SERVICES: RefCell<Vec<Service>> = const { RefCell::new(Vec::new()) };
}

#[test]
fn runtime_owned_by_another_thread_local_value() {
    let drops = Drops::default();
    let counted = drops.clone();
    let child = thread::spawn(move || {
        SERVICES.with(|_| {});
        let rt = Runtime::builder().max_blocking_threads(1).build().unwrap();
        let outside = load(&rt, &counted);
        SERVICES.with(|s| {
            s.borrow_mut().push(Service {
                _rt: rt,
                _name: "svc".into(),
            })
        });
        outside
    });
    let outside = child.join().expect("the thread exited without a panic");
    check(outside, &drops);
}

/// A thread-local whose destructor calls `block_on` and reports what
/// happened (a panic must not leave the destructor: that aborts).
struct BlocksOnInDrop(Option<mpsc::Sender<Result<u32, String>>>);

impl Drop for BlocksOnInDrop {
    fn drop(&mut self) {
        let outcome = std::panic::catch_unwind(|| coop::block_on(async { 7 })).map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        });
        if let Some(tx) = self.0.take() {
            let _ = tx.send(outcome);
        }
    }
}

thread_local! {
    static BLOCKS_ON: RefCell<BlocksOnInDrop> = const { RefCell::new(BlocksOnInDrop(None)) };
}

/// `block_on` from a thread-local destructor that runs after coop's own
/// thread-locals are gone panics with coop's message (what happened and
/// what to do), not std's "cannot access a Thread Local Storage value";
/// before they are gone, it simply runs.
fn block_on_in_tls_destructor(user_tls_first: bool) -> Result<u32, String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        if user_tls_first {
            BLOCKS_ON.with(|b| b.borrow_mut().0 = Some(tx));
            // Registers coop's thread-local destructors after ours: they run first.
            coop::block_on(async {});
        } else {
            coop::block_on(async {});
            BLOCKS_ON.with(|b| b.borrow_mut().0 = Some(tx));
        }
    })
    .join()
    .expect("the thread exited without a panic");
    rx.recv().expect("the destructor ran")
}

#[test]
fn block_on_after_coops_thread_locals_died_says_what_to_do() {
    let message = block_on_in_tls_destructor(true).unwrap_err();
    assert!(
        message.contains("while this thread is exiting"),
        "{message}"
    );
    assert!(message.contains("Handle::spawn"), "{message}");
}

#[test]
fn block_on_before_coops_thread_locals_died_runs() {
    assert_eq!(block_on_in_tls_destructor(false), Ok(7));
}
