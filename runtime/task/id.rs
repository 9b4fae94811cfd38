//! Task ids: a process-wide counter, so an id is never reused while the
//! process lives and traces from different runtimes never collide.

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
    pub(crate) fn next() -> TaskId {
        let n = crate::loom::next_unique_id();
        TaskId(NonZeroU64::new(n).expect("the id counter starts at 1"))
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
