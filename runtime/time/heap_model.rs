//! The timer heap's reference model, shared by its proptest
//! (`heap_proptests.rs`) and its fuzz target (`fuzz/fuzz_targets/timer_heap.rs`,
//! through `coop::fuzz`): what the heap must do, written the obvious way.
//!
//! ```text
//!   BTreeMap<(deadline, schedule order), id>   ── first entries while due = what fires
//! ```
//!
//! A timer is pending from insert (or reset) until the clock passes its
//! deadline or it is removed; due timers fire in deadline order, ties in
//! the order they were (re)scheduled. Deadlines are plain `u64`s in
//! whatever unit the caller uses (ms in the proptest, ns in the fuzzer).

use std::collections::{BTreeMap, HashMap};

/// Pending timers ordered by (deadline, schedule order).
#[derive(Default, Debug)]
pub struct Model {
    pending: BTreeMap<(u64, u64), usize>,
    /// Timer id → its key in `pending`, if pending.
    at: HashMap<usize, (u64, u64)>,
    seq: u64,
}

impl Model {
    /// (Re)schedules timer `id` at `deadline`, after every earlier schedule
    /// of the same deadline.
    pub fn schedule(&mut self, id: usize, deadline: u64) {
        self.unschedule(id);
        self.seq += 1;
        self.pending.insert((deadline, self.seq), id);
        self.at.insert(id, (deadline, self.seq));
    }

    /// Cancels timer `id` if it is pending.
    pub fn unschedule(&mut self, id: usize) {
        if let Some(k) = self.at.remove(&id) {
            self.pending.remove(&k);
        }
    }

    /// Removes and returns every timer due at `now`: (deadline, id) in
    /// firing order.
    pub fn fire_due(&mut self, now: u64) -> Vec<(u64, usize)> {
        let mut fired = Vec::new();
        while let Some((&(deadline, seq), &id)) = self.pending.first_key_value() {
            if deadline > now {
                break;
            }
            self.pending.remove(&(deadline, seq));
            self.at.remove(&id);
            fired.push((deadline, id));
        }
        fired
    }

    /// True if timer `id` is pending.
    pub fn is_pending(&self, id: usize) -> bool {
        self.at.contains_key(&id)
    }

    /// Pending timers.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// True if no timer is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The earliest pending deadline.
    pub fn next_deadline(&self) -> Option<u64> {
        self.pending.keys().next().map(|&(deadline, _)| deadline)
    }
}
