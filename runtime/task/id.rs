//! Task ids: a process-wide counter, so an id is never reused while the
//! process lives and traces from different runtimes never collide.

use std::cell::Cell;
use std::fmt;
use std::num::NonZeroU64;

/// The id of a spawned task, unique within the process.
///
/// Shown in traces (`task.id`) and in [`JoinError`](crate::JoinError)
/// messages.
///
/// ```
/// coop::block_on(async {
///     let a = coop::spawn(async {});
///     let b = coop::spawn(async {});
///     assert_ne!(a.id(), b.id());
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    /// A fresh id straight from the process-wide counter: for tasks made off
    /// the loop's thread (e.g. `Handle::spawn`), which have no `IdBlock`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn next() -> TaskId {
        let n = crate::loom::next_unique_id();
        TaskId(NonZeroU64::new(n).expect("the id counter starts at 1"))
    }

    /// The id a number stands for (the observer's packed records).
    pub(crate) fn from_u64(n: NonZeroU64) -> TaskId {
        TaskId(n)
    }

    /// The id as a number, for logs and metrics.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let handle = coop::spawn(async {});
    ///     assert!(handle.id().as_u64() > 0);
    /// });
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }
}

/// Task ids reserved a block at a time, so a loop that spawns touches the
/// process-wide counter (an atomic read-modify-write) once per block instead
/// of once per task. Ids stay unique in the process; they just do not follow
/// spawn order across runtimes. Loop-thread only.
#[derive(Debug, Default)]
pub(crate) struct IdBlock {
    next: Cell<u64>,
    end: Cell<u64>,
}

const ID_BLOCK: u64 = 1024;

impl IdBlock {
    pub(crate) fn next(&self) -> TaskId {
        let mut next = self.next.get();
        if next == self.end.get() {
            next = crate::loom::next_unique_ids(ID_BLOCK);
            self.end.set(next + ID_BLOCK);
        }
        self.next.set(next + 1);
        TaskId(NonZeroU64::new(next).expect("the id counter starts at 1"))
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn ids_from_blocks_and_from_the_counter_never_collide() {
        let (a, b) = (IdBlock::default(), IdBlock::default());
        let mut seen = std::collections::HashSet::new();
        for _ in 0..3 * ID_BLOCK {
            assert!(seen.insert(a.next()));
            assert!(seen.insert(b.next()));
            assert!(seen.insert(TaskId::next()));
        }
    }
}
