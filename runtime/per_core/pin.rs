//! Pinning a loop's thread to a core, through the `core_affinity` crate.
//!
//! Loop `i` of a pinned launcher goes to the `i`-th core the process may
//! run on (wrapping around when there are more loops than cores). Pinning
//! is best effort: where the OS refuses (a restricted CPU set, a platform
//! without affinity) the loop runs unpinned, reports `None` from
//! [`LoopInfo::core`](super::LoopInfo::core), and a `tracing` warning says
//! so; the launch does not fail.

/// The cores this process may run on, looked up once per launch.
pub(super) fn cores() -> Vec<core_affinity::CoreId> {
    core_affinity::get_core_ids().unwrap_or_default()
}

/// Pins the calling thread to the core for loop `index`; the core's id on
/// success.
pub(super) fn pin_current(cores: &[core_affinity::CoreId], index: usize) -> Option<usize> {
    if cores.is_empty() {
        tracing::warn!(
            loop_index = index,
            "per_core: no core ids available; loop runs unpinned"
        );
        return None;
    }
    let core = cores[index % cores.len()];
    if core_affinity::set_for_current(core) {
        Some(core.id)
    } else {
        tracing::warn!(
            loop_index = index,
            core = core.id,
            "per_core: the OS refused to pin the thread; loop runs unpinned"
        );
        None
    }
}
