//! A look at another task's join-waker cell, for snapshots: "which task is
//! awaiting this task's `JoinHandle`?" ([`WaitingOn::Task`]).
//!
//! The cell is written by the `JoinHandle`, which may live on any thread
//! (a `JoinHandle<T>` is `Send` when `T` is), so the loop cannot just read
//! it. The `JOIN_WAKER` bit already says who owns it (see `state.rs`);
//! a peek adds a second bit, `JOIN_PEEK`, for the length of the read:
//!
//! ```text
//!   handle:  write cell ─► set JOIN_WAKER ─┐         ┌─► unset JOIN_WAKER ─► write cell
//!                          (Release)        │         │   (waits while JOIN_PEEK)
//!   peek:            begin: JOIN_WAKER? set JOIN_PEEK ─► read cell ─► end: clear JOIN_PEEK
//!                           (Acquire)                                 (Release)
//! ```
//!
//! While `JOIN_PEEK` is set the cell has readers only: the peek, the task
//! side (which reads it to wake the handle when the task completes) and
//! the handle itself (which reads it to see whether its waker changed).
//! The handle writes only after `unset_join_waker`, which waits for the
//! peek to end. A peek compares pointers and runs no user code, so the
//! wait is a few instructions long, and never happens on the loop's own
//! thread, the only thread that peeks.
//!
//! Nothing here runs on the hot path: a poll or a wake never looks at
//! `JOIN_PEEK`; only `unset_join_waker` (a handle re-polled with a new
//! waker) checks it.
//!
//! [`WaitingOn::Task`]: super::WaitingOn::Task

use std::task::Waker;

use super::raw::TaskRef;

impl TaskRef {
    /// Calls `f` with the waker of whoever awaits this task's `JoinHandle`,
    /// if the handle has handed one over; `None` if it has not (or holds the
    /// cell right now).
    pub(crate) fn peek_join_waker<R>(&self, f: impl FnOnce(&Waker) -> R) -> Option<R> {
        let header = self.header();
        if !header.state.begin_join_peek() {
            return None;
        }
        let seen = header.join_waker.with(|cell| {
            // SAFETY: `begin_join_peek` saw JOIN_WAKER set (with Acquire,
            // after the handle's write and its Release of the bit) and set
            // JOIN_PEEK. Until `end_join_peek` the handle cannot take the
            // cell back (`unset_join_waker` waits for JOIN_PEEK to clear),
            // so nobody writes it: every other access is a read.
            let waker = unsafe { &*cell };
            waker.as_ref().map(f)
        });
        header.state.end_join_peek();
        seen
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::future::{pending, Future};
    use std::pin::Pin;
    use std::task::{Context, Waker};

    use crate::task::{waker_ref, JoinHandle, TaskRef};
    use crate::Runtime;

    /// The loop's reference to the task behind `handle`.
    fn task_of<T>(rt: &Runtime, handle: &JoinHandle<T>) -> TaskRef {
        rt.test_task_refs()
            .into_iter()
            .find(|t| t.header().id == handle.id())
            .expect("the task is on the loop's list")
    }

    /// A task's own waker, as an awaiter would hand over. (Task wakers
    /// have one `static` vtable, so `will_wake` recognises their clones
    /// even under Miri, which gives each use of a `const` vtable, as
    /// `std`'s `Arc` wakers have, an address of its own.)
    fn waker_of(rt: &Runtime) -> (JoinHandle<()>, Waker) {
        let awaiter = rt.spawn(pending::<()>());
        let waker = (*waker_ref(&task_of(rt, &awaiter))).clone();
        (awaiter, waker)
    }

    #[test]
    fn a_peek_sees_the_awaiters_latest_waker_and_nothing_before_it() {
        let rt = Runtime::new().unwrap();
        let target = rt.spawn(pending::<()>());
        let task = task_of(&rt, &target);
        assert!(task.peek_join_waker(|_| ()).is_none(), "no awaiter yet");
        let (a, first) = waker_of(&rt);
        assert!(!target.register_join_waker(&mut Context::from_waker(&first)));
        assert_eq!(task.peek_join_waker(|w| w.will_wake(&first)), Some(true));
        // The handle takes the cell back and stores a new waker after a peek.
        let (b, second) = waker_of(&rt);
        assert!(!target.register_join_waker(&mut Context::from_waker(&second)));
        assert_eq!(task.peek_join_waker(|w| w.will_wake(&second)), Some(true));
        assert_eq!(task.peek_join_waker(|w| w.will_wake(&first)), Some(false));
        drop((task, first, second));
        for handle in [target, a, b] {
            handle.abort();
            rt.run_until_stalled();
            assert!(handle.is_finished());
        }
    }

    /// The handle, on another thread, swaps its waker while the loop
    /// peeks: under Miri the race detector checks that the two never
    /// touch the cell at once (a read overlapping the handle's write).
    /// (The loom model in this file checks every interleaving; this one
    /// runs the real code under Miri's pointer and race checks.)
    const SWAPS: usize = 31;

    #[test]
    fn a_peek_racing_with_a_handle_on_another_thread() {
        let rt = Runtime::new().unwrap();
        let mut target = rt.spawn(pending::<()>());
        let task = task_of(&rt, &target);
        let (a, first) = waker_of(&rt);
        let (b, second) = waker_of(&rt);
        assert!(!target.register_join_waker(&mut Context::from_waker(&first)));
        // The last swap (i = SWAPS - 1, even) stores `second`.
        let last = second.clone();
        let awaiter = std::thread::spawn(move || {
            for i in 0..SWAPS {
                // A new waker each time: the handle takes the cell back
                // (waiting out any peek) and writes it.
                let waker = if i % 2 == 0 { &second } else { &first };
                let mut cx = Context::from_waker(waker);
                assert!(Pin::new(&mut target).poll(&mut cx).is_pending());
            }
            target
        });
        // Peek as long as the handle swaps (bounded all the same). Some
        // peeks find the cell with the handle (`None`): fine.
        for _ in 0..100 * SWAPS {
            if awaiter.is_finished() {
                break;
            }
            let _ = task.peek_join_waker(|w| w.will_wake(&last));
        }
        let target = awaiter.join().unwrap();
        assert_eq!(task.peek_join_waker(|w| w.will_wake(&last)), Some(true));
        drop((task, last));
        for handle in [target, a, b] {
            handle.abort();
            rt.run_until_stalled();
            assert!(handle.is_finished());
        }
    }
}

/// Loom model: a snapshot on the loop's thread peeks at a join waker while
/// the `JoinHandle`, on another thread, hands its first waker over and then
/// swaps it. Loom tracks every access to the cell and reports a read that
/// overlaps the handle's write; the handle's wait for `JOIN_PEEK` is what
/// prevents one.
#[cfg(all(test, loom))]
mod loom_model {
    use std::future::{pending, Future};
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Wake, Waker};

    use crate::Runtime;

    struct Nop;
    impl Wake for Nop {
        fn wake(self: Arc<Self>) {}
    }

    fn poll_with_new_waker<T>(handle: &mut crate::JoinHandle<T>) {
        let waker = Waker::from(Arc::new(Nop));
        let mut cx = Context::from_waker(&waker);
        assert!(Pin::new(handle).poll(&mut cx).is_pending());
    }

    #[test]
    fn a_snapshot_peeking_while_the_handle_swaps_its_waker() {
        loom::model(|| {
            let rt = Runtime::new().unwrap();
            let mut target = rt.spawn(pending::<()>());
            rt.run_until_stalled(); // the target waits: snapshots look for it
                                    // The handle hands a first waker over here, so the peeks below
                                    // find the cell with the task side: each is a read-modify-write
                                    // of the state that the handle's swap on the other thread races.
            poll_with_new_waker(&mut target);
            let awaiter = crate::loom::thread::spawn(move || {
                poll_with_new_waker(&mut target);
                target
            });
            // `tasks()` peeks at every task's join waker.
            assert_eq!(rt.tasks()[0].waiting_on(), None);
            let target = awaiter.join().unwrap();
            assert_eq!(rt.tasks()[0].waiting_on(), None);
            target.abort();
            rt.run_until_stalled();
            assert!(target.is_finished());
        });
    }
}
