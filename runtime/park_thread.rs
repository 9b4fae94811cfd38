//! Waiting for a future on a plain thread: the thread itself is the
//! "executor", and it sleeps on a condition variable between polls.
//!
//! ```text
//!  block_on_thread(fut)                 any thread: waker.wake()
//!   loop:                                   lock; notified = true
//!     poll fut ── Ready ──► return          notify_one
//!     Pending: lock; while !notified { wait }; notified = false
//! ```
//!
//! `notified` is set and read under the mutex, so a wake that lands between
//! the poll and the wait is never lost: the wait then returns at once.
//! Used by [`Handle::block_on`](crate::Handle::block_on) and
//! [`JoinHandle::join_blocking`](crate::JoinHandle::join_blocking).

use std::future::Future;
use std::task::{Context, Poll, Wake, Waker};

use crate::loom::sync::{Condvar, Mutex, WakeArc};

/// The waker of a thread blocked in [`block_on_thread`]: a flag and a
/// condition variable (what `thread::park` is built on, spelled out so a
/// loom model sees every step).
#[derive(Default)]
struct ThreadWaker {
    notified: Mutex<bool>,
    condvar: Condvar,
}

impl Wake for ThreadWaker {
    fn wake(self: WakeArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &WakeArc<Self>) {
        *self.notified.lock() = true;
        self.condvar.notify_one();
    }
}

impl ThreadWaker {
    /// Sleeps until woken (at once if a wake came since the last call).
    fn wait(&self) {
        let mut notified = self.notified.lock();
        while !*notified {
            notified = self
                .condvar
                .wait(notified)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        *notified = false;
    }
}

/// Runs `future` to completion on this thread, sleeping while the future
/// is pending.
///
/// # Panics
/// On a thread that is running a coop loop (inside `block_on` or a task):
/// sleeping there would freeze every task of that loop, including, likely,
/// the one being waited for. `api` names the caller in the message.
#[track_caller]
pub(crate) fn block_on_thread<F: Future>(api: &str, future: F) -> F::Output {
    if crate::context::is_entered() {
        panic!(
            "`{api}` was called on a thread that is running a coop event loop: it would \
             block the loop, so the tasks it waits for could never run. Inside async code, \
             `.await` instead; to wait from a plain thread, call it from `std::thread::spawn` \
             or `coop::spawn_blocking`."
        );
    }
    let thread_waker = WakeArc::new(ThreadWaker::default());
    let waker = Waker::from(thread_waker.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        // No budget here: the budget makes a task give way to the other
        // tasks of its loop, and this thread has none. A thread that runs
        // a blocking-pool job carries that job's budget, which a future
        // polled in a loop here would otherwise spend, then spin on a
        // "yield" that never ends.
        let poll = crate::budget::unconstrained(|| future.as_mut().poll(&mut cx));
        if let Poll::Ready(output) = poll {
            return output;
        }
        thread_waker.wait();
    }
}
