//! Loom models of the task state machine, driven through a real runtime:
//! a wake racing with a poll, abort racing with a wake and with the
//! completion, and `JoinHandle` drop racing with the completion. What they
//! check: no lost wake (a lost one leaves the loop parked forever, which
//! loom reports as a deadlock), no double queueing (`transition_to_running`
//! asserts a task is never polled twice at once), no use after free (loom
//! tracks every access to the task's cells), the output read or dropped
//! exactly once.

use std::future::poll_fn;
use std::task::{Poll, Waker};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::Runtime;

/// A one-shot flag with a waker: `set` from any thread, `wait` in a task.
#[derive(Default)]
struct Signal(Mutex<(bool, Option<Waker>)>);

impl Signal {
    fn set(&self) {
        let waker = {
            let mut inner = self.0.lock();
            inner.0 = true;
            inner.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    async fn wait(&self) {
        poll_fn(|cx| {
            let mut inner = self.0.lock();
            if inner.0 {
                Poll::Ready(())
            } else {
                inner.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await
    }
}

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_wake_from_another_thread_racing_with_the_poll_is_not_lost() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let signal = Arc::new(Signal::default());
        let s = signal.clone();
        let task = rt.spawn(async move {
            s.wait().await;
            5
        });
        let waker = crate::loom::thread::spawn(move || signal.set());
        assert_eq!(rt.block_on(task).unwrap(), 5);
        waker.join().unwrap();
    });
}

#[test]
fn abort_racing_with_a_wake_and_completion_drops_the_future_once() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let go = Arc::new(Signal::default());
        let done = Arc::new(Signal::default());
        let (g, guard) = (go.clone(), Counted(drops.clone()));
        let task = rt.handle().spawn(async move {
            let _guard = guard;
            g.wait().await;
            7
        });
        let d = done.clone();
        let aborter = crate::loom::thread::spawn(move || {
            task.abort();
            let result = task.join_blocking();
            d.set();
            result
        });
        let waker = crate::loom::thread::spawn(move || go.set());
        rt.block_on(done.wait());
        match aborter.join().unwrap() {
            Ok(n) => assert_eq!(n, 7),
            Err(e) => assert!(e.is_cancelled()),
        }
        waker.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn join_handle_drop_racing_with_completion_drops_the_output_once() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let finishing = Arc::new(Signal::default());
        let (f, output) = (finishing.clone(), Counted(drops.clone()));
        let task = rt.handle().spawn(async move {
            f.set();
            output
        });
        let dropper = crate::loom::thread::spawn(move || drop(task));
        rt.block_on(finishing.wait());
        // The task returned from the same poll that set the signal.
        dropper.join().unwrap();
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// A task gives its only waker to another thread, which wakes it (or,
/// `wake == false`, drops it) while the loop polls, re-polls, completes and
/// frees it. Its `JoinHandle` is dropped at once (detached), or, with
/// `late_drop`, on the loop after the first poll, racing with the wake.
///
/// With the handle gone the loop's transitions are plain stores whenever
/// its two references are all there are (`state.rs`, `*_loop_only`,
/// `is_sole_owner`); a handle dropped on the loop once that wake has made
/// the queue reference is a plain store too
/// (`State::drop_join_handle_on_loop`), even while the waking thread is
/// still on its way to the remote queue. Loom checks that the other
/// thread's last touch of the state word always happens before those
/// stores and the free, in every interleaving.
fn a_waker_on_another_thread(wake: bool, late_drop: bool) {
    loom::model(move || {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(Signal::default());
        let thread = Arc::new(Mutex::new(None));
        let (d, t, guard) = (done.clone(), thread.clone(), Counted(drops.clone()));
        rt.block_on(async move {
            let handle = crate::spawn(async move {
                let _guard = guard;
                let mut polls = 0;
                poll_fn(|cx| {
                    polls += 1;
                    if polls > 1 {
                        return Poll::Ready(());
                    }
                    let waker = cx.waker().clone();
                    *t.lock() = Some(crate::loom::thread::spawn(move || {
                        if wake {
                            waker.wake();
                        } else {
                            drop(waker);
                        }
                    }));
                    // Woken, it is polled again; not woken, it ends now.
                    if wake {
                        Poll::Pending
                    } else {
                        Poll::Ready(())
                    }
                })
                .await;
                d.set();
            });
            if late_drop {
                // Let the first poll hand the waker out first.
                crate::task::yield_now().await;
            }
            drop(handle);
            done.wait().await;
        });
        let other = thread.lock().take().expect("the task ran");
        joined_and_dropped_once(other, &drops, rt);
    });
}

/// Joins the task's other thread, then checks that the task's future was
/// dropped exactly once, before the runtime goes and after.
fn joined_and_dropped_once(
    other: crate::loom::thread::JoinHandle<()>,
    drops: &AtomicUsize,
    rt: Runtime,
) {
    other.join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    drop(rt);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_detached_task_woken_from_another_thread_runs_its_plain_transitions_safely() {
    a_waker_on_another_thread(true, false);
}

#[test]
fn a_detached_task_whose_waker_is_dropped_elsewhere_completes_and_frees_safely() {
    a_waker_on_another_thread(false, false);
}

#[test]
fn a_join_handle_dropped_on_the_loop_while_another_thread_wakes_the_task() {
    a_waker_on_another_thread(true, true);
}

// ---- the loop's reference pool (`ref_pool.rs`) ----------------------------
//
// Each model below makes a task whose waker is cloned on the loop from a
// reference the pool holds (the queue reference its previous idle step
// kept), then races that with another thread. Loom's `Arc` accounting of
// the task header's scheduler reference checks the free: a task freed twice
// drops it twice, a task never freed (a reference lost in a pool) leaks it,
// and loom reports either. The pool sits in the task's loop word, a relaxed
// atomic only the loop's thread may touch: a touch from another thread
// (a drop that skips the owner check) races the loop's own load and store,
// loom explores the interleaving that loses one of the two updates, and the
// lost reference shows up as a leak (checked against that mutation after
// the pool moved into the loop word).

/// The task waits on `local` (set by the loop), then on `remote` (set by
/// another thread). Its second wait clones its waker from the pool while
/// the other thread may already be waking it, and its idle step keeps the
/// queue reference again: no wake may be lost between the two.
#[test]
fn a_remote_wake_racing_a_pooled_clone_and_idle_step_is_not_lost() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let (local, remote) = (Arc::new(Signal::default()), Arc::new(Signal::default()));
        let (l, r) = (local.clone(), remote.clone());
        let task = rt.spawn(async move {
            l.wait().await;
            r.wait().await;
            9
        });
        assert_eq!(local_then_remote(&rt, task, local, remote), 9);
    });
}

/// Another thread sets `remote` while the loop lets the task's first poll
/// store its waker(s), sets `local` there (a wake on the loop, which
/// claims the task: `State::wake_on_loop`) and awaits the task.
fn local_then_remote<T>(
    rt: &Runtime,
    task: crate::task::JoinHandle<T>,
    local: Arc<Signal>,
    remote: Arc<Signal>,
) -> T {
    let waker = crate::loom::thread::spawn(move || remote.set());
    let result = rt.block_on(async move {
        crate::task::yield_now().await;
        local.set();
        task.await
    });
    waker.join().unwrap();
    result.unwrap()
}

/// A detached task's second poll clones its waker from the pool, hands the
/// clone to another thread, which drops it, and completes: the loop closes
/// the pool and releases the task's last loop references while the other
/// thread releases the clone's. The task is freed exactly once, by
/// whichever comes last.
#[test]
fn a_pooled_waker_dropped_on_another_thread_racing_completion_frees_once() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
        let done = Arc::new(Signal::default());
        let thread = Arc::new(Mutex::new(None));
        let (s, d, t, guard) = (
            slot.clone(),
            done.clone(),
            thread.clone(),
            Counted(drops.clone()),
        );
        rt.block_on(async move {
            drop(crate::spawn(async move {
                let _guard = guard;
                let mut polls = 0;
                poll_fn(|cx| {
                    polls += 1;
                    if polls == 1 {
                        // From the count: the pool is empty yet.
                        *s.lock() = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                    // From the pool: the first idle step kept a reference.
                    let waker = cx.waker().clone();
                    *t.lock() = Some(crate::loom::thread::spawn(move || drop(waker)));
                    Poll::Ready(())
                })
                .await;
                d.set();
            }));
            // The task's first poll runs, stores its waker and idles.
            crate::task::yield_now().await;
            let waker = slot.lock().take().expect("the task stored its waker");
            waker.wake();
            done.wait().await;
        });
        let other = thread.lock().take().expect("the task ran twice");
        joined_and_dropped_once(other, &drops, rt);
    });
}

/// An `AbortHandle` on another thread aborts a task while the loop wakes
/// it locally (its waker cloned from the pool): the future is dropped once,
/// on the loop, and the handle reports the output or the cancellation.
#[test]
fn abort_from_another_thread_racing_a_local_wake_drops_the_future_once() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let (first, second) = (Arc::new(Signal::default()), Arc::new(Signal::default()));
        let (f, s, guard) = (first.clone(), second.clone(), Counted(drops.clone()));
        let task = rt.spawn(async move {
            let _guard = guard;
            f.wait().await;
            s.wait().await;
            3
        });
        let abort = task.abort_handle();
        let aborter = crate::loom::thread::spawn(move || abort.abort());
        let result = rt.block_on(async move {
            crate::task::yield_now().await;
            first.set();
            crate::task::yield_now().await;
            second.set();
            task.await
        });
        aborter.join().unwrap();
        match result {
            Ok(n) => assert_eq!(n, 3),
            Err(e) => assert!(e.is_cancelled()),
        }
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

// A wake on the loop claims an idle task (`SCHEDULED | RUNNING` in one
// CAS, `State::wake_on_loop`), so the loop's pop writes nothing. The three
// models below race what other threads do against a claimed task.

/// A task gives its waker to the loop (`local`) and to another thread
/// (`remote`); the loop's wake claims it while the other thread's wake may
/// land before the claim, on the claimed task still queued, during its
/// poll, or after its idle step. The task finishes only once it has seen
/// `remote` set: a lost wake leaves the loop parked forever (a deadlock).
#[test]
fn a_remote_wake_racing_a_claimed_task_is_not_lost() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let (local, remote) = (Arc::new(Signal::default()), Arc::new(Signal::default()));
        let (l, r) = (local.clone(), remote.clone());
        let task = rt.spawn(async move {
            let mut polls = 0;
            poll_fn(|cx| {
                polls += 1;
                if polls == 1 {
                    l.0.lock().1 = Some(cx.waker().clone());
                }
                let mut remote = r.0.lock();
                if remote.0 {
                    return Poll::Ready(4);
                }
                remote.1 = Some(cx.waker().clone());
                Poll::Pending
            })
            .await
        });
        // The task's first poll stores both wakers; then the loop's wake
        // (by value) claims it.
        assert_eq!(local_then_remote(&rt, task, local, remote), 4);
    });
}

/// An `AbortHandle` on another thread aborts a task that waits forever
/// while the loop wakes it (the wake claims it): the abort must be seen,
/// whether it lands before the claim (it queues the task itself), on the
/// claimed task still queued (the pop sees `CANCELLED`) or during its poll
/// (the idle step sees it). A lost abort leaves the loop parked forever.
#[test]
fn abort_from_another_thread_racing_a_local_claim_is_seen() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Mutex<Option<Waker>>> = Arc::default();
        let (s, guard) = (slot.clone(), Counted(drops.clone()));
        let task = rt.spawn(async move {
            let _guard = guard;
            poll_fn(|cx| {
                let mut slot = s.lock();
                if slot.is_none() {
                    *slot = Some(cx.waker().clone());
                }
                Poll::<()>::Pending
            })
            .await
        });
        let abort = task.abort_handle();
        let aborter = crate::loom::thread::spawn(move || abort.abort());
        let result = rt.block_on(async move {
            crate::task::yield_now().await;
            // Aborted before its first poll, the task stored no waker.
            let waker = slot.lock().take();
            if let Some(waker) = waker {
                waker.wake();
            }
            task.await
        });
        aborter.join().unwrap();
        assert!(result.unwrap_err().is_cancelled());
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

/// The loop's wake claims a task and `block_on` returns before the loop
/// pops it: shutdown finds the task claimed (`RUNNING` set) in the run
/// queue, with another thread waking or dropping a second waker meanwhile.
/// Shutdown must take the claimed task over and drop its future, once.
#[test]
fn shutdown_with_a_claimed_task_still_queued_drops_its_future_once() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let (local, remote): (Arc<Mutex<Option<Waker>>>, Arc<Mutex<Option<Waker>>>) =
            (Arc::default(), Arc::default());
        let (l, r, guard) = (local.clone(), remote.clone(), Counted(drops.clone()));
        drop(rt.spawn(async move {
            let _guard = guard;
            poll_fn(|cx| {
                let mut slot = l.lock();
                if slot.is_none() {
                    *slot = Some(cx.waker().clone());
                    *r.lock() = Some(cx.waker().clone());
                }
                Poll::<()>::Pending
            })
            .await
        }));
        let other = crate::loom::thread::spawn(move || {
            let waker = remote.lock().take();
            if let Some(waker) = waker {
                waker.wake();
            }
        });
        rt.block_on(async move {
            crate::task::yield_now().await;
            let waker = local.lock().take().expect("the task ran once");
            waker.wake();
        });
        drop(rt);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        other.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
