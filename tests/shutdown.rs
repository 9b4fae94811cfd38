//! Dropping a runtime drops every future still pending on it, on its
//! thread, and leaves handles and wakers that outlive it harmless.

mod support;

use std::future::pending;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::Waker;
use std::time::Duration;

use coop::time::sleep;
use coop::Runtime;
use futures_util::FutureExt;
use support::{hold_forever, DropCounter};

#[test]
fn dropping_the_runtime_drops_every_pending_future() {
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    // Never polled: spawned from outside, no block_on since.
    for _ in 0..10 {
        drop(rt.spawn(hold_forever(drops.guard())));
    }
    let mut kept = Vec::new();
    rt.block_on(async {
        for _ in 0..10 {
            // Waiting on nothing.
            kept.push(coop::spawn(hold_forever(drops.guard())));
            // Waiting on a timer.
            let guard = drops.guard();
            kept.push(coop::spawn(async move {
                let _guard = guard;
                sleep(Duration::from_secs(3600)).await;
            }));
        }
        // Waiting on another task.
        let inner = coop::spawn(hold_forever(drops.guard()));
        let guard = drops.guard();
        kept.push(coop::spawn(async move {
            let _guard = guard;
            let _ = inner.await;
        }));
        coop::yield_now().await;
    });
    assert_eq!(rt.task_count(), 32);
    assert_eq!(drops.drops(), 0);

    drop(rt);
    assert_eq!(drops.drops(), 32, "every pending future was dropped");
    for handle in kept {
        assert!(handle.is_finished());
        let err = handle.now_or_never().expect("ready").unwrap_err();
        assert!(
            err.is_cancelled(),
            "a handle that outlives its runtime says cancelled"
        );
    }
}

#[test]
fn a_future_whose_drop_spawns_a_task_is_handled_at_shutdown() {
    struct SpawnOnDrop(DropCounter);
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            // Shutdown drops futures with the runtime still current, so
            // this spawn finds it; the new task is dropped too.
            drop(coop::spawn(hold_forever(self.0.guard())));
        }
    }
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    let on_drop = SpawnOnDrop(drops.clone());
    drop(rt.spawn(async move {
        let _on_drop = on_drop;
        pending::<()>().await;
    }));
    rt.block_on(coop::yield_now());
    drop(rt);
    assert_eq!(
        drops.drops(),
        1,
        "the task spawned during shutdown was dropped"
    );
}

#[test]
fn a_waker_that_outlives_its_runtime_is_a_noop() {
    let stash: Arc<Mutex<Option<Waker>>> = Arc::default();
    let drops = DropCounter::new();
    let rt = Runtime::new().unwrap();
    let guard = drops.guard();
    let handle = rt.spawn({
        let stash = stash.clone();
        async move {
            let _guard = guard;
            std::future::poll_fn(|cx| {
                *stash.lock().unwrap() = Some(cx.waker().clone());
                std::task::Poll::<()>::Pending
            })
            .await
        }
    });
    rt.block_on(coop::yield_now());
    let waker = stash
        .lock()
        .unwrap()
        .take()
        .expect("the task left its waker");
    drop(rt);
    assert_eq!(drops.drops(), 1);

    // On this thread, by reference, by value, cloned, on another thread,
    // and inside a different runtime's loop: nothing happens.
    waker.wake_by_ref();
    let clone = waker.clone();
    clone.wake();
    let remote = waker.clone();
    std::thread::spawn(move || remote.wake()).join().unwrap();
    let other = Runtime::new().unwrap();
    other.block_on(async {
        waker.wake_by_ref();
        coop::yield_now().await;
    });
    assert_eq!(
        other.task_count(),
        0,
        "the stale waker did not reach the new runtime"
    );
    waker.wake();
    assert!(handle.now_or_never().unwrap().unwrap_err().is_cancelled());
}

/// Issue 13.1. A join waker whose `Drop` spawns a `!Send` task; the waker
/// is freed with its task while shutdown empties the run queue, after every
/// task was cancelled. The late task must be cancelled too, on the loop's
/// thread: otherwise its handle never finishes and dropping the handle on
/// another thread drops the `!Send` future there.
#[test]
fn a_task_spawned_by_a_join_waker_freed_at_shutdown_is_cancelled_on_the_loop_thread() {
    use std::rc::Rc;
    use std::task::{Context, Wake};
    use std::thread::{self, ThreadId};

    static LATE: Mutex<Option<coop::JoinHandle<()>>> = Mutex::new(None);
    static DROPPED_ON: Mutex<Option<ThreadId>> = Mutex::new(None);

    /// Held by the late task's future: `!Send`, and says where it died.
    struct NotSend(#[allow(dead_code)] Rc<()>);
    impl Drop for NotSend {
        fn drop(&mut self) {
            *DROPPED_ON.lock().unwrap() = Some(thread::current().id());
        }
    }

    struct SpawnOnDrop;
    impl Wake for SpawnOnDrop {
        fn wake(self: Arc<Self>) {}
    }
    impl Drop for SpawnOnDrop {
        fn drop(&mut self) {
            let not_send = NotSend(Rc::new(()));
            let late = coop::spawn(async move {
                let _not_send = not_send;
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
    drop(waker);
    drop(first);
    drop(rt);

    let late = LATE
        .lock()
        .unwrap()
        .take()
        .expect("the waker's Drop spawned");
    assert!(late.is_finished(), "the late task was cancelled");
    assert_eq!(*DROPPED_ON.lock().unwrap(), Some(thread::current().id()));
    // Now only `Send` parts are left: dropping the handle elsewhere is fine.
    let err = thread::spawn(move || late.now_or_never().expect("finished").unwrap_err())
        .join()
        .unwrap();
    assert!(err.is_cancelled());
}
