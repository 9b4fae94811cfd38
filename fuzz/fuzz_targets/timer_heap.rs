//! The timer heap (`runtime/time/heap.rs`, through `coop::fuzz`) fed
//! arbitrary sequences of insert / reset / set-waker / remove / advance and
//! checked after every step against a `BTreeMap` model: due timers fire in
//! deadline order, ties in (re)schedule order, each exactly once; `len` and
//! `next_deadline` agree; at the end every slot is freed.
#![no_main]

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

fuzz_target!(|ops: Vec<Op>| {
    let mut heap = coop::fuzz::TimerHeap::default();
    let mut model = coop::fuzz::HeapModel::default();
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
                if !model.is_pending(id) {
                    assert!(heap.set_waker(key, id));
                }
                model.schedule(id, ns);
            }
            Op::SetWaker(i) if !live.is_empty() => {
                let (id, key) = live[usize::from(i) % live.len()];
                assert_eq!(heap.set_waker(key, id), model.is_pending(id));
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
        assert_eq!(heap.len(), model.len());
        assert_eq!(heap.next_deadline(), model.next_deadline());
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
