//! The counting semaphore under [`Semaphore`](super::Semaphore),
//! [`Mutex`](super::Mutex) and the bounded [`mpsc`](super::mpsc) channel's
//! capacity: one primitive, proved once, reused three times.
//!
//! ```text
//!   permits: AtomicUsize = available << 2 | WAITERS | CLOSED
//!   waiters: Mutex<WaitList<still_needed>>
//!
//!   acquire(n) ─ fast path: CAS available -= n ──────────────► Ready
//!        │ not enough
//!        ▼ lock
//!      take what is available, queue for the rest,
//!      set WAITERS (in the same CAS) ─────────────────────────► Pending
//!
//!   release(n) ─ fast path, WAITERS clear: CAS available += n (no lock)
//!        │ WAITERS set
//!        ▼ lock
//!      fill the waiters from the front ─ the rest to `available`
//!      (clearing WAITERS if the line is now empty) ─ unlock ─ wake
//! ```
//!
//! # Invariant
//! While a waiter is queued, `available` is 0 and `WAITERS` is set.
//! `WAITERS` is only changed with the wait-list lock held: set by the CAS
//! with which a newcomer takes the available permits before it queues,
//! cleared by the CAS that hands the rest of a release to `available` once
//! the line is empty (or when a waiter leaves an otherwise empty line). So
//! neither lock-free path can overtake the line: the acquire fast path
//! finds no permits while anyone waits, and the release fast path's CAS
//! fails (and it takes the lock) as soon as `WAITERS` is set. Waiting is
//! FIFO-fair, and a release with nobody waiting (the common case: a
//! channel slot given back, an uncontended lock) is one CAS.
//!
//! Cancel safety: a dropped [`Acquire`] gives back what it had been given
//! (its partial share while queued, or everything once served), through the
//! same `release`, so the next waiter in line gets it.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::{WaitList, WaiterKey};
use super::wake_list::WakeList;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};

/// Set in `permits` once the semaphore is closed.
const CLOSED: usize = 1;
/// Set in `permits` while the wait list may hold a waiter (see the
/// invariant above).
const WAITERS: usize = 2;
/// `available` is stored above the two flag bits.
const SHIFT: u32 = 2;

/// The most permits a semaphore can hold (tokio's figure: three bits spare).
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// Why a fast-path acquire failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryAcquire {
    Closed,
    NoPermits,
}

/// The semaphore's core: an atomic count plus a FIFO of waiters.
#[derive(Debug)]
pub(crate) struct BatchSemaphore {
    permits: AtomicUsize,
    waiters: Mutex<WaitList<usize>>,
}

impl BatchSemaphore {
    #[track_caller]
    pub(crate) fn new(permits: usize) -> BatchSemaphore {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore can hold at most {MAX_PERMITS} permits, {permits} were asked for"
        );
        BatchSemaphore {
            permits: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    pub(crate) fn available_permits(&self) -> usize {
        self.permits.load(Ordering::Acquire) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.permits.load(Ordering::Acquire) & CLOSED == CLOSED
    }

    /// Takes `n` permits without waiting: one CAS loop, no lock.
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryAcquire> {
        let need = n << SHIFT;
        self.permits
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                let enough = current & CLOSED == 0 && current >= need;
                enough.then(|| current - need)
            })
            .map(drop)
            .map_err(|current| match current & CLOSED {
                CLOSED => TryAcquire::Closed,
                _ => TryAcquire::NoPermits,
            })
    }

    /// A future that waits for `n` permits, FIFO.
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            n,
            key: None,
        }
    }

    /// Gives `n` permits back (or adds new ones): the waiters in line get
    /// them first.
    #[track_caller]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        // Nobody waits: add the permits with one CAS, no lock. (Too many
        // permits also go the locked way, which panics with the message.)
        let lock_free = self
            .permits
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                let fits = (current >> SHIFT).saturating_add(n) <= MAX_PERMITS;
                (current & WAITERS == 0 && fits).then(|| current + (n << SHIFT))
            });
        if lock_free.is_ok() {
            return;
        }
        let waiters = self.waiters.lock();
        self.release_locked(n, waiters);
    }

    #[track_caller]
    fn release_locked(&self, mut n: usize, mut waiters: MutexGuard<'_, WaitList<usize>>) {
        let mut wake = WakeList::new();
        while n > 0 {
            let Some(needed) = waiters.front_mut() else {
                break;
            };
            let given = n.min(*needed);
            *needed -= given;
            n -= given;
            if *needed == 0 {
                wake.push(waiters.pop_front().flatten());
            }
        }
        if n > 0 {
            let available = self.available_permits();
            if available.saturating_add(n) > MAX_PERMITS {
                drop(waiters);
                panic!(
                    "adding {n} permits to a semaphore with {available} would exceed the \
                     maximum of {MAX_PERMITS}; give back only the permits you took"
                );
            }
            // Permits are left over only once the line is empty: clear
            // WAITERS in the same step, so later releases go lock-free.
            debug_assert!(waiters.is_empty());
            let _ = self
                .permits
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                    Some((current & !WAITERS) + (n << SHIFT))
                });
        } else if waiters.is_empty() {
            self.clear_waiters_bit();
        }
        drop(waiters);
        wake.wake_all();
    }

    /// Clears `WAITERS` once the line is empty. Called with the wait-list
    /// lock held (the guard is not passed only to keep borrows simple).
    fn clear_waiters_bit(&self) {
        self.permits.fetch_and(!WAITERS, Ordering::Release);
    }

    /// Closes the semaphore: every waiter and every later acquire fails.
    /// Permits already held stay valid.
    pub(crate) fn close(&self) {
        let mut waiters = self.waiters.lock();
        self.permits.fetch_or(CLOSED, Ordering::Release);
        let mut wake = WakeList::new();
        while let Some(waker) = waiters.pop_front() {
            wake.push(waker);
        }
        self.clear_waiters_bit();
        drop(waiters);
        wake.wake_all();
    }
}

/// The future of [`BatchSemaphore::acquire`]: `Ok(())` once it holds its
/// `n` permits (the caller now owns them), `Err(())` if the semaphore was
/// closed first.
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub(crate) struct Acquire<'a> {
    semaphore: &'a BatchSemaphore,
    n: usize,
    /// `Some` while this future has a place in the wait list.
    key: Option<WaiterKey>,
}

impl Acquire<'_> {
    /// First poll: the fast path, else take what there is and queue.
    fn first_poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), ()>> {
        let sem = self.semaphore;
        match sem.try_acquire(self.n) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryAcquire::Closed) => return Poll::Ready(Err(())),
            Err(TryAcquire::NoPermits) => {}
        }
        let mut waiters = sem.waiters.lock();
        let need = self.n << SHIFT;
        debug_assert!(
            sem.available_permits() == 0 || waiters.is_empty(),
            "permits were available while a waiter was in line"
        );
        // The invariant: permits are available only while nobody waits, so
        // a newcomer who finds some may take them. If it must wait, WAITERS
        // goes up in the same step (before it is in the list, but the list
        // is ours until we unlock).
        let taken =
            sem.permits
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |current| {
                    match (current & CLOSED, current >= need) {
                        (CLOSED, _) => None,
                        (_, true) => Some(current - need),
                        (_, false) => Some(WAITERS),
                    }
                });
        let Ok(current) = taken else {
            return Poll::Ready(Err(()));
        };
        if current >= need {
            return Poll::Ready(Ok(()));
        }
        let still_needed = self.n - (current >> SHIFT);
        self.key = Some(waiters.push_back(still_needed, Some(cx.waker())));
        Poll::Pending
    }
}

impl Future for Acquire<'_> {
    type Output = Result<(), ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let charge = std::task::ready!(crate::budget::poll_proceed(cx));
        let this = &mut *self;
        let result = match &this.key {
            None => std::task::ready!(this.first_poll(cx)),
            Some(key) => {
                let mut waiters = this.semaphore.waiters.lock();
                if waiters.is_queued(key) {
                    waiters.set_waker(key, cx.waker());
                    return Poll::Pending;
                }
                let key = this.key.take().expect("checked above");
                let (still_needed, _, waker) = waiters.remove(key);
                if still_needed == 0 {
                    drop(waiters);
                    drop(waker);
                    Ok(())
                } else {
                    // Served by `close`: give back the share it had.
                    this.semaphore
                        .release_locked(this.n - still_needed, waiters);
                    drop(waker);
                    Err(())
                }
            }
        };
        charge.made_progress();
        Poll::Ready(result)
    }
}

impl Drop for Acquire<'_> {
    /// Inlined: an acquire that never queued (the fast path, every send
    /// on a channel with room) has nothing to give back.
    #[inline]
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.leave(key);
        }
    }
}

impl Acquire<'_> {
    /// Gives the wait-list slot back, and whatever was given to it.
    #[cold]
    fn leave(&mut self, key: WaiterKey) {
        let mut waiters = self.semaphore.waiters.lock();
        let (still_needed, _, waker) = waiters.remove(key);
        // Queued: it leaves the line with its partial share. Served: it owns
        // all `n` permits but will never use them. Either way they go on to
        // the next waiter.
        let held = self.n - still_needed;
        if held > 0 {
            self.semaphore.release_locked(held, waiters);
        } else {
            if waiters.is_empty() {
                self.semaphore.clear_waiters_bit();
            }
            drop(waiters);
        }
        drop(waker);
    }
}
