//! Every point where coop calls user code (the call-out table in the docs
//! of `runtime/task/mod.rs`), one test per row: the user code panics or
//! re-enters coop, and the loop goes on, shutdown completes, every future
//! and output is dropped once, and every `JoinHandle` resolves.

mod support;

use std::future::{pending, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Wake, Waker};
use std::time::Duration;

use coop::Runtime;
use futures_util::FutureExt;
use support::{hold_forever, message_of, within, DropCounter, GENEROUS};

/// Panics when dropped (unless already unwinding, which would abort).
#[derive(Debug)]
struct PanicOnDrop(&'static str);

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            panic!("{}", self.0);
        }
    }
}

/// A future that is `Ready` at its first poll with `output`, holding
/// `held` until it is dropped.
struct ReadyWith<H, T> {
    held: Option<H>,
    output: Option<T>,
}

impl<H, T> ReadyWith<H, T> {
    fn new(held: H, output: T) -> Self {
        ReadyWith {
            held: Some(held),
            output: Some(output),
        }
    }
}

impl<H, T> Unpin for ReadyWith<H, T> {}

impl<H, T> Future for ReadyWith<H, T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<T> {
        let _ = &self.held;
        Poll::Ready(self.output.take().expect("polled once"))
    }
}

/// Row `poll`: a panic becomes the task's `JoinError`; a poll may spawn,
/// wake, and `Handle::spawn`; a nested `block_on` panics inside the poll.
#[test]
fn a_poll_that_reenters_coop_and_panics_fails_only_its_own_task() {
    let rt = Runtime::new().unwrap();
    let (err, spawned, remote, bystander) = rt.block_on(async {
        let bystander = coop::spawn(async {
            coop::yield_now().await;
            "bystander"
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let task = coop::spawn(async move {
            let spawned = coop::spawn(async { 1 });
            let remote = coop::Handle::current().spawn(async { 2 });
            tx.send((spawned, remote)).unwrap();
            coop::block_on(async {});
        });
        let err = task.await.unwrap_err();
        let (spawned, remote) = rx.recv().unwrap();
        let (spawned, remote) = (spawned.await.unwrap(), remote.await.unwrap());
        (err, spawned, remote, bystander.await.unwrap())
    });
    assert!(message_of(&*err.into_panic()).contains("Cannot call `block_on`"));
    assert_eq!((spawned, remote, bystander), (1, 2, "bystander"));
}

/// Rows "the future's `Drop`" and "the output's `Drop`" at completion
/// (issue 13.2): both panic; the task still completes, `block_on` does not
/// panic, and the handle reports the future's panic.
#[test]
fn a_future_and_an_output_that_both_panic_in_drop_still_complete_the_task() {
    let rt = Runtime::new().unwrap();
    let kept = rt.spawn(ReadyWith::new(
        PanicOnDrop("future drop"),
        PanicOnDrop("output drop"),
    ));
    drop(rt.spawn(ReadyWith::new(
        PanicOnDrop("detached future drop"),
        PanicOnDrop("detached output drop"),
    )));
    rt.block_on(coop::yield_now());
    assert!(kept.is_finished());
    assert_eq!(rt.task_count(), 0, "both left the task list");
    drop(rt);
    let err = kept.now_or_never().expect("finished").unwrap_err();
    assert_eq!(message_of(&*err.into_panic()), "future drop");
}

/// A panic payload whose own `Drop` panics (issue 13.2): the task panics
/// with it and its future's `Drop` panics, so coop drops the payload; or
/// the task is detached, so coop drops the output that holds it.
#[test]
fn a_panic_payload_whose_drop_panics_is_dropped_without_unwinding() {
    struct PanicsWithBadPayload(#[allow(dead_code)] PanicOnDrop);
    impl Future for PanicsWithBadPayload {
        type Output = ();
        fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
            std::panic::panic_any(PanicOnDrop("payload drop"))
        }
    }
    let rt = Runtime::new().unwrap();
    let replaced = rt.spawn(PanicsWithBadPayload(PanicOnDrop("future drop")));
    let detached = rt.spawn(async { std::panic::panic_any(PanicOnDrop("payload drop")) });
    drop(detached);
    rt.block_on(async {
        coop::yield_now().await;
        coop::yield_now().await;
    });
    let err = rt.block_on(replaced).unwrap_err();
    assert_eq!(message_of(&*err.into_panic()), "future drop");
    assert_eq!(rt.task_count(), 0);
}

/// Row "`Drop` of what a task owns, at shutdown": the future's `Drop`
/// panics and re-enters coop (spawn, `Handle::spawn`, wake, `block_on`);
/// shutdown completes, each handle resolves, each future is dropped once.
#[test]
fn destructors_that_panic_and_reenter_coop_at_shutdown_let_it_complete() {
    struct Reenter {
        drops: DropCounter,
        sibling: Option<Waker>,
        spawned: Arc<std::sync::Mutex<Vec<coop::JoinHandle<()>>>>,
    }
    impl Drop for Reenter {
        fn drop(&mut self) {
            let local = coop::spawn(hold_forever(self.drops.guard()));
            let remote = coop::Handle::current().spawn(async {});
            self.spawned.lock().unwrap().extend([local, remote]);
            if let Some(waker) = self.sibling.take() {
                waker.wake();
            }
            coop::block_on(async {}); // panics: a runtime is current
        }
    }
    let drops = DropCounter::new();
    let spawned = Arc::default();
    let rt = Runtime::new().unwrap();
    let (stash, guard) = (Arc::new(std::sync::Mutex::new(None)), drops.guard());
    let sibling = rt.spawn({
        let stash = stash.clone();
        async move {
            let _guard = guard;
            std::future::poll_fn(|cx| {
                *stash.lock().unwrap() = Some(cx.waker().clone());
                Poll::<()>::Pending
            })
            .await
        }
    });
    rt.block_on(coop::yield_now());
    let reenter = Reenter {
        drops: drops.clone(),
        sibling: stash.lock().unwrap().take(),
        spawned: Arc::clone(&spawned),
    };
    let owner = rt.spawn(async move {
        let _reenter = reenter;
        pending::<()>().await
    });
    rt.block_on(coop::yield_now());
    drop(rt);

    assert_eq!(drops.drops(), 2, "the sibling and the late task, once each");
    assert!(owner.now_or_never().unwrap().unwrap_err().is_panic());
    assert!(sibling.now_or_never().unwrap().unwrap_err().is_cancelled());
    for late in spawned.lock().unwrap().drain(..) {
        assert!(late.now_or_never().unwrap().unwrap_err().is_cancelled());
    }
}

/// Counts `wake`s; panics in `wake` and in `Drop` if told to.
struct Custom {
    wakes: AtomicUsize,
    panic_in_wake: bool,
    panic_in_drop: bool,
}

impl Custom {
    fn waker(panic_in_wake: bool, panic_in_drop: bool) -> (Arc<Custom>, Waker) {
        let custom = Arc::new(Custom {
            wakes: AtomicUsize::new(0),
            panic_in_wake,
            panic_in_drop,
        });
        (custom.clone(), Waker::from(custom))
    }
}

impl Wake for Custom {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        if self.panic_in_wake {
            panic!("custom wake");
        }
    }
}

impl Drop for Custom {
    fn drop(&mut self) {
        if self.panic_in_drop && !std::thread::panicking() {
            panic!("custom waker drop");
        }
    }
}

/// Row "a `Waker`'s `wake` and `drop`": the join waker panics when the task
/// completes and when the task is freed; a timer's waker panics when the
/// timer fires. The loop goes on and every other wake is delivered.
#[test]
fn wakers_that_panic_when_the_loop_wakes_or_frees_them_are_contained() {
    within(GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let mut task = rt.spawn(async { 7 });
        let (custom, waker) = Custom::waker(true, true);
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(&mut task).poll(&mut cx).is_pending());
        drop(waker);
        rt.block_on(coop::yield_now());
        assert_eq!(custom.wakes.load(Ordering::SeqCst), 1);
        drop(custom);
        assert_eq!(task.now_or_never().unwrap().unwrap(), 7);

        // A timer whose waker panics fires beside one that must still wake.
        let out = rt.block_on(async {
            let (_custom, waker) = Custom::waker(true, false);
            let mut doomed = Box::pin(coop::time::sleep(Duration::from_millis(1)));
            assert!(doomed
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
            coop::time::sleep(Duration::from_millis(5)).await;
            "woken"
        });
        assert_eq!(out, "woken");
    });
}

/// Row "a `Waker`'s `clone`": coop clones the waker of whoever polls a
/// `JoinHandle`; a panic there is that poll's, and the handle still works.
#[test]
fn a_waker_whose_clone_panics_fails_the_poll_that_registers_it() {
    fn panicking_clone(_: *const ()) -> RawWaker {
        panic!("waker clone");
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(panicking_clone, noop, noop, noop);
    // SAFETY: the vtable's functions ignore the data pointer and do nothing
    // (or panic, which `RawWaker`'s contract allows).
    let waker = unsafe { Waker::from_raw(RawWaker::new(std::ptr::null(), &VTABLE)) };

    let rt = Runtime::new().unwrap();
    let mut task = rt.spawn(async { 3 });
    let message = support::panic_message(|| {
        let _ = Pin::new(&mut task).poll(&mut Context::from_waker(&waker));
    });
    assert_eq!(message, "waker clone");
    assert_eq!(rt.block_on(task).unwrap(), 3);
}

/// Row "a blocking closure": a panic is the job's `JoinError`; the closure
/// may use `Handle::current` and spawn on the loop; `coop::spawn` (no loop
/// on a pool thread) panics inside the closure, failing only that job.
#[test]
fn a_blocking_closure_that_panics_or_reenters_coop_fails_only_its_job() {
    within(GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let out = rt.block_on(async {
            let panicked = coop::spawn_blocking(|| panic!("in the closure"));
            let no_loop = coop::spawn_blocking(|| drop(coop::spawn(async {})));
            let reenters = coop::spawn_blocking(|| coop::Handle::current().spawn(async { 4 }));
            let panicked = panicked.await.unwrap_err();
            assert!(no_loop.await.unwrap_err().is_panic());
            let inner = reenters.await.unwrap();
            (message_of(&*panicked.into_panic()), inner.await.unwrap())
        });
        assert_eq!(out, (String::from("in the closure"), 4));
    });
}

/// Row "`JoinHandle` drop": the handle drops a finished task's output on
/// the dropping thread; a panic in that `Drop` does not unwind out of the
/// handle's drop, and a handle dropped elsewhere frees the task there.
#[test]
fn dropping_a_join_handle_whose_output_panics_in_drop_does_not_unwind() {
    let rt = Runtime::new().unwrap();
    let here = rt.spawn(async { PanicOnDrop("output drop, here") });
    let there = rt.spawn(async { PanicOnDrop("output drop, there") });
    rt.block_on(coop::yield_now());
    assert!(here.is_finished() && there.is_finished());
    drop(here);
    std::thread::spawn(move || drop(there)).join().unwrap();
    assert_eq!(rt.task_count(), 0);
}

/// A waker whose `Drop` spawns (legal while a runtime is current) and then
/// panics, left in the timer heap by a leaked `Sleep`: shutdown drops it
/// while the runtime is still current, so the spawn is cancelled on the
/// spot and the panic stays inside coop, instead of both escaping from the
/// runtime's drop.
#[test]
fn a_waker_left_in_the_timer_heap_by_a_leaked_sleep_is_dropped_at_shutdown() {
    static SPAWNED: std::sync::Mutex<Option<coop::JoinHandle<()>>> = std::sync::Mutex::new(None);

    struct SpawnsOnDrop;
    impl Wake for SpawnsOnDrop {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for SpawnsOnDrop {
        fn drop(&mut self) {
            let handle = coop::spawn(async {
                let _not_send = std::rc::Rc::new(());
            });
            *SPAWNED.lock().unwrap() = Some(handle);
            panic!("a waker's drop panics");
        }
    }

    let rt = Runtime::new().unwrap();
    rt.block_on(async {
        let mut sleep = Box::pin(coop::time::sleep(Duration::from_secs(3600)));
        let waker = Waker::from(Arc::new(SpawnsOnDrop));
        assert!(sleep
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        drop(waker); // the heap holds the only clone now
        std::mem::forget(sleep);
    });
    drop(rt); // must not panic
    let handle = SPAWNED
        .lock()
        .unwrap()
        .take()
        .expect("the waker was dropped during shutdown, with the runtime current");
    assert!(
        handle.is_finished(),
        "a task spawned during shutdown is cancelled at once"
    );
}

/// Holds a guard and panics when dropped: a task body's state that both
/// counts its drop and panics in it.
struct CountedPanicOnDrop(
    #[allow(dead_code)] support::DropGuard,
    #[allow(dead_code)] PanicOnDrop,
);

/// Row "the future's `Drop`", at abort: a future whose `Drop` panics is
/// aborted from another task, from another thread (the drop still runs on
/// the loop), and by dropping the `JoinSet` that holds it. Each abort
/// completes, the handle reports the drop's panic, each future is dropped
/// once, and a bystander task finishes.
#[test]
fn aborting_a_task_whose_future_panics_in_drop_completes_the_abort() {
    within(GENEROUS, || {
        let drops = DropCounter::new();
        let rt = Runtime::new().unwrap();
        let (local, remote, bystander, set_drops) = rt.block_on(async {
            let held = |name| CountedPanicOnDrop(drops.guard(), PanicOnDrop(name));
            let bystander = coop::spawn(async {
                for _ in 0..10 {
                    coop::yield_now().await;
                }
                "bystander"
            });
            let local = coop::spawn({
                let held = held("aborted here");
                async move {
                    let _held = held;
                    pending::<()>().await
                }
            });
            let remote = coop::spawn({
                let held = held("aborted from a thread");
                async move {
                    let _held = held;
                    pending::<()>().await
                }
            });
            let mut set = coop::task::JoinSet::new();
            for _ in 0..3 {
                let held = held("aborted with the set");
                set.spawn(async move {
                    let _held = held;
                    pending::<()>().await
                });
            }
            coop::yield_now().await; // all of them wait now
            local.abort();
            let remote = std::thread::spawn(move || {
                remote.abort();
                remote
            })
            .join()
            .unwrap();
            let local = local.await.unwrap_err();
            let remote = remote.await.unwrap_err();
            let before = drops.drops();
            drop(set);
            // The set's aborts take effect on the loop's next turn.
            coop::yield_now().await;
            coop::yield_now().await;
            let set_drops = drops.drops() - before;
            (local, remote, bystander.await.unwrap(), set_drops)
        });
        assert_eq!(message_of(&*local.into_panic()), "aborted here");
        assert_eq!(message_of(&*remote.into_panic()), "aborted from a thread");
        assert_eq!(bystander, "bystander");
        assert_eq!(set_drops, 3, "dropping the set dropped its futures");
        assert_eq!(drops.drops(), 5);
        assert_eq!(rt.task_count(), 0);
    });
}

/// Row "a `Waker`'s `wake`", called by user code that then panics: a task
/// wakes a sibling and itself, then panics. The sibling runs; the panicking
/// task is complete and is never polled again (its own wake finds it
/// complete); nothing is dropped twice or leaked. A plain thread that wakes
/// a task and then panics delivers its wake all the same.
#[test]
fn a_wake_followed_by_a_panic_is_delivered_and_the_panicking_task_is_not_polled_again() {
    within(GENEROUS, || {
        let drops = DropCounter::new();
        let rt = Runtime::new().unwrap();
        let out = rt.block_on(async {
            let signal = support::Signal::new();
            let sibling = coop::spawn({
                let signal = signal.clone();
                async move {
                    signal.wait().await;
                    "sibling ran"
                }
            });
            coop::yield_now().await; // the sibling parks its waker
            let (counted, polls) = support::count_polls(Box::pin({
                let (signal, guard) = (signal.clone(), drops.guard());
                async move {
                    let _guard = guard;
                    std::future::poll_fn(|cx| {
                        cx.waker().wake_by_ref();
                        Poll::Ready(())
                    })
                    .await;
                    signal.notify();
                    panic!("after the wakes");
                }
            }));
            let failed = coop::spawn(counted).await.unwrap_err();
            for _ in 0..3 {
                coop::yield_now().await;
            }
            assert_eq!(polls.get(), 1, "a completed task's self-wake polls nothing");

            let from_thread = support::Signal::new();
            let waiting = coop::spawn({
                let from_thread = from_thread.clone();
                async move { from_thread.wait().await }
            });
            coop::yield_now().await;
            let thread = std::thread::spawn(move || {
                from_thread.notify();
                panic!("a thread that woke the loop dies");
            });
            assert!(thread.join().is_err());
            waiting.await.unwrap();
            (message_of(&*failed.into_panic()), sibling.await.unwrap())
        });
        assert_eq!(out, (String::from("after the wakes"), "sibling ran"));
        assert_eq!(drops.drops(), 1);
        assert_eq!(rt.task_count(), 0);
    });
}

/// Row "a blocking closure", when it never runs: a job still queued at
/// shutdown is cancelled and its closure dropped on the shutting-down
/// thread; that `Drop` panics and re-enters coop (`spawn_blocking`,
/// `Handle::spawn`). Shutdown completes, both late jobs resolve as
/// cancelled, and the closure's captures are dropped once.
#[test]
fn a_queued_blocking_closure_whose_drop_panics_and_spawns_at_shutdown() {
    static LATE: std::sync::Mutex<Vec<coop::JoinHandle<()>>> = std::sync::Mutex::new(Vec::new());
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Captured;
    impl Drop for Captured {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::SeqCst);
            let handle = coop::Handle::current();
            let job = handle.spawn_blocking(|| ());
            let task = handle.spawn(async {});
            LATE.lock().unwrap().extend([job, task]);
            panic!("a queued closure's capture panics in drop");
        }
    }

    within(GENEROUS, || {
        let rt = coop::Builder::new()
            .max_blocking_threads(1)
            .build()
            .unwrap();
        let handle = rt.handle();
        let (started, running) = std::sync::mpsc::channel();
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let busy = handle.spawn_blocking(move || {
            started.send(()).unwrap();
            let _ = wait.recv_timeout(GENEROUS);
        });
        running.recv().unwrap(); // the only worker is taken
        let captured = Captured;
        let queued = handle.spawn_blocking(move || drop(captured));
        // The queue is cancelled before shutdown waits for running jobs;
        // the busy one is let go only after, so the queued job can never
        // start, however slow this thread is.
        rt.shutdown_timeout(Duration::from_millis(50)); // must not panic
        drop(release);
        assert!(busy.join_blocking().is_ok());
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        // The closure's drop panicked: as for a task's future, that panic
        // is the job's result.
        let queued = queued.now_or_never().unwrap().unwrap_err();
        assert_eq!(
            message_of(&*queued.into_panic()),
            "a queued closure's capture panics in drop"
        );
        for late in LATE.lock().unwrap().drain(..) {
            let late = late.now_or_never().expect("a late spawn is resolved");
            assert!(late.unwrap_err().is_cancelled());
        }
    });
}

/// Row "`Drop` of what a task owns, at shutdown", aborting: a future's
/// `Drop` at shutdown aborts a sibling that is still in the task list and
/// then panics. The sibling is cancelled once; shutdown completes.
#[test]
fn a_drop_at_shutdown_that_aborts_a_sibling_then_panics() {
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    let sibling = Rc::new(rt.spawn(hold_forever(drops.guard())));
    struct Aborts(Rc<coop::JoinHandle<()>>);
    impl Drop for Aborts {
        fn drop(&mut self) {
            self.0.abort();
            panic!("aborted a sibling, then panicked");
        }
    }
    let aborts = Aborts(sibling.clone());
    let owner = rt.spawn(async move {
        let _aborts = aborts;
        pending::<()>().await
    });
    rt.block_on(coop::yield_now());
    drop(rt);
    assert_eq!(drops.drops(), 1);
    let sibling = Rc::try_unwrap(sibling).expect("the owner's future was dropped");
    assert!(sibling.now_or_never().unwrap().unwrap_err().is_cancelled());
    assert!(owner.now_or_never().unwrap().unwrap_err().is_panic());
}

/// Row "`Drop` of what a task owns, at shutdown", with `spawn_blocking`: the
/// task list is closed but the blocking pool is not yet (it shuts down
/// after the tasks), so the job is accepted; shutdown then runs it or
/// cancels it, and either way its handle resolves and its closure is
/// dropped once. A job's output whose `Drop` panics, dropped with its
/// handle on another thread, does not unwind there.
#[test]
fn a_drop_at_shutdown_may_spawn_blocking_and_the_job_resolves() {
    static JOB: std::sync::Mutex<Option<coop::JoinHandle<u32>>> = std::sync::Mutex::new(None);
    static CLOSURES_DROPPED: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            CLOSURES_DROPPED.fetch_add(1, Ordering::SeqCst);
        }
    }
    struct SpawnsBlocking;
    impl Drop for SpawnsBlocking {
        fn drop(&mut self) {
            let counted = Counted;
            *JOB.lock().unwrap() = Some(coop::spawn_blocking(move || {
                let _counted = counted;
                std::thread::sleep(Duration::from_millis(5));
                7
            }));
        }
    }

    within(GENEROUS, || {
        let rt = Runtime::new().unwrap();
        let owner = rt.spawn(async {
            let _spawns = SpawnsBlocking;
            pending::<()>().await
        });
        let bad_output = rt
            .handle()
            .spawn_blocking(|| PanicOnDrop("job output drop"));
        rt.block_on(coop::time::sleep(Duration::from_millis(20)));
        assert!(bad_output.is_finished());
        std::thread::spawn(move || drop(bad_output)).join().unwrap();
        drop(rt);
        assert!(owner.now_or_never().unwrap().unwrap_err().is_cancelled());
        let job = JOB
            .lock()
            .unwrap()
            .take()
            .expect("the Drop ran at shutdown");
        match job
            .now_or_never()
            .expect("resolved by the time shutdown returns")
        {
            Ok(n) => assert_eq!(n, 7),
            Err(e) => assert!(e.is_cancelled()),
        }
        assert_eq!(CLOSURES_DROPPED.load(Ordering::SeqCst), 1);
    });
}
