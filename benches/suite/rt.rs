//! The small runtime trait every workload is written against, and its four
//! implementations: coop, tokio (current-thread + `LocalSet`), smol's pieces
//! (`async_executor::LocalExecutor` driven by `async_io::block_on`) and
//! `futures::executor::LocalPool`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// What a workload needs from a runtime.
pub trait Rt: 'static {
    /// Name on the command line and in the table.
    const NAME: &'static str;
    /// An awaitable handle that gives the task's output (panics propagate).
    type Join<T: 'static>: Future<Output = T> + Unpin + 'static;
    /// The runtime's sleep future.
    type Sleep: Future<Output = ()> + 'static;

    /// Builds a fresh runtime and runs `f` on it to completion.
    fn block_on<F: Future + 'static>(f: F) -> F::Output;
    /// Spawns a task on the current runtime.
    fn spawn<F>(f: F) -> Self::Join<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static;
    /// Spawns a task whose handle is dropped at once.
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F);
    /// Sleeps for `d` on the current runtime.
    fn sleep(d: Duration) -> Self::Sleep;
}

/// Turns a `Result`-giving join handle into one that gives the output.
pub struct Unwrap<J>(pub J);

impl<T, E: std::fmt::Debug, J: Future<Output = Result<T, E>> + Unpin> Future for Unwrap<J> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.expect("task failed"))
    }
}

/// Drops a timer's output (`async_io::Timer` yields an `Instant`).
pub struct Unit<F>(F);

impl<F: Future + Unpin> Future for Unit<F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.0).poll(cx).map(drop)
    }
}

pub struct Coop;

impl Rt for Coop {
    const NAME: &'static str = "coop";
    type Join<T: 'static> = Unwrap<coop::JoinHandle<T>>;
    type Sleep = coop::time::Sleep;

    /// `COOP_EVENT_INTERVAL` and `COOP_BUDGET`, when set, override the
    /// defaults (to see what the knobs do to a row, e.g. latency_under_load).
    fn block_on<F: Future + 'static>(f: F) -> F::Output {
        let knob = |name| std::env::var(name).ok().and_then(|v| v.parse().ok());
        let mut builder = coop::Runtime::builder();
        if let Some(n) = knob("COOP_EVENT_INTERVAL") {
            builder = builder.event_interval(n);
        }
        if let Some(n) = knob("COOP_BUDGET") {
            builder = builder.budget(n);
        }
        builder.build().expect("coop runtime").block_on(f)
    }
    fn spawn<F>(f: F) -> Self::Join<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(coop::spawn(f))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        drop(coop::spawn(f));
    }
    fn sleep(d: Duration) -> Self::Sleep {
        coop::time::sleep(d)
    }
}

pub struct Tokio;

impl Rt for Tokio {
    const NAME: &'static str = "tokio";
    type Join<T: 'static> = Unwrap<tokio::task::JoinHandle<T>>;
    type Sleep = tokio::time::Sleep;

    fn block_on<F: Future + 'static>(f: F) -> F::Output {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        tokio::task::LocalSet::new().block_on(&rt, f)
    }
    fn spawn<F>(f: F) -> Self::Join<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        Unwrap(tokio::task::spawn_local(f))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        drop(tokio::task::spawn_local(f));
    }
    fn sleep(d: Duration) -> Self::Sleep {
        tokio::time::sleep(d)
    }
}

thread_local! {
    static SMOL: async_executor::LocalExecutor<'static> =
        const { async_executor::LocalExecutor::new() };
}

pub struct Smol;

impl Rt for Smol {
    const NAME: &'static str = "smol";
    type Join<T: 'static> = async_executor::Task<T>;
    type Sleep = Unit<async_io::Timer>;

    fn block_on<F: Future + 'static>(f: F) -> F::Output {
        SMOL.with(|ex| async_io::block_on(ex.run(f)))
    }
    fn spawn<F>(f: F) -> Self::Join<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        SMOL.with(|ex| ex.spawn(f))
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        SMOL.with(|ex| ex.spawn(f).detach());
    }
    fn sleep(d: Duration) -> Self::Sleep {
        Unit(async_io::Timer::after(d))
    }
}

thread_local! {
    static POOL: std::cell::RefCell<Option<futures::executor::LocalSpawner>> =
        const { std::cell::RefCell::new(None) };
}

pub struct LocalPool;

impl Rt for LocalPool {
    const NAME: &'static str = "localpool";
    type Join<T: 'static> = futures::future::RemoteHandle<T>;
    type Sleep = std::future::Pending<()>;

    fn block_on<F: Future + 'static>(f: F) -> F::Output {
        let mut pool = futures::executor::LocalPool::new();
        POOL.with(|p| *p.borrow_mut() = Some(pool.spawner()));
        let out = pool.run_until(f);
        POOL.with(|p| *p.borrow_mut() = None);
        out
    }
    fn spawn<F>(f: F) -> Self::Join<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        use futures::task::LocalSpawnExt;
        POOL.with(|p| {
            let p = p.borrow();
            p.as_ref()
                .expect("inside LocalPool")
                .spawn_local_with_handle(f)
                .expect("spawn")
        })
    }
    fn spawn_detached<F: Future<Output = ()> + 'static>(f: F) {
        use futures::task::LocalSpawnExt;
        POOL.with(|p| {
            let p = p.borrow();
            p.as_ref()
                .expect("inside LocalPool")
                .spawn_local(f)
                .expect("spawn")
        })
    }
    fn sleep(_: Duration) -> Self::Sleep {
        unreachable!("LocalPool has no timers")
    }
}
