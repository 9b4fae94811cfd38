//! The owned list's chunked storage (`chunks.rs`) checked against a model,
//! with proptest: random pushes, swap-removes at random keys and drains,
//! with chunks of 4 and of 8 items so that every run crosses many chunk
//! boundaries up and down.
//!
//! ```text
//!   ops ──► Chunks<u32, SHIFT> + a key per item (updated from `moved`) ──┐
//!      └──► Vec<u32> (swap_remove)                                      ─┴─ same items, same order,
//!                                                                           every key right, slack bounded
//! ```
//!
//! After every step: the items in key order equal the model's; the key the
//! caller holds for each item (set at push, updated when `swap_remove`
//! reports a move) is that item's position; and the slots allocated are at
//! most the items plus two chunks (an empty tail and the spare), so a
//! burst that is over gives its memory back.
//!
//! `PROPTEST_CASES` overrides the case count (256 here).

use std::collections::HashMap;

use proptest::prelude::*;

use super::chunks::Chunks;

#[derive(Debug, Clone, Copy)]
enum Op {
    /// Push this many items.
    Push(u8),
    /// Remove this many items, each at a key picked by the selector.
    Remove(u8, u16),
    /// Take everything (as shutdown does).
    Take,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (1u8..40).prop_map(Op::Push),
        6 => (1u8..40, any::<u16>()).prop_map(|(n, s)| Op::Remove(n, s)),
        1 => Just(Op::Take),
    ]
}

fn run<const SHIFT: u32>(ops: &[Op]) -> Result<(), TestCaseError> {
    let chunk = 1usize << SHIFT;
    let mut list = Chunks::<u32, SHIFT>::default();
    let mut model: Vec<u32> = Vec::new();
    // The key each item's holder believes it has (the task header's
    // `owned_key` in the real list).
    let mut keys: HashMap<u32, usize> = HashMap::new();
    let mut next = 0u32;
    for &op in ops {
        match op {
            Op::Push(n) => {
                for _ in 0..n {
                    let key = list.push(next, |_, _| {});
                    prop_assert_eq!(key, model.len());
                    model.push(next);
                    keys.insert(next, key);
                    next += 1;
                }
            }
            Op::Remove(n, selector) => {
                for i in 0..n {
                    if model.is_empty() {
                        break;
                    }
                    let key = (selector as usize).wrapping_mul(i as usize + 7) % model.len();
                    let expected = model.swap_remove(key);
                    let (removed, moved) = list.swap_remove(key);
                    prop_assert_eq!(removed, expected);
                    prop_assert_eq!(keys.remove(&removed), Some(key));
                    prop_assert_eq!(moved.copied(), model.get(key).copied());
                    if let Some(&moved) = moved {
                        keys.insert(moved, key);
                    }
                }
            }
            Op::Take => {
                let drained = list.take();
                let items: Vec<u32> = (&drained).into_iter().copied().collect();
                prop_assert_eq!(&items, &model);
                model.clear();
                keys.clear();
            }
        }
        prop_assert_eq!(list.len(), model.len());
        let items: Vec<u32> = list.iter().copied().collect();
        prop_assert_eq!(&items, &model);
        for (position, item) in model.iter().enumerate() {
            prop_assert_eq!(keys[item], position);
        }
        // The full chunks, the tail and the spare: at most two chunks of
        // slack (an empty tail and the spare) whatever the count.
        prop_assert!(
            list.slots() <= model.len() + 2 * chunk,
            "{} slots for {} items",
            list.slots(),
            model.len()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn chunks_of_4_match_a_vec(ops in proptest::collection::vec(op(), 1..60)) {
        run::<2>(&ops)?;
    }

    #[test]
    fn chunks_of_8_match_a_vec(ops in proptest::collection::vec(op(), 1..60)) {
        run::<3>(&ops)?;
    }
}

/// Items in a chunk other than the first never move while the list grows:
/// the list does not copy what it holds (a `Vec` would, at each doubling).
#[test]
fn growing_never_moves_items_past_the_first_chunk() {
    let mut list = Chunks::<u64, 2>::default();
    for i in 0..4 {
        list.push(i, |_, _| {});
    }
    let fifth = list.push(4, |_, _| {});
    let at: Vec<*const u64> = list.iter().skip(fifth).map(|x| x as *const u64).collect();
    for i in 5..10_000 {
        list.push(i, |_, _| {});
    }
    let now: Vec<*const u64> = list
        .iter()
        .skip(fifth)
        .take(at.len())
        .map(|x| x as *const u64)
        .collect();
    assert_eq!(at, now);
}
