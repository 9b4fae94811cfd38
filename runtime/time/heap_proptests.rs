//! The timer heap (`heap.rs`) checked against a model, with proptest:
//! random sequences of insert, reset, set-waker, cancel and clock advances.
//!
//! ```text
//!   ops ──► TimerHeap (the code)      ──► fired (deadline order)  ┐
//!      └──► BTreeMap<(at, seq), id>   ──► popped while due        ┴─ equal?
//! ```
//!
//! The model is the definition: a timer is pending from insert (or reset)
//! until the clock passes its deadline or it is removed; due timers fire in
//! deadline order, ties in the order they were (re)scheduled. After every
//! step the heap's `len`, `next_deadline` and `set_waker` (pending or not)
//! agree with the model, and at the end every slot is freed.
//!
//! `PROPTEST_CASES` overrides the case count (256 here);
//! `scripts/proptest-long.sh` runs many more.

use std::sync::{Arc, Mutex};
use std::task::{Wake, Waker};
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::heap::TimerHeap;
use super::heap_model::Model;

#[derive(Debug, Clone)]
enum Op {
    /// A new timer `ms` after the current clock (0..=50, so ties happen).
    Insert(u64),
    /// Moves a live timer (chosen by index) to `ms` after the clock; a fired
    /// one goes back into the heap.
    Reset(usize, u64),
    /// Stores a new waker (what `Sleep::poll` does).
    SetWaker(usize),
    /// Cancels and frees a live timer.
    Remove(usize),
    /// Moves the clock forward and fires what is due.
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u64..=50).prop_map(Op::Insert),
        2 => (any::<usize>(), 0u64..=50).prop_map(|(i, ms)| Op::Reset(i, ms)),
        1 => any::<usize>().prop_map(Op::SetWaker),
        2 => any::<usize>().prop_map(Op::Remove),
        2 => (0u64..=30).prop_map(Op::Advance),
    ]
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut heap = TimerHeap::default();
    // Later than the heap's base, so every deadline maps exactly.
    let t0 = Instant::now();
    let ms = |n: u64| t0 + Duration::from_millis(n);
    let mut model = Model::default();
    let mut now = 0u64;
    // Live timers: (model id, heap key), in insertion order.
    let mut live: Vec<(usize, usize)> = Vec::new();
    let mut ids = 0usize;
    // Which waker fired: each timer's waker is tagged by its id.
    let mut fired = Vec::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let tagged = |id| {
        Waker::from(Arc::new(Tag {
            id,
            log: log.clone(),
        }))
    };
    for op in ops {
        match op {
            Op::Insert(d) => {
                ids += 1;
                let key = heap.insert(ms(now + d), tagged(ids));
                prop_assert!(
                    live.iter().all(|&(_, k)| k != key),
                    "a held slot key was handed out again"
                );
                live.push((ids, key));
                model.schedule(ids, now + d);
            }
            Op::Reset(i, d) if !live.is_empty() => {
                let (id, key) = live[i % live.len()];
                heap.reset(key, ms(now + d));
                // A fired timer's waker was handed out; the code stores the
                // next one on poll. The model does the same with SetWaker.
                if !model.is_pending(id) {
                    prop_assert!(heap.set_waker(key, &tagged(id)));
                }
                model.schedule(id, now + d);
            }
            Op::SetWaker(i) if !live.is_empty() => {
                let (id, key) = live[i % live.len()];
                let pending = heap.set_waker(key, &tagged(id));
                prop_assert_eq!(pending, model.is_pending(id));
            }
            Op::Remove(i) if !live.is_empty() => {
                let (id, key) = live.remove(i % live.len());
                heap.remove(key);
                model.unschedule(id);
            }
            Op::Advance(d) => {
                now += d;
                fired.clear();
                heap.fire_due(ms(now), &mut fired);
                let got: Vec<(u64, usize)> = fired
                    .iter()
                    .map(|(at, w)| {
                        w.wake_by_ref();
                        let id = log.lock().unwrap().pop().expect("a tagged waker");
                        ((*at - t0).as_millis() as u64, id)
                    })
                    .collect();
                prop_assert_eq!(got, model.fire_due(now));
            }
            _ => {}
        }
        prop_assert_eq!(heap.len(), model.len());
        let next = model.next_deadline().map(ms);
        prop_assert_eq!(heap.next_deadline(), next);
        prop_assert_eq!(heap.slot_usage().0, live.len());
    }
    for (id, key) in live {
        heap.remove(key);
        model.unschedule(id);
    }
    prop_assert!(model.is_empty());
    prop_assert_eq!(heap.len(), 0);
    prop_assert_eq!(heap.slot_usage().0, 0);
    Ok(())
}

/// A waker whose wake records `id` in `log`, so a fired waker says whose
/// timer it was.
struct Tag {
    id: usize,
    log: Arc<Mutex<Vec<usize>>>,
}

impl Wake for Tag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.log.lock().unwrap().push(self.id);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn timer_heap_matches_a_btreemap_model(ops in prop::collection::vec(op(), 1..200)) {
        run(ops)?;
    }
}
