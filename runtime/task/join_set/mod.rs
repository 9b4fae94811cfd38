//! `JoinSet`: a set of tasks whose outputs come back in the order they
//! finish, not the order they were spawned. Dropping the set aborts them
//! all: structured concurrency, as asyncio's `TaskGroup` gives it.
//!
//! The set holds one [`JoinHandle`] per task in a slab. Finding the next
//! finished one must not mean polling every handle (that is O(n) per
//! completion, O(n²) to drain the set), so each entry has its own waker,
//! and the wakers share a *ready list*:
//!
//! ```text
//!   spawn ──► slab[key] = (JoinHandle, waker of key) ; hand the waker to the task
//!
//!   a task finishes ──► its join waker = waker of key
//!                         └─► ready.push(key) (once: `queued` flag) ─► wake join_next
//!
//!   join_next: key = ready.pop()      // only entries that were woken
//!              poll slab[key].handle with waker of key
//!                Ready(out) ─► remove key, return out
//!                Pending    ─► next key; none left: leave cx's waker with the list
//! ```
//!
//! A finished task wakes its handle's waker once, so each completion costs
//! one push, one pop and one poll. A new entry hands its waker to its task
//! at once (not at a first poll), so keys are queued in completion order
//! (`tests/sync_proptests.rs` checks it against a model).
//!
//! The wakers may run on any thread (a `spawn_blocking` job finishes on a
//! pool thread), so the list (`ready.rs`) is a mutex from the sync shim. Keys are reused
//! by the slab: a late wake of a removed entry can only queue a key whose
//! new owner then gets one spurious poll, which returns `Pending`.

use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use slab::Slab;

use super::abort::AbortHandle;
use super::error::JoinError;
use super::join::JoinHandle;
use crate::loom::sync::WakeArc;

mod ready;
use ready::{EntryWaker, ReadyList};

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

/// A collection of tasks, awaited in the order they complete.
///
/// [`spawn`](Self::spawn) adds a task (its future need not be `Send`, as
/// with [`coop::spawn`](crate::spawn));
/// [`join_next`](Self::join_next) waits for whichever finishes next.
/// Dropping the set aborts every task still in it, so no task outlives the
/// code that started it unless it was meant to.
///
/// A panicking task does not disturb the others: its slot yields a
/// [`JoinError`] that [`is_panic`](JoinError::is_panic).
///
/// ```
/// use std::time::Duration;
/// use coop::task::JoinSet;
///
/// coop::block_on(async {
///     let mut set = JoinSet::new();
///     for (name, ms) in [("slow", 30), ("fast", 1), ("middle", 15)] {
///         set.spawn(async move {
///             coop::time::sleep(Duration::from_millis(ms)).await;
///             name
///         });
///     }
///     let mut order = Vec::new();
///     while let Some(result) = set.join_next().await {
///         order.push(result.unwrap());
///     }
///     assert_eq!(order, ["fast", "middle", "slow"]);
/// });
/// ```
pub struct JoinSet<T> {
    entries: Slab<Entry<T>>,
    ready: WakeArc<ReadyList>,
    /// Handle polls so far: what the tests check to prove a completion
    /// costs O(1) polls, not one per task in the set.
    polls: u64,
}

/// One task of the set.
struct Entry<T> {
    handle: JoinHandle<T>,
    /// The waker this entry's handle is polled with: it queues `key`.
    waker: Waker,
    notify: WakeArc<EntryWaker>,
}

impl<T> JoinSet<T> {
    /// An empty set. Needs no runtime until a task is spawned into it.
    ///
    /// ```
    /// let set: coop::task::JoinSet<u32> = coop::task::JoinSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            entries: Slab::new(),
            ready: WakeArc::new(ReadyList::new()),
            polls: 0,
        }
    }

    /// How many tasks are in the set: spawned and not yet returned by
    /// [`join_next`](Self::join_next) or [`try_join_next`](Self::try_join_next)
    /// (finished and aborted ones count until then).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 2);
    ///     set.join_next().await;
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if the set holds no task.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     assert!(set.is_empty());
    ///     set.spawn(async { 1 });
    ///     assert!(!set.is_empty());
    /// });
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Spawns `future` on the current runtime's loop, as
    /// [`coop::spawn`](crate::spawn) does, and adds it to the set. The
    /// future need not be `Send`. The returned [`AbortHandle`] cancels this
    /// one task (it stays in the set, and comes back from
    /// [`join_next`](Self::join_next) as a cancelled [`JoinError`]); it may
    /// be dropped (`let _ =`) when not needed.
    ///
    /// # Panics
    /// Outside a runtime, like `coop::spawn`.
    ///
    /// ```
    /// use std::rc::Rc;
    ///
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     let shared = Rc::new(21); // not `Send`: fine on coop
    ///     let mine = shared.clone();
    ///     set.spawn(async move { *mine * 2 });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 42);
    /// });
    /// ```
    ///
    /// Cancelling one task of the set through its [`AbortHandle`]:
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     let stuck = set.spawn(std::future::pending::<&str>());
    ///     set.spawn(async { "done" });
    ///     stuck.abort();
    ///     let mut cancelled = 0;
    ///     while let Some(result) = set.join_next().await {
    ///         match result {
    ///             Ok(out) => assert_eq!(out, "done"),
    ///             Err(e) => {
    ///                 assert!(e.is_cancelled());
    ///                 assert_eq!(e.id(), stuck.id());
    ///                 cancelled += 1;
    ///             }
    ///         }
    ///     }
    ///     assert_eq!(cancelled, 1);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        let location = std::panic::Location::caller();
        let handle =
            crate::context::with_core("JoinSet::spawn", |core| core.spawn(future, location));
        self.insert(handle)
    }

    /// Runs the closure `f` on the blocking pool, as
    /// [`coop::spawn_blocking`](crate::spawn_blocking) does, and adds its
    /// job to the set. The returned [`AbortHandle`] cancels the job if it
    /// has not started on a pool thread yet (a running closure is not
    /// interrupted).
    ///
    /// # Panics
    /// Outside a runtime, like `coop::spawn_blocking`.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     for n in 1..=3u64 {
    ///         set.spawn_blocking(move || (1..=n * 1000).sum::<u64>());
    ///     }
    ///     let mut sums = Vec::new();
    ///     while let Some(sum) = set.join_next().await {
    ///         sums.push(sum.unwrap());
    ///     }
    ///     sums.sort();
    ///     assert_eq!(sums, [500_500, 2_001_000, 4_501_500]);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let handle = crate::context::current_handle("JoinSet::spawn_blocking").spawn_blocking(f);
        self.insert(handle)
    }

    /// Adds `handle` to the set and returns an [`AbortHandle`] for its task.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let slot = self.entries.vacant_entry();
        let notify = WakeArc::new(EntryWaker::new(slot.key(), self.ready.clone()));
        let waker = Waker::from(notify.clone());
        // Hand the entry's waker to the task now, so the key is queued when
        // the task completes and not before: outputs then come back in
        // completion order. (Queueing every new key at once, for a first
        // poll to hand over the waker, put a task that finished before
        // that poll ahead of tasks that finished earlier.) A job that
        // already finished on the pool is queued at once.
        if handle.register_join_waker(&mut Context::from_waker(&waker)) {
            waker.wake_by_ref();
        }
        slot.insert(Entry {
            handle,
            waker,
            notify,
        });
        abort
    }

    /// Waits for the next task to finish and returns its output, or `None`
    /// if the set is empty. Tasks come back in the order they finish.
    ///
    /// Cancel-safe: dropping the future before it is ready loses no
    /// output; the task stays in the set for the next call.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     set.spawn(async { panic!("this one fails") });
    ///     set.spawn(async { "this one works" });
    ///     let mut ok = 0;
    ///     let mut panicked = 0;
    ///     while let Some(result) = set.join_next().await {
    ///         match result {
    ///             Ok(_) => ok += 1,
    ///             Err(e) if e.is_panic() => panicked += 1,
    ///             Err(e) => panic!("unexpected {e}"),
    ///         }
    ///     }
    ///     assert_eq!((ok, panicked), (1, 1));
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// The poll behind [`join_next`](Self::join_next), for hand-written
    /// futures: `Ready(None)` if the set is empty, `Ready(Some(output))` for
    /// a finished task, else `Pending` with `cx`'s waker kept to be woken
    /// when a task finishes.
    ///
    /// ```
    /// use std::future::poll_fn;
    ///
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     set.spawn(async { 5 });
    ///     let out = poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(out.unwrap().unwrap(), 5);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.entries.is_empty() {
            return Poll::Ready(None);
        }
        // Each entry is normally queued once per wake, so this bounds one
        // call's work even if handles keep re-queueing themselves.
        let mut polls_left = self.entries.len();
        loop {
            let Some(key) = self.ready.pop_or_wait(cx.waker()) else {
                return Poll::Pending;
            };
            if let Some(out) = self.poll_entry(key) {
                return Poll::Ready(Some(out));
            }
            polls_left -= 1;
            if polls_left == 0 || !crate::budget::has_remaining() {
                // Out of turns (or of the task's budget): come back later.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    }

    /// Returns the output of a task that has already finished, without
    /// waiting; `None` if none has (or the set is empty).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     set.spawn(async { "done" });
    ///     assert!(set.try_join_next().is_none()); // not run yet
    ///     coop::yield_now().await;                // now it has
    ///     assert_eq!(set.try_join_next().unwrap().unwrap(), "done");
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        // Not async, so it cannot be made to yield: look without a budget.
        crate::budget::unconstrained(|| loop {
            let key = self.ready.pop()?;
            if let Some(out) = self.poll_entry(key) {
                return Some(out);
            }
        })
    }

    /// Polls the entry at `key` once with its own waker; removes it and
    /// returns its output if it is done. `None` for a stale key too.
    fn poll_entry(&mut self, key: usize) -> Option<Result<T, JoinError>> {
        let entry = self.entries.get_mut(key)?;
        self.polls += 1;
        // Cleared before the poll: a wake during or after it queues again.
        entry.notify.unqueue();
        let mut cx = Context::from_waker(&entry.waker);
        match Pin::new(&mut entry.handle).poll(&mut cx) {
            Poll::Ready(out) => {
                self.entries.remove(key);
                Some(out)
            }
            Poll::Pending => None,
        }
    }

    /// Aborts every task in the set (see [`JoinHandle::abort`]). They stay
    /// in the set: [`join_next`](Self::join_next) returns each one, as a
    /// cancelled [`JoinError`] unless it had already finished.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     for _ in 0..3 {
    ///         set.spawn(std::future::pending::<()>());
    ///     }
    ///     set.abort_all();
    ///     while let Some(result) = set.join_next().await {
    ///         assert!(result.unwrap_err().is_cancelled());
    ///     }
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for (_, entry) in self.entries.iter() {
            entry.handle.abort();
        }
    }

    /// Aborts every task and waits until all of them have stopped, so
    /// their destructors have run when it returns. The set is empty after.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// coop::block_on(async {
    ///     let mut set = coop::task::JoinSet::new();
    ///     set.spawn(coop::time::sleep(Duration::from_secs(3600)));
    ///     set.shutdown().await; // returns at once: the sleep is cancelled
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }
}

impl<T> Drop for JoinSet<T> {
    /// Aborts every task still in the set. Their futures are dropped on the
    /// loop's next turn, not here.
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> Default for JoinSet<T> {
    /// An empty set, as [`JoinSet::new`].
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len()).finish()
    }
}
