//! What the soak counts and how it reads the process from outside the
//! runtime: counters shared by every thread, errors by kind, RSS from
//! `/proc/self/status`, open descriptors from `/proc/self/fd`, and the
//! `RLIMIT_NOFILE` raise.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// One monotonically increasing count.
#[derive(Default)]
pub struct Count(AtomicU64);

impl Count {
    pub fn add(&self, n: u64) {
        self.0.fetch_add(n, Relaxed);
    }
    pub fn inc(&self) {
        self.add(1);
    }
    pub fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}

/// Every figure the soak reports, shared by the server loop, the client
/// loop and the remote threads.
#[derive(Default)]
pub struct Stats {
    // Clients.
    pub round_trips: Count,
    pub echo_bytes: Count,
    pub echo_clients_ok: Count,
    pub held: Count,
    pub released: Count,
    pub resets: Count,
    pub half_closes: Count,
    pub loris_bytes: Count,
    pub never_read_stalled: Count,
    pub never_read_bytes: Count,
    // The server loop's side load.
    pub accepted: Count,
    pub timers_set: Count,
    pub timers_reset: Count,
    pub timers_fired: Count,
    pub timers_cancelled: Count,
    pub spawned: Count,
    pub aborted: Count,
    pub remote_spawns: Count,
    pub remote_wakes: Count,
    pub blocking_jobs: Count,
    pub panics: Count,
    /// Errors by where and kind ("server ConnectionReset", …): expected
    /// under the injected faults, reported, not failures.
    errors: Mutex<BTreeMap<String, u64>>,
    /// What makes the run fail: a byte lost, duplicated or changed, a
    /// well-behaved client's error.
    failures: Mutex<Vec<String>>,
}

impl Stats {
    pub fn error(&self, place: &str, e: &std::io::Error) {
        let key = format!("{place} {:?}", e.kind());
        *self.errors.lock().unwrap().entry(key).or_default() += 1;
    }

    pub fn fail(&self, what: String) {
        let mut failures = self.failures.lock().unwrap();
        if failures.len() < 20 {
            eprintln!("FAILURE: {what}");
        }
        failures.push(what);
    }

    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }

    pub fn errors_line(&self) -> String {
        let errors = self.errors.lock().unwrap();
        if errors.is_empty() {
            return "none".to_string();
        }
        let parts: Vec<String> = errors.iter().map(|(k, n)| format!("{k}={n}")).collect();
        parts.join(" ")
    }

    /// Client connections open right now.
    pub fn open_connections(&self) -> u64 {
        self.held.get().saturating_sub(self.released.get())
    }
}

/// Resident set size in bytes (`VmRSS` in `/proc/self/status`).
pub fn rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    kib * 1024
}

/// Open file descriptors (entries of `/proc/self/fd`, less the one
/// `read_dir` itself holds).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|dir| dir.count().saturating_sub(1))
        .unwrap_or(0)
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns (soft, hard)
/// as they are afterwards.
pub fn raise_nofile() -> (u64, u64) {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        limit.current = limit.maximum;
        if let Err(e) = setrlimit(Resource::Nofile, limit) {
            eprintln!("setrlimit(RLIMIT_NOFILE) failed: {e}");
        }
    }
    let now = getrlimit(Resource::Nofile);
    (
        now.current.unwrap_or(u64::MAX),
        now.maximum.unwrap_or(u64::MAX),
    )
}

/// A small deterministic generator (xorshift64*), so each client's bytes
/// and pacing are reproducible from its id.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// The byte at `offset` of client `id`'s stream: a pattern that shows a
/// lost, duplicated or reordered byte as a mismatch.
pub fn pattern(id: u64, offset: u64) -> u8 {
    (offset.wrapping_mul(31) ^ id.wrapping_mul(131) ^ (offset >> 8)) as u8
}
