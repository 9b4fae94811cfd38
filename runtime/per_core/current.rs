//! Which loop this is: a thread-local set by the launcher on each loop's
//! thread before it builds the loop's runtime.

use std::cell::Cell;

thread_local! {
    static CURRENT: Cell<Option<LoopInfo>> = const { Cell::new(None) };
}

/// Where a per-core loop runs: its index, how many loops were started, and
/// the core it is pinned to. From [`current`].
///
/// ```
/// let infos = coop::per_core::run(2, |_| async { coop::per_core::current().unwrap() })?;
/// assert_eq!(infos[1].index(), 1);
/// assert_eq!(infos[1].loops(), 2);
/// assert_eq!(infos[1].core(), None); // `run` does not pin
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoopInfo {
    pub(super) index: usize,
    pub(super) loops: usize,
    pub(super) core: Option<usize>,
}

impl LoopInfo {
    /// This loop's index, `0..loops()`: the argument its factory was given.
    ///
    /// ```
    /// let i = coop::per_core::run(1, |_| async { coop::per_core::current().unwrap().index() })?;
    /// assert_eq!(i, [0]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// How many loops the launcher started.
    ///
    /// ```
    /// let n = coop::per_core::run(2, |_| async { coop::per_core::current().unwrap().loops() })?;
    /// assert_eq!(n, [2, 2]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn loops(&self) -> usize {
        self.loops
    }

    /// The core this loop's thread is pinned to (an id from
    /// `core_affinity`), or `None` if pinning was not asked for or the OS
    /// refused it (e.g. a container's CPU set does not allow that core).
    ///
    /// ```
    /// let cores = coop::per_core::Builder::new()
    ///     .loops(1)
    ///     .pin(true)
    ///     .run(|_| async { coop::per_core::current().unwrap().core() })?;
    /// // Some(core) where affinity is allowed, None where it is refused.
    /// println!("loop 0 pinned to {:?}", cores[0]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn core(&self) -> Option<usize> {
        self.core
    }
}

/// The per-core loop running on this thread, or `None` outside one (on
/// the caller's thread, on a plain [`Runtime`](crate::Runtime)'s, on a
/// blocking-pool thread).
///
/// ```
/// assert_eq!(coop::per_core::current(), None);
/// let seen = coop::per_core::run(2, |_| async { coop::per_core::current().map(|l| l.index()) })?;
/// assert_eq!(seen, [Some(0), Some(1)]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn current() -> Option<LoopInfo> {
    CURRENT.with(Cell::get)
}

/// Records `info` as this thread's loop (the launcher's thread closure,
/// before the runtime is built).
pub(super) fn set(info: LoopInfo) {
    CURRENT.with(|c| c.set(Some(info)));
}
