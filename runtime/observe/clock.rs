//! The clock that times polls: read once per poll, so it must be cheap.
//!
//! `Instant::now()` reads `CLOCK_MONOTONIC`: through the vDSO that is a
//! timestamp-counter read plus a conversion, tens of nanoseconds, as much
//! as a whole poll of a task that just yields. Polls that matter (the
//! slow-poll warning's 100 ms, `Metrics::longest_poll` finding a blocking
//! call) are milliseconds long, so on Linux the loop reads
//! `CLOCK_MONOTONIC_COARSE` instead: the kernel's last tick, read from the
//! vDSO page without touching the timestamp counter, a few nanoseconds. Its
//! resolution is one scheduler tick (1 to 4 ms). Readings are plain
//! nanosecond counts, so timing a poll is one subtraction.

/// Nanoseconds on a monotonic clock (coarse on Linux; see the module docs).
#[cfg(all(target_os = "linux", not(loom)))]
#[inline(always)]
pub(crate) fn now() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::MonotonicCoarse);
    (t.tv_sec as u64)
        .wrapping_mul(1_000_000_000)
        .wrapping_add(t.tv_nsec as u64)
}

/// Nanoseconds since the first reading in this process.
#[cfg(not(all(target_os = "linux", not(loom))))]
pub(crate) fn now() -> u64 {
    use std::sync::OnceLock;
    use std::time::Instant;
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_nanos() as u64
}

#[cfg(all(test, not(loom)))]
mod tests {
    #[test]
    fn the_clock_moves_forward_with_real_time() {
        let a = super::now();
        std::thread::sleep(std::time::Duration::from_millis(30));
        let b = super::now();
        assert!(b > a);
        let slept = b - a;
        // 30 ms, give or take a tick (at most 10 ms even at HZ=100).
        assert!(slept >= 20_000_000, "{slept} ns");
    }
}
