//! In-crate tests of the task allocation, waker and join handle: the
//! `unsafe` core. They need no sockets, so `cargo +nightly miri test --lib`
//! runs them under Miri, which checks every pointer access.

use std::cell::Cell;
use std::future::{pending, poll_fn, Future};
use std::rc::Rc;
use std::task::{Poll, Waker};

use crate::Runtime;

/// Counts drops of the value it is attached to.
struct DropCounter(Rc<Cell<usize>>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn output_reaches_the_join_handle() {
    let rt = Runtime::new().unwrap();
    let out = rt.block_on(async { crate::spawn(async { String::from("out") }).await });
    assert_eq!(out.unwrap(), "out");
}

#[test]
fn detached_output_is_dropped_once() {
    let drops = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let d = drops.clone();
    rt.block_on(async move {
        drop(crate::spawn(async move { DropCounter(d) }));
        crate::yield_now().await;
    });
    assert_eq!(drops.get(), 1);
}

#[test]
fn abort_and_shutdown_drop_the_future_once() {
    let drops = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let (a, b) = (drops.clone(), drops.clone());
    let aborted = rt.spawn(async move {
        let _guard = DropCounter(a);
        pending::<()>().await
    });
    let _pending = rt.spawn(async move {
        let _guard = DropCounter(b);
        pending::<()>().await
    });
    rt.block_on(crate::yield_now());
    aborted.abort();
    assert!(rt.block_on(aborted).unwrap_err().is_cancelled());
    assert_eq!(drops.get(), 1);
    drop(rt);
    assert_eq!(drops.get(), 2);
}

#[test]
fn a_waker_woken_from_another_thread_and_after_the_runtime_is_gone() {
    let rt = Runtime::new().unwrap();
    let stash: Rc<Cell<Option<Waker>>> = Rc::new(Cell::new(None));
    let s = stash.clone();
    let mut polled = 0;
    let task = rt.spawn(poll_fn(move |cx| {
        polled += 1;
        if polled == 1 {
            s.set(Some(cx.waker().clone()));
            Poll::Pending
        } else {
            Poll::Ready(polled)
        }
    }));
    rt.block_on(crate::yield_now());
    let waker = stash.take().expect("the task stored its waker");
    let late = waker.clone();
    std::thread::spawn(move || waker.wake()).join().unwrap();
    assert_eq!(rt.block_on(task).unwrap(), 2);
    drop(rt);
    late.wake();
}

#[test]
fn a_panicking_task_is_reported_and_the_loop_goes_on() {
    let rt = Runtime::new().unwrap();
    let (bad, good) = rt.block_on(async {
        let bad = crate::spawn(async { panic!("boom") });
        let good = crate::spawn(async { 5 });
        (bad.await, good.await)
    });
    assert!(bad.unwrap_err().is_panic());
    assert_eq!(good.unwrap(), 5);
}

/// Issue 13.1 under Miri: a join waker freed while shutdown empties the run
/// queue spawns a task holding an `Rc`. That task must be cancelled on the
/// loop's thread; if it were not, dropping its (`Send`) handle on another
/// thread would drop the `Rc` there while this thread clones it: a data
/// race Miri reports, from safe code.
#[test]
fn a_task_spawned_while_shutdown_frees_a_task_is_cancelled_on_the_loop_thread() {
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Wake};

    static LATE: Mutex<Option<crate::JoinHandle<()>>> = Mutex::new(None);
    std::thread_local! {
        static SHARED: Rc<()> = Rc::new(());
    }

    struct SpawnOnDrop;
    impl Wake for SpawnOnDrop {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let rc = SHARED.with(Rc::clone);
            let late = crate::spawn(async move {
                let _rc = rc;
                pending::<()>().await
            });
            *LATE.lock().unwrap() = Some(late);
        }
    }

    let rt = Runtime::new().unwrap();
    let mut first = rt.spawn(pending::<()>());
    let waker = Waker::from(Arc::new(SpawnOnDrop));
    let polled = std::pin::Pin::new(&mut first).poll(&mut Context::from_waker(&waker));
    assert!(polled.is_pending());
    drop((waker, first));
    drop(rt);

    let late = LATE
        .lock()
        .unwrap()
        .take()
        .expect("the waker's Drop spawned");
    assert!(late.is_finished(), "cancelled at once");
    assert_eq!(SHARED.with(Rc::strong_count), 1, "its Rc died here");
    let dropper = std::thread::spawn(move || drop(late));
    for _ in 0..100 {
        drop(SHARED.with(Rc::clone));
    }
    dropper.join().unwrap();
}

#[test]
fn an_abort_handle_frees_the_task_when_it_is_the_last_reference() {
    // The abort handle outlives the JoinHandle, the task and the runtime,
    // and drops the last reference on another thread: Miri checks that the
    // allocation is freed once, after every other use.
    let drops = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let d = drops.clone();
    let task = rt.spawn(async move {
        let _guard = DropCounter(d);
        pending::<()>().await
    });
    let abort = task.abort_handle();
    let clone = abort.clone();
    drop(task);
    rt.block_on(crate::yield_now());
    clone.abort();
    rt.block_on(crate::yield_now());
    assert_eq!(drops.get(), 1);
    assert!(abort.is_finished());
    drop(rt);
    abort.abort();
    std::thread::spawn(move || drop(abort)).join().unwrap();
    drop(clone);
}

/// Panics in its `Drop`; the counter beside it must still drop once.
struct PanicOnDrop;

impl Drop for PanicOnDrop {
    fn drop(&mut self) {
        panic!("drop panics");
    }
}

/// A future that keeps `held` until it is dropped (an `async` block would
/// drop it inside its last poll): pending once, then ready.
fn holding<T: 'static>(held: T) -> impl Future<Output = ()> {
    let mut polled = false;
    poll_fn(move |cx| {
        let _held = &held;
        if polled {
            return Poll::Ready(());
        }
        polled = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    })
}

/// The future and the output are dropped in place (`raw.rs`: `finish`,
/// `drop_output`); a `Drop` that panics half-way must leave the other
/// fields dropped exactly once and the stage overwritten, not dropped
/// again. Detached (the loop-only path) and joined (the handle drops the
/// output), for the future and for the output.
#[test]
fn drops_in_place_that_panic_half_way_drop_everything_once() {
    let drops = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let (d1, d2, d3, d4) = (drops.clone(), drops.clone(), drops.clone(), drops.clone());
    let (future_panicked, output) = rt.block_on(async move {
        // A future whose drop panics after its first field: its task
        // completes with the panic as the result.
        let joined = crate::spawn(holding((PanicOnDrop, DropCounter(d1))));
        // The same, detached.
        drop(crate::spawn(holding((PanicOnDrop, DropCounter(d2)))));
        // Outputs whose drop panics, detached and joined.
        drop(crate::spawn(async move { (PanicOnDrop, DropCounter(d3)) }));
        let out = crate::spawn(async move { (PanicOnDrop, DropCounter(d4)) });
        for _ in 0..4 {
            crate::yield_now().await;
        }
        (joined.await.unwrap_err().is_panic(), out.await)
    });
    assert!(future_panicked);
    assert_eq!(
        drops.get(),
        3,
        "the futures' counters and the detached output's"
    );
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(output)));
    assert!(caught.is_err(), "the joined output is the caller's to drop");
    assert_eq!(drops.get(), 4);
    drop(rt);
    assert_eq!(drops.get(), 4);
}

/// A waker that only counts itself: `Arc::strong_count` says how many
/// copies are alive, so one kept in a task's join-waker cell shows whether
/// the task's allocation was freed (`dealloc` drops the cell).
struct Probe;

impl std::task::Wake for Probe {
    fn wake(self: std::sync::Arc<Self>) {}
}

/// Runs `task` with a `Probe` in its join-waker cell; `end` finishes the
/// story (completion or shutdown). Returns how many probe copies are left
/// once the handle is dropped too: 2 (the test's two) if the task was freed.
fn probe_copies_after(
    task: impl Future<Output = ()> + 'static,
    end: impl FnOnce(&Runtime),
) -> usize {
    let rt = Runtime::new().unwrap();
    let mut handle = rt.spawn(task);
    let probe = std::sync::Arc::new(Probe);
    let probe_waker = Waker::from(probe.clone());
    let mut cx = std::task::Context::from_waker(&probe_waker);
    assert!(std::pin::Pin::new(&mut handle).poll(&mut cx).is_pending());
    end(&rt);
    drop(handle);
    drop(rt);
    std::sync::Arc::strong_count(&probe)
}

/// Clones its waker `n` times and drops the clones, all on the loop: the
/// first go to the loop's reference pool (`ref_pool.rs`), past its cap the
/// rest to the count.
fn churn_wakers(cx: &std::task::Context<'_>, n: usize) {
    let wakers: Vec<Waker> = (0..n).map(|_| cx.waker().clone()).collect();
    drop(wakers);
}

#[test]
fn references_pooled_by_the_loop_are_released_when_the_task_ends() {
    let parked: Rc<Cell<Option<Waker>>> = Rc::default();
    let p = parked.clone();
    let task = async move {
        let mut polled = false;
        poll_fn(|cx| {
            churn_wakers(cx, 100);
            if polled {
                return Poll::Ready(());
            }
            polled = true;
            // Its idle step keeps the queue reference in the pool too.
            p.set(Some(cx.waker().clone()));
            Poll::Pending
        })
        .await
    };
    let left = probe_copies_after(task, |rt| {
        rt.block_on(async {
            crate::yield_now().await; // the task's first poll
            parked.take().expect("the task parked").wake();
            crate::yield_now().await; // its second, which ends it
        });
    });
    assert_eq!(left, 2, "the task was freed once its handle was dropped");
}

#[test]
fn references_pooled_by_the_loop_are_released_when_shutdown_cancels_the_task() {
    let task = async move {
        poll_fn(|cx| {
            churn_wakers(cx, 100);
            Poll::<()>::Pending
        })
        .await
    };
    let left = probe_copies_after(task, |rt| {
        rt.block_on(crate::yield_now()); // the task's first and only poll
    });
    assert_eq!(left, 2, "the task was freed once its handle was dropped");
}

/// A wake on the loop claims an idle task (`state.rs`). Woken again on the
/// loop while it waits in the queue, it is polled once, not once per wake
/// (no spurious poll from wakes on the loop), and a snapshot calls it
/// runnable (queued), not running.
#[test]
fn a_task_claimed_on_its_loop_is_polled_once_however_often_it_is_woken_while_queued() {
    use crate::task::TaskState;
    let rt = Runtime::new().unwrap();
    let polls = Rc::new(Cell::new(0));
    let go = Rc::new(Cell::new(false));
    let slot: Rc<Cell<Option<Waker>>> = Rc::default();
    let (p, g, s) = (polls.clone(), go.clone(), slot.clone());
    let task = rt.spawn(poll_fn(move |cx| {
        p.set(p.get() + 1);
        if g.get() {
            return Poll::Ready(());
        }
        s.set(Some(cx.waker().clone()));
        Poll::Pending
    }));
    rt.block_on(async {
        crate::yield_now().await;
        assert_eq!(polls.get(), 1);
        let waker = slot.take().expect("the first poll stored its waker");
        waker.wake_by_ref(); // claims it
        waker.wake_by_ref();
        waker.wake(); // by value: its reference goes to the loop's pool
        assert_eq!(rt.tasks()[0].state(), TaskState::Runnable);
        for _ in 0..3 {
            crate::yield_now().await;
        }
        assert_eq!(polls.get(), 2, "three wakes while queued, one poll");
        go.set(true);
        slot.take()
            .expect("the second poll stored its waker")
            .wake();
        task.await.unwrap();
    });
    assert_eq!(polls.get(), 3);
}

/// A task claimed by a wake on the loop and never popped (`block_on`
/// returned first) is still cancelled by shutdown: its future is dropped
/// once, and the task freed (Miri checks the leak).
#[test]
fn shutdown_drops_a_claimed_task_still_in_the_queue_once() {
    let drops = Rc::new(Cell::new(0));
    let rt = Runtime::new().unwrap();
    let slot: Rc<Cell<Option<Waker>>> = Rc::default();
    let (d, s) = (drops.clone(), slot.clone());
    let task = rt.spawn(async move {
        let _guard = DropCounter(d);
        poll_fn(|cx| {
            s.set(Some(cx.waker().clone()));
            Poll::<()>::Pending
        })
        .await
    });
    rt.block_on(async {
        crate::yield_now().await;
        slot.take().expect("polled once").wake();
    });
    assert_eq!(drops.get(), 0, "claimed, not yet polled");
    drop(rt);
    assert_eq!(drops.get(), 1);
    drop(task);
}

/// The header (state word, vtable, scheduler, id, owned key, poll count,
/// join waker and the loop word) fits one 64-byte cache line: the loop
/// word shares its bits so that the pool and the claim flag cost no
/// memory per task. A field added without packing it fails this, and
/// `mem_task` in the benchmark table grows by 8 bytes per task.
#[cfg(target_pointer_width = "64")]
#[test]
fn the_task_header_is_one_cache_line() {
    assert_eq!(std::mem::size_of::<super::raw::Header>(), 64);
}
