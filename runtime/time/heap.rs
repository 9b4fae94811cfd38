//! The timer queue: a binary min-heap of deadlines whose entries know where
//! they sit, so a timer can be cancelled in O(log n) and leaves nothing
//! behind.
//!
//! ```text
//!  slots (Slab)                        heap (Vec of slot keys, min deadline first)
//!  ┌───┬───────────────────────────┐   ┌───┬───┬───┬───┐
//!  │ 0 │ 12:00:03  waker  pos=2    │   │ 1 │ 3 │ 0 │ … │  heap[i] ≤ heap[2i+1], heap[2i+2]
//!  │ 1 │ 12:00:01  waker  pos=0    │   └───┴───┴───┴───┘
//!  │ 2 │ 12:00:02  FIRED           │   fired slots left the heap but keep their
//!  │ 3 │ 12:00:02  waker  pos=1    │   slot until their `Sleep` lets go of it
//!  └───┴───────────────────────────┘
//! ```
//!
//! * insert: push at the end, sift up: O(log n), and O(1) on average when
//!   deadlines mostly grow (they usually do: `now + d`).
//! * cancel: swap with the last entry, sift that one: O(log n); O(1) when the
//!   newest timer is the one dropped (a `timeout` that did not fire).
//! * fire: pop the minimum while it is due.
//!
//! A slot belongs to its `Sleep` from insert until the `Sleep` removes it.
//! The loop never frees a slot itself (it only marks it fired), so a slot key
//! held by a `Sleep` can never point at somebody else's timer.
//! Ties fire in insertion order (a sequence number breaks them).

use std::task::Waker;
use std::time::Instant;

use slab::Slab;

/// `pos` of a slot that is no longer in the heap.
const FIRED: usize = usize::MAX;

struct Slot {
    deadline: Instant,
    seq: u64,
    waker: Option<Waker>,
    pos: usize,
}

/// All pending timers of one runtime. Loop-thread only.
#[derive(Default)]
pub(crate) struct TimerHeap {
    slots: Slab<Slot>,
    heap: Vec<usize>,
    seq: u64,
}

impl TimerHeap {
    /// Adds a timer; returns its slot key.
    pub(crate) fn insert(&mut self, deadline: Instant, waker: Waker) -> usize {
        self.seq += 1;
        let key = self.slots.insert(Slot {
            deadline,
            seq: self.seq,
            waker: Some(waker),
            pos: self.heap.len(),
        });
        self.heap.push(key);
        self.sift_up(self.heap.len() - 1);
        key
    }

    /// Replaces the waker of a pending timer. Returns `false` if the timer
    /// already fired.
    pub(crate) fn set_waker(&mut self, key: usize, waker: &Waker) -> bool {
        let slot = &mut self.slots[key];
        if slot.pos == FIRED {
            return false;
        }
        match &slot.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => slot.waker = Some(waker.clone()),
        }
        true
    }

    /// Frees a slot, taking its timer out of the heap if it is still there.
    pub(crate) fn remove(&mut self, key: usize) {
        let pos = self.slots[key].pos;
        if pos != FIRED {
            self.remove_at(pos);
        }
        self.slots.remove(key);
    }

    /// The earliest pending deadline.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.heap.first().map(|&key| self.slots[key].deadline)
    }

    /// Number of timers still waiting to fire.
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// Takes every timer due at `now` out of the heap, in deadline order,
    /// and appends its waker (with its deadline) to `fired`.
    pub(crate) fn fire_due(&mut self, now: Instant, fired: &mut Vec<(Instant, Waker)>) {
        while let Some(&key) = self.heap.first() {
            if self.slots[key].deadline > now {
                break;
            }
            self.remove_at(0);
            let slot = &mut self.slots[key];
            slot.pos = FIRED;
            if let Some(waker) = slot.waker.take() {
                fired.push((slot.deadline, waker));
            }
        }
    }

    fn less(&self, a: usize, b: usize) -> bool {
        let (a, b) = (&self.slots[self.heap[a]], &self.slots[self.heap[b]]);
        (a.deadline, a.seq) < (b.deadline, b.seq)
    }

    fn swap(&mut self, i: usize, j: usize) {
        self.heap.swap(i, j);
        self.slots[self.heap[i]].pos = i;
        self.slots[self.heap[j]].pos = j;
    }

    fn remove_at(&mut self, pos: usize) {
        let last = self.heap.len() - 1;
        if pos != last {
            self.swap(pos, last);
        }
        self.heap.pop();
        if pos < self.heap.len() {
            // The moved entry may belong above or below its new place.
            self.sift_up(pos);
            self.sift_down(pos);
        }
        // Give memory back after a burst (a million timeouts dropped).
        if self.heap.capacity() > 1024 && self.heap.len() < self.heap.capacity() / 4 {
            self.heap.shrink_to(self.heap.capacity() / 2);
        }
    }

    fn sift_up(&mut self, mut i: usize) {
        while i > 0 {
            let parent = (i - 1) / 2;
            if !self.less(i, parent) {
                break;
            }
            self.swap(i, parent);
            i = parent;
        }
    }

    fn sift_down(&mut self, mut i: usize) {
        loop {
            let (left, right) = (2 * i + 1, 2 * i + 2);
            let mut smallest = i;
            if left < self.heap.len() && self.less(left, smallest) {
                smallest = left;
            }
            if right < self.heap.len() && self.less(right, smallest) {
                smallest = right;
            }
            if smallest == i {
                break;
            }
            self.swap(i, smallest);
            i = smallest;
        }
    }

    /// Slots in use, fired or not (for tests of memory reuse).
    #[cfg(test)]
    pub(crate) fn slots_in_use(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::time::Duration;

    fn noop() -> Waker {
        futures_task::noop_waker()
    }

    #[test]
    fn fires_in_deadline_order_with_ties_in_insertion_order() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let mut keys = Vec::new();
        for ms in [30u64, 10, 20, 10, 0, 50, 40] {
            keys.push((heap.insert(t0 + Duration::from_millis(ms), noop()), ms));
        }
        let mut fired = Vec::new();
        heap.fire_due(t0 + Duration::from_millis(35), &mut fired);
        let deadlines: Vec<_> = fired.iter().map(|(d, _)| (*d - t0).as_millis()).collect();
        assert_eq!(deadlines, [0, 10, 10, 20, 30]);
        assert_eq!(heap.len(), 2);
        assert_eq!(heap.next_deadline(), Some(t0 + Duration::from_millis(40)));
    }

    #[test]
    #[cfg_attr(miri, ignore)] // 10,000 timers: minutes under Miri, and no unsafe here
    fn cancelled_timers_leave_no_entries_behind() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let keys: Vec<_> = (0..10_000u64)
            .map(|i| heap.insert(t0 + Duration::from_millis(i * 7919 % 1000), noop()))
            .collect();
        for (i, key) in keys.into_iter().enumerate() {
            if i % 3 != 0 {
                heap.remove(key);
            }
        }
        assert_eq!(heap.len(), 3334);
        let mut fired = Vec::new();
        heap.fire_due(t0 + Duration::from_secs(2), &mut fired);
        assert_eq!(fired.len(), 3334);
        assert!(fired.windows(2).all(|w| w[0].0 <= w[1].0), "deadline order");
        assert_eq!(heap.len(), 0);
    }

    #[test]
    fn a_fired_slot_stays_owned_until_removed() {
        let mut heap = TimerHeap::default();
        let t0 = Instant::now();
        let key = heap.insert(t0, noop());
        let mut fired = Vec::new();
        heap.fire_due(t0, &mut fired);
        assert!(!heap.set_waker(key, &noop()), "fired timers report so");
        // A new timer must not take the fired slot while its owner holds it.
        let other = heap.insert(t0, noop());
        assert_ne!(key, other);
        heap.remove(key);
        heap.remove(other);
        assert_eq!(heap.slots_in_use(), 0);
    }
}
