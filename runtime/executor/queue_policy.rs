//! [`QueuePolicy`]: which runnable task the loop picks next.
//!
//! ```text
//!   local run queue:  [ a | b | c | d ]   (pushed at the back, in wake order)
//!   Fifo              pop the front: a      every task takes its turn (default)
//!   Lifo              pop the back:  d      the newest wake runs first
//!   Random { seed }   pop a slot chosen by a seeded PRNG: any of them, and
//!                     the same seed makes the same choices every run
//! ```
//!
//! A program that is correct only in one order has a bug that another
//! runtime, or the next version of this one, will show. Random order with a
//! seed finds such bugs and replays them: the same seed picks the same
//! tasks in the same order, given the same wakes.
//!
//! The PRNG is SplitMix64 (Steele, Lea and Flood, 2014): one `u64` of
//! state, a few multiplies per pick, good enough to shuffle a run queue and
//! small enough to read here.

/// Which runnable task the loop polls next, set with
/// [`Builder::queue_policy`](crate::Builder::queue_policy). Applies to the
/// local run queue (tasks spawned or woken on the loop's thread); tasks
/// woken from other threads arrive in the order they came.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use coop::QueuePolicy;
///
/// let order = |policy| {
///     let rt = coop::Builder::new().queue_policy(policy).build().unwrap();
///     let seen = Rc::new(RefCell::new(Vec::new()));
///     for i in 0..4 {
///         let seen = seen.clone();
///         rt.spawn(async move { seen.borrow_mut().push(i) });
///     }
///     rt.run_until_stalled();
///     let order = seen.borrow().clone();
///     order
/// };
/// assert_eq!(order(QueuePolicy::Fifo), [0, 1, 2, 3]);
/// assert_eq!(order(QueuePolicy::Lifo), [3, 2, 1, 0]);
/// let shaken = order(QueuePolicy::Random { seed: 7 });
/// assert_eq!(shaken, order(QueuePolicy::Random { seed: 7 })); // replays
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum QueuePolicy {
    /// First woken, first polled: every runnable task takes its turn.
    #[default]
    Fifo,
    /// Last woken, first polled. A task that yields runs again at once, so
    /// a task that yields while waiting for another task spins forever:
    /// for studying order, not for production.
    Lifo,
    /// A runnable task chosen at random by a PRNG seeded with `seed`: the
    /// same seed gives the same order.
    Random {
        /// The PRNG's seed.
        seed: u64,
    },
}

/// SplitMix64: the next number of the sequence that `state` is in.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::splitmix64;

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs for seed 0 from the reference implementation.
        let mut state = 0;
        assert_eq!(splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        assert_eq!(splitmix64(&mut state), 0x6E78_9E6A_A1B9_65F4);
    }
}
