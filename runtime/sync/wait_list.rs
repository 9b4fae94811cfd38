//! The FIFO wait list every primitive in `coop::sync` queues its waiters on.
//!
//! A waiter is one pending future (an `acquire`, a `notified`, ...). It gets
//! a slot in a slab and a place in a doubly linked list threaded through the
//! slots, so that it can be put at the back, taken from the front and, when
//! its future is dropped, unlinked from the middle, each in O(1):
//!
//! ```text
//!   head                                       tail
//!    │                                          │
//!    ▼                                          ▼
//!  ┌─────────┐ next ┌─────────┐ next ┌─────────┐
//!  │ slot 3  │─────►│ slot 0  │─────►│ slot 5  │   queued: waiting, in order
//!  │ waker   │◄─────│ waker   │◄─────│ waker   │
//!  └─────────┘ prev └─────────┘ prev └─────────┘
//!
//!  ┌─────────┐
//!  │ slot 1  │   dequeued: served (its data says with what), not yet
//!  └─────────┘   seen by its future; the slot lives until the future
//!                takes it back on its next poll or in its Drop
//! ```
//!
//! The list is plain data: the primitive that owns it keeps it behind its
//! own `crate::loom::sync::Mutex`, together with whatever it counts
//! (permits, a stored notification), so one lock covers both.
//!
//! **Cancel safety lives here.** A waiter's future holds its [`WaiterKey`]
//! and, in its `Drop`, calls [`WaitList::remove`]. Removal says whether the
//! waiter was still queued (it just leaves the line: nothing was given to
//! it) or had already been served (it was handed something it will now never
//! use: the primitive passes it on to the next waiter). Either way nothing
//! is lost and nothing is given twice.
//!
//! Slots are reused, so once the slab has grown to the largest number of
//! waiters seen at once, waiting allocates nothing.

use std::task::Waker;

use slab::Slab;

/// The only handle to a waiter's slot: not `Copy` or `Clone`, so exactly one
/// future owns it and gives it back once.
#[derive(Debug)]
pub(crate) struct WaiterKey(usize);

#[derive(Debug)]
struct Node<D> {
    prev: Option<usize>,
    next: Option<usize>,
    /// In the linked list (waiting), or served and unlinked.
    queued: bool,
    waker: Option<Waker>,
    data: D,
}

/// A FIFO queue of waiters, each carrying primitive-specific data `D`.
#[derive(Debug)]
pub(crate) struct WaitList<D> {
    slots: Slab<Node<D>>,
    head: Option<usize>,
    tail: Option<usize>,
    /// # Invariant
    /// The number of slots with `queued == true`: the length of the list.
    queued: usize,
}

impl<D> WaitList<D> {
    pub(crate) fn new() -> WaitList<D> {
        WaitList {
            slots: Slab::new(),
            head: None,
            tail: None,
            queued: 0,
        }
    }

    /// True when no waiter is in line (served ones may still hold slots).
    pub(crate) fn is_empty(&self) -> bool {
        self.queued == 0
    }

    /// Puts a waiter at the back of the line, with a waker to wake when it
    /// is served (`None`: nobody to wake yet, as for `Notified::enable`;
    /// a later poll sets one with [`set_waker`](Self::set_waker)).
    pub(crate) fn push_back(&mut self, data: D, waker: Option<&Waker>) -> WaiterKey {
        let key = self.slots.insert(Node {
            prev: self.tail,
            next: None,
            queued: true,
            waker: waker.cloned(),
            data,
        });
        match self.tail {
            Some(tail) => self.slots[tail].next = Some(key),
            None => self.head = Some(key),
        }
        self.tail = Some(key);
        self.queued += 1;
        WaiterKey(key)
    }

    /// The data of the waiter at the front of the line.
    pub(crate) fn front_mut(&mut self) -> Option<&mut D> {
        let head = self.head?;
        Some(&mut self.slots[head].data)
    }

    /// Serves the waiter at the front: takes it out of the line (its slot
    /// stays, marked served) and returns its waker for the caller to wake
    /// once its lock is released.
    pub(crate) fn pop_front(&mut self) -> Option<Option<Waker>> {
        let head = self.head?;
        self.unlink(head);
        Some(self.slots[head].waker.take())
    }

    /// True while the waiter is still in line; false once served.
    pub(crate) fn is_queued(&self, key: &WaiterKey) -> bool {
        self.slots[key.0].queued
    }

    /// Stores the waker of the waiter's latest poll (kept if it would wake
    /// the same task, to save a clone).
    pub(crate) fn set_waker(&mut self, key: &WaiterKey, waker: &Waker) {
        let slot = &mut self.slots[key.0].waker;
        match slot {
            Some(old) if old.will_wake(waker) => {}
            _ => *slot = Some(waker.clone()),
        }
    }

    /// Gives the waiter's slot back. Returns its data and whether it was
    /// still in line (`true`: it leaves the line having had nothing;
    /// `false`: it had been served, and the caller decides what becomes of
    /// what it was given). The waker is returned so that it is dropped after
    /// the caller's lock (dropping a waker is user code too).
    pub(crate) fn remove(&mut self, key: WaiterKey) -> (D, bool, Option<Waker>) {
        let was_queued = self.slots[key.0].queued;
        if was_queued {
            self.unlink(key.0);
        }
        let node = self.slots.remove(key.0);
        (node.data, was_queued, node.waker)
    }

    fn unlink(&mut self, key: usize) {
        let node = &mut self.slots[key];
        debug_assert!(node.queued, "unlinking a waiter that is not in line");
        let (prev, next) = (node.prev.take(), node.next.take());
        node.queued = false;
        match prev {
            Some(prev) => self.slots[prev].next = next,
            None => self.head = next,
        }
        match next {
            Some(next) => self.slots[next].prev = prev,
            None => self.tail = prev,
        }
        self.queued -= 1;
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use futures_task::noop_waker;

    #[test]
    fn serves_in_order_and_a_removed_waiter_leaves_the_line() {
        let waker = noop_waker();
        let mut list = WaitList::new();
        let keys: Vec<_> = (0..4).map(|i| list.push_back(i, Some(&waker))).collect();
        let mut keys = keys.into_iter();
        let (k0, k1, k2, k3) = (
            keys.next().unwrap(),
            keys.next().unwrap(),
            keys.next().unwrap(),
            keys.next().unwrap(),
        );
        // Remove from the middle: the order of the others is kept.
        assert_eq!(list.remove(k1).0, 1);
        assert!(list.pop_front().is_some());
        assert!(!list.is_queued(&k0));
        assert_eq!(*list.front_mut().unwrap(), 2);
        // Remove the tail, then the head: the list is empty and consistent.
        assert!(list.remove(k3).1);
        assert!(list.remove(k2).1);
        assert!(list.is_empty());
        assert!(list.pop_front().is_none());
        // The served waiter still holds its slot until it gives it back.
        let (data, was_queued, _) = list.remove(k0);
        assert_eq!((data, was_queued), (0, false));
        let k = list.push_back(9, Some(&waker));
        assert_eq!(*list.front_mut().unwrap(), 9);
        list.remove(k);
    }
}
