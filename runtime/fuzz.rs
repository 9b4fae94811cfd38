//! The fuzzers' door into crate-private code: built only under
//! `cfg(fuzzing)` (which `cargo fuzz` sets), hidden from the docs, not part
//! of the API. `fuzz/fuzz_targets/timer_heap.rs` drives the timer heap
//! (`time/heap.rs`) through it and checks it against the `BTreeMap` model
//! its proptest uses (`time/heap_model.rs`).
//!
//! ```text
//!   fuzz target ──► coop::fuzz::TimerHeap ──► time::heap::TimerHeap
//!                   (nanosecond offsets in,     (the real heap, real
//!                    timer ids out)              wakers)
//! ```

use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};
use std::time::{Duration, Instant};

use crate::time::heap;

/// The heap's reference model (`time/heap_model.rs`), shared with its
/// proptest.
pub use crate::time::heap_model::Model as HeapModel;

/// The timer heap with deadlines as nanoseconds after its birth and wakers
/// that report which timer id fired.
pub struct TimerHeap {
    inner: heap::TimerHeap,
    base: Instant,
    woken: Arc<Mutex<Vec<usize>>>,
}

struct IdWaker {
    id: usize,
    woken: Arc<Mutex<Vec<usize>>>,
}

impl Wake for IdWaker {
    fn wake(self: Arc<Self>) {
        self.woken.lock().unwrap().push(self.id);
    }
}

impl std::fmt::Debug for TimerHeap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerHeap")
            .field("pending", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for TimerHeap {
    fn default() -> TimerHeap {
        let base = Instant::now();
        TimerHeap {
            inner: heap::TimerHeap::new(base),
            base,
            woken: Arc::default(),
        }
    }
}

impl TimerHeap {
    fn waker(&self, id: usize) -> Waker {
        Waker::from(Arc::new(IdWaker {
            id,
            woken: self.woken.clone(),
        }))
    }

    fn at(&self, ns: u64) -> Instant {
        self.base + Duration::from_nanos(ns)
    }

    /// A timer due `ns` after the heap's birth whose waker reports `id`;
    /// returns its slot key.
    pub fn insert(&mut self, ns: u64, id: usize) -> usize {
        let waker = self.waker(id);
        self.inner.insert(self.at(ns), waker)
    }

    /// Moves timer `key` (pending or fired) to `ns`.
    pub fn reset(&mut self, key: usize, ns: u64) {
        self.inner.reset(key, self.at(ns));
    }

    /// Gives timer `key` a waker reporting `id`; false if it has fired.
    pub fn set_waker(&mut self, key: usize, id: usize) -> bool {
        let waker = self.waker(id);
        self.inner.set_waker(key, &waker)
    }

    /// Cancels timer `key` and frees its slot.
    pub fn remove(&mut self, key: usize) {
        self.inner.remove(key);
    }

    /// Fires every timer due at `ns`: (deadline in ns, id) in firing order.
    pub fn fire_due(&mut self, ns: u64) -> Vec<(u64, usize)> {
        let mut fired = Vec::new();
        self.inner.fire_due(self.at(ns), &mut fired);
        fired
            .into_iter()
            .map(|(at, waker)| {
                waker.wake();
                let id = self.woken.lock().unwrap().pop().expect("the waker reports");
                (at.duration_since(self.base).as_nanos() as u64, id)
            })
            .collect()
    }

    /// The earliest pending deadline, in ns.
    pub fn next_deadline(&self) -> Option<u64> {
        self.inner
            .next_deadline()
            .map(|at| at.duration_since(self.base).as_nanos() as u64)
    }

    /// Pending timers.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// True if no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Slots in use (pending, or fired and not yet removed).
    pub fn slots_in_use(&self) -> usize {
        self.inner.slot_usage().0
    }
}
