//! The timer heap (`runtime/time/heap.rs`, through `coop::fuzz`) fed
//! arbitrary sequences of insert / reset / set-waker / remove / advance and
//! checked after every step against a `BTreeMap` model: due timers fire in
//! deadline order, ties in (re)schedule order, each exactly once; `len` and
//! `next_deadline` agree; at the end every slot is freed.
#![no_main]

use std::collections::{BTreeMap, HashMap};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    /// A timer `delta` ns after the clock (small deltas make ties).
    Insert(u16),
    /// A timer with any deadline, even u64::MAX ns (saturation).
    InsertFar(u64),
    /// Moves a live timer (picked by index) to `delta` after the clock.
    Reset(u8, u16),
    SetWaker(u8),
    Remove(u8),
    /// Moves the clock forward and fires what is due.
    Advance(u16),
}

/// Pending timers by (deadline, schedule order) → id.
#[derive(Default)]
struct Model {
    pending: BTreeMap<(u64, u64), usize>,
    at: HashMap<usize, (u64, u64)>,
    seq: u64,
}

impl Model {
    fn schedule(&mut self, id: usize, ns: u64) {
        self.unschedule(id);
        self.seq += 1;
        self.pending.insert((ns, self.seq), id);
        self.at.insert(id, (ns, self.seq));
    }
    fn unschedule(&mut self, id: usize) {
        if let Some(k) = self.at.remove(&id) {
            self.pending.remove(&k);
        }
    }
    fn fire_due(&mut self, now: u64) -> Vec<(u64, usize)> {
        let mut fired = Vec::new();
        while let Some((&(ns, seq), &id)) = self.pending.first_key_value() {
            if ns > now {
                break;
            }
            self.pending.remove(&(ns, seq));
            self.at.remove(&id);
            fired.push((ns, id));
        }
        fired
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let mut heap = coop::fuzz::TimerHeap::default();
    let mut model = Model::default();
    // Live timers: (id, slot key). Ids are never reused.
    let mut live: Vec<(usize, usize)> = Vec::new();
    let mut next_id = 0;
    let mut now = 0u64;
    for op in ops {
        match op {
            Op::Insert(delta) => {
                let ns = now + u64::from(delta);
                live.push((next_id, heap.insert(ns, next_id)));
                model.schedule(next_id, ns);
                next_id += 1;
            }
            Op::InsertFar(ns) => {
                live.push((next_id, heap.insert(ns, next_id)));
                // The heap stores deadlines before its base as the base,
                // and saturates far ones; u64 ns from base never overflow.
                model.schedule(next_id, ns);
                next_id += 1;
            }
            Op::Reset(i, delta) if !live.is_empty() => {
                let (id, key) = live[usize::from(i) % live.len()];
                let ns = now + u64::from(delta);
                heap.reset(key, ns);
                // A fired timer's waker was handed out when it fired; its
                // `Sleep` stores the next one when polled, as here.
                if !model.at.contains_key(&id) {
                    assert!(heap.set_waker(key, id));
                }
                model.schedule(id, ns);
            }
            Op::SetWaker(i) if !live.is_empty() => {
                let (id, key) = live[usize::from(i) % live.len()];
                assert_eq!(heap.set_waker(key, id), model.at.contains_key(&id));
            }
            Op::Remove(i) if !live.is_empty() => {
                let (id, key) = live.swap_remove(usize::from(i) % live.len());
                heap.remove(key);
                model.unschedule(id);
            }
            Op::Advance(delta) => {
                now += u64::from(delta);
                assert_eq!(heap.fire_due(now), model.fire_due(now));
            }
            _ => {}
        }
        assert_eq!(heap.len(), model.pending.len());
        assert_eq!(
            heap.next_deadline(),
            model.pending.keys().next().map(|&(ns, _)| ns)
        );
        assert_eq!(heap.slots_in_use(), live.len());
    }
    // Everything left fires once, in order, at the end of time.
    assert_eq!(heap.fire_due(u64::MAX), model.fire_due(u64::MAX));
    for (_, key) in live.drain(..) {
        heap.remove(key);
    }
    assert_eq!(heap.slots_in_use(), 0);
    assert!(heap.is_empty());
});
