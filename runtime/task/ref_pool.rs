//! The loop's pool of references to one task: biased reference counting.
//!
//! ```text
//!   state word (atomic, everyone):   refs = owned + queue + handle + wakers + POOL
//!                                                                            │
//!   RefPool (loop word, loop only):  POOL ◄── a waker dropped on the loop ───┤ put
//!                                         ◄── the queue ref as the poll idles┤ put
//!                                         ──► a waker cloned on the loop ────┘ take
//! ```
//!
//! Every reference in the pool is a real one, counted in the task's state
//! word, so a thread that reads the word sees at least the pool's share and
//! the task cannot be freed while the pool holds any. Moving a reference
//! into or out of the pool changes no shared memory: a waker cloned or
//! dropped on the task's own loop thread, and the queue reference a poll
//! that returns `Pending` gives up, cost no locked instruction. In
//! ping_pong a pass stores a clone of its waker and goes idle: the idle
//! step puts the queue reference in the pool and the next pass's clone
//! takes it back, so the `fetch_add` of the clone is gone.
//!
//! Who may touch it: **only the thread that runs the task's loop**, which
//! the callers prove one of two ways: they are a method of the loop's
//! `Core` (which is `!Send`: the loop's thread is the only one that has it),
//! or they found that `Core` current on this thread with the task's
//! scheduler (`executor::is_own_loop`). No other thread ever reads it, so
//! no ordering is needed beyond program order on that one thread.
//!
//! Its life: closed at allocation (a task spawned from another thread, a
//! blocking job: never pooled), opened when the loop binds the task to its
//! owned list, and closed for good by the loop when the task completes or
//! is cancelled at shutdown ([`close`](RefPool::close) hands back what it
//! held, for the loop to release with one atomic subtraction). A bound task
//! completes only on its loop's thread (its future is polled there, and an
//! abort only asks the loop to drop it), so every reference put in the
//! pool is released by that close, and nothing is put in after it: a waker
//! dropped after completion takes the atomic path.
//!
//! The pool holds at most [`CAP`] references: a task woken by reference
//! over and over puts one in per idle step and may never take one out.
//! Past the cap the caller releases the reference atomically, as before.
//! The pool never pins a task longer than it lives anyway: it is open only
//! while the task is bound, and the owned list's reference keeps a bound
//! task alive.

use crate::loom::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A closed pool: nothing may be put in.
const CLOSED: u32 = u32::MAX;

/// The most references a pool holds. Small in unit tests, so the model
/// in `state_proptests.rs` reaches it.
pub(crate) const CAP: u32 = if cfg!(test) { 3 } else { 32 };

/// Where the pool sits in the task's loop word (see [`RefPool`]): six bits,
/// 0 for closed and `n + 1` for `n` references (`CAP + 1` fits).
const POOL_SHIFT: u32 = 40;
const POOL_BITS: u64 = 0x3F << POOL_SHIFT;
/// One reference in the pool field.
const POOL_ONE: u64 = 1 << POOL_SHIFT;
/// The claim flag (`Header::is_claim_queued`), beside the pool.
const CLAIM_QUEUED: u64 = 1 << 46;

/// References to one task held by its loop (see the module docs), kept in
/// the task's **loop word**: one `u64` in the header that only the loop's
/// thread reads or writes, with relaxed loads and stores (plain moves on
/// common hardware, no locked instruction), shared by three loop-only
/// facts so the header stays one 64-byte line:
///
/// ```text
///   bit: 63 ...... 48 | 47 |   46    | 45 .. 40 | 39 ............ 0
///        spawn site   | -  | claimed |   pool   | last wake source
///        (observe/)   |    | queued  |  (here)  | (observe/)
/// ```
///
/// It is an atomic rather than a cell only so that it needs no `unsafe`
/// to touch; the atomicity buys nothing, because only one thread ever
/// touches it. That rule is what every `unsafe fn` below asks of its
/// caller: a pool changed by two threads would lose an update, and a lost
/// reference is a use-after-free.
pub(crate) struct RefPool(AtomicU64);

impl RefPool {
    /// A closed pool, as every task starts (the whole loop word zero).
    pub(crate) fn new() -> RefPool {
        RefPool(AtomicU64::new(0))
    }

    /// The loop word itself, for the observer's bits (`observe/records.rs`).
    #[inline(always)]
    pub(crate) fn word(&self) -> &AtomicU64 {
        &self.0
    }

    #[inline(always)]
    fn get(&self) -> u32 {
        match (self.0.load(Relaxed) & POOL_BITS) >> POOL_SHIFT {
            0 => CLOSED,
            field => field as u32 - 1,
        }
    }

    #[inline(always)]
    fn set(&self, value: u32) {
        let field = if value == CLOSED { 0 } else { value as u64 + 1 };
        let word = self.0.load(Relaxed);
        self.0
            .store((word & !POOL_BITS) | field << POOL_SHIFT, Relaxed);
    }

    /// Whether the task is claimed and still queued (`Header::is_claim_queued`).
    #[inline(always)]
    pub(crate) fn is_claim_queued(&self) -> bool {
        self.0.load(Relaxed) & CLAIM_QUEUED != 0
    }

    /// Sets or clears the claim flag. On the task's loop thread only.
    #[inline(always)]
    pub(crate) fn set_claim_queued(&self, queued: bool) {
        let word = self.0.load(Relaxed) & !CLAIM_QUEUED;
        self.0
            .store(if queued { word | CLAIM_QUEUED } else { word }, Relaxed);
    }

    /// Opens the pool: the loop has just bound the task.
    ///
    /// # Safety
    /// Called on the task's loop thread (see the module docs).
    #[inline(always)]
    pub(crate) unsafe fn open(&self) {
        debug_assert_eq!(self.get(), CLOSED, "a task is bound once");
        self.set(0);
    }

    /// Takes one reference out: `true` means the caller now owns one
    /// counted reference; `false`, the pool was empty or closed.
    ///
    /// # Safety
    /// Called on the task's loop thread.
    #[inline(always)]
    pub(crate) unsafe fn take(&self) -> bool {
        // The field is `n + 1`: 0 (closed) and 1 (empty) have nothing to
        // take. One subtraction on the whole word leaves the other bits be.
        let word = self.0.load(Relaxed);
        if (word & POOL_BITS) >> POOL_SHIFT <= 1 {
            return false;
        }
        self.0.store(word - POOL_ONE, Relaxed);
        true
    }

    /// Puts the caller's counted reference in: `true` means the pool owns
    /// it now; `false` (closed or full), the caller still does and must
    /// release it.
    ///
    /// # Safety
    /// Called on the task's loop thread.
    #[inline(always)]
    pub(crate) unsafe fn put(&self) -> bool {
        // Open (field not 0) and below the cap (field `n + 1` ≤ `CAP`):
        // `field - 1 < CAP` in one unsigned compare (0 wraps round).
        let word = self.0.load(Relaxed);
        let field = (word & POOL_BITS) >> POOL_SHIFT;
        if field.wrapping_sub(1) >= CAP as u64 {
            return false;
        }
        self.0.store(word + POOL_ONE, Relaxed);
        true
    }

    /// Closes the pool for good and returns how many references it held:
    /// the caller must release that many from the state word.
    ///
    /// # Safety
    /// Called on the task's loop thread.
    #[inline(always)]
    pub(crate) unsafe fn close(&self) -> usize {
        let n = self.get();
        self.set(CLOSED);
        if n == CLOSED {
            0
        } else {
            n as usize
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_pool_is_closed_until_opened_and_after_it_is_closed() {
        let pool = RefPool::new();
        // SAFETY: one thread touches the pool, as on a loop.
        unsafe {
            assert!(!pool.put() && !pool.take());
            assert_eq!(pool.close(), 0);
            let pool = RefPool::new();
            pool.open();
            assert!(!pool.take(), "empty");
            assert!(pool.put() && pool.put());
            assert!(pool.take());
            assert_eq!(pool.close(), 1);
            assert!(!pool.put() && !pool.take());
            assert_eq!(pool.close(), 0);
        }
    }

    #[test]
    fn a_full_pool_refuses() {
        let pool = RefPool::new();
        // SAFETY: one thread touches the pool, as on a loop.
        unsafe {
            pool.open();
            for _ in 0..CAP {
                assert!(pool.put());
            }
            assert!(!pool.put());
            assert_eq!(pool.close(), CAP as usize);
        }
    }
}
