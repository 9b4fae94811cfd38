//! The loop's parker on Linux: one 32-bit state word and the `futex`
//! system call, the way `std::thread::park` is built, so a wake from
//! another thread never takes a lock.
//!
//! ```text
//!  park                                     unpark (any thread)
//!   NOTIFIED → EMPTY? return (no syscall)    swap(NOTIFIED):
//!   EMPTY → PARKED                             EMPTY / NOTIFIED: done (no syscall)
//!   (last sleep < 50 µs? watch the word for
//!    SPIN pauses: NOTIFIED → EMPTY, return)
//!   futex_wait(state, PARKED) ◄─────────────── PARKED: futex_wake(1)
//!   NOTIFIED → EMPTY? return, else wait again
//! ```
//!
//! Why not the mutex and condition variable of `park.rs`'s portable
//! parker (`park::condvar`): there the waking thread takes the
//! mutex the loop holds while it goes to sleep, so a wake that lands in that
//! window puts the *waker* to sleep too, and the loop is woken later
//! through the condvar. With one word, a wake that lands before the loop
//! is really asleep in the kernel (the value is no longer `PARKED`) makes
//! `futex_wait` return at once: on two cores that are both awake, a remote
//! wake into a loop that has just decided to park then costs no context
//! switch (benches/RESULTS.md, "remote_wake").
//!
//! The short spin is adaptive, as KVM's halt-polling is: a loop whose last
//! sleep was ended by a wake within 50 µs (a cross-thread ping-pong, a
//! blocking job per await) watches the word for a few microseconds before
//! it sleeps, and catches the next wake without either thread entering the
//! kernel; a loop whose wakes come seldom, or whose park timed out, sleeps
//! at once. On this VM that took the pinned remote wake from 5.7 to 1.2 µs
//! and blocking_roundtrip from 630 to 145 ms while the 300 µs-apart wakes of
//! `remote_wake_asleep` stayed level (an unconditional spin made those 3×
//! slower).
//!
//! The futex word is only an address the kernel compares and sleeps on;
//! no memory is shared with it beyond the atomic. The runtime's loom
//! models and Miri run the condvar parker (same states, same handshake);
//! this parker has its own loom model (`park.rs`'s, run against both):
//! under loom the two futex calls are a stand-in with the kernel's
//! contract ([`Futex`]), the spin is one look, and a timed park times out
//! at once.

#![cfg_attr(loom, allow(dead_code))]

use std::time::{Duration, Instant};

use crate::loom::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// No wake pending, nobody waiting.
const EMPTY: u32 = 0;
/// The loop is waiting in `futex_wait` (or about to).
const PARKED: u32 = 1;
/// A wake came; the next `park` returns at once.
const NOTIFIED: u32 = 2;

/// Pauses a parking loop spends watching the word before it sleeps.
#[cfg(not(loom))]
const SPIN: u32 = 200;
/// Under loom one look: a wake landing during the spin or not.
#[cfg(loom)]
const SPIN: u32 = 1;

/// A sleep this short means wakes come fast: the next park spins first.
const QUICK: Duration = Duration::from_micros(50);

/// A one-thread parker on a futex (see the module docs).
pub(crate) struct Parker {
    state: AtomicU32,
    /// The last sleep ended by a wake within [`QUICK`]: spin before the
    /// next one. Only the parking (loop) thread reads or writes it.
    quick: AtomicBool,
    futex: Futex,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            state: AtomicU32::new(EMPTY),
            quick: AtomicBool::new(false),
            futex: Futex::new(),
        }
    }

    /// Sleeps until `unpark` (at once if one came since the last park) or
    /// until `timeout` passes.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        // A wake already came: consume it.
        if self.take_notified() {
            return;
        }
        if self
            .state
            .compare_exchange(EMPTY, PARKED, Ordering::Acquire, Ordering::Acquire)
            .is_err()
        {
            // Only `unpark` changes the state meanwhile, to NOTIFIED.
            self.state.swap(EMPTY, Ordering::Acquire);
            return;
        }
        // A wake from a thread on another core that is awake lands within
        // a microsecond or so of the loop deciding to park: watch the word
        // that long before asking the kernel to sleep, but only while wakes
        // have been coming that fast (the last park was short). A loop
        // whose wakes come seldom goes straight to the kernel: spinning
        // there bought nothing and, on this VM, made the later wake slower.
        // Under loom always: the clock that sets `quick` would make the
        // model's runs differ.
        if cfg!(loom) || self.quick.load(Ordering::Relaxed) {
            for _ in 0..SPIN {
                crate::loom::hint::spin_loop();
                if self.state.load(Ordering::Relaxed) != PARKED && self.take_notified() {
                    return;
                }
            }
        }
        let slept = Instant::now();
        let deadline = match timeout {
            // Loom has no clock: a timed park times out at once (after its
            // spin), so models re-check timers but never wait on real time.
            Some(_) if cfg!(loom) => Some(slept),
            _ => timeout.and_then(|t| slept.checked_add(t)),
        };
        loop {
            let left = match deadline {
                None => None,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    Some(left)
                }
            };
            // Sleeps only while the word still says PARKED: a wake that
            // came since (NOTIFIED) makes it return at once.
            self.futex.wait(&self.state, PARKED, left);
            if self.take_notified() {
                self.quick.store(slept.elapsed() < QUICK, Ordering::Relaxed);
                return;
            }
            // A spurious wake-up: wait again.
        }
        // Timed out. A wake may land right now; consume it either way, the
        // loop looks at its queues next.
        self.state.swap(EMPTY, Ordering::Acquire);
        self.quick.store(false, Ordering::Relaxed);
    }

    /// Consumes a wake that came (`NOTIFIED` → `EMPTY`). Acquire: what the
    /// waker did before its `unpark` is visible to the loop from here on.
    fn take_notified(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Acquire)
            .is_ok()
    }

    /// Wakes the parked thread, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        // Release: the waker's writes (the task it queued) happen before
        // the loop's Acquire of NOTIFIED.
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            self.futex.wake(&self.state);
        }
    }
}

/// The two futex calls on the parker's word.
#[cfg(not(loom))]
struct Futex;

#[cfg(not(loom))]
impl Futex {
    fn new() -> Futex {
        Futex
    }

    /// Sleeps while `word` holds `expected` (checked by the kernel, atomically
    /// with going to sleep), until a `wake` or `timeout`. Its errors (EAGAIN:
    /// the word changed; EINTR; ETIMEDOUT) all mean "look at the word
    /// again", so there is nothing to report.
    #[inline(always)]
    fn wait(&self, word: &AtomicU32, expected: u32, timeout: Option<Duration>) {
        let timeout = timeout.map(|left| rustix::time::Timespec {
            tv_sec: left.as_secs() as _,
            tv_nsec: left.subsec_nanos() as _,
        });
        let _ = rustix::thread::futex::wait(word, FLAGS, expected, timeout.as_ref());
    }

    /// Wakes one thread sleeping in `wait` on `word`.
    #[inline(always)]
    fn wake(&self, word: &AtomicU32) {
        let _ = rustix::thread::futex::wake(word, FLAGS, 1);
    }
}

#[cfg(not(loom))]
const FLAGS: rustix::thread::futex::Flags = rustix::thread::futex::Flags::PRIVATE;

/// Under loom, a stand-in with the kernel's contract: the word is compared
/// under a lock that `wake` takes too, so a waker that changed the word
/// either is seen by the compare (no sleep) or notifies a sleeper that is
/// already waiting. Timeouts are not modelled (a timed park never gets
/// here under loom).
#[cfg(loom)]
struct Futex {
    lock: crate::loom::sync::Mutex<()>,
    sleepers: crate::loom::sync::Condvar,
}

#[cfg(loom)]
impl Futex {
    fn new() -> Futex {
        Futex {
            lock: crate::loom::sync::Mutex::new(()),
            sleepers: crate::loom::sync::Condvar::new(),
        }
    }

    fn wait(&self, word: &AtomicU32, expected: u32, _timeout: Option<Duration>) {
        let guard = self.lock.lock();
        if word.load(Ordering::SeqCst) == expected {
            drop(self.sleepers.wait(guard).unwrap());
        }
    }

    fn wake(&self, _word: &AtomicU32) {
        drop(self.lock.lock());
        self.sleepers.notify_one();
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::Parker;

    /// The futex parker against `park.rs`'s model (see there for what it
    /// checks and the mutations it was checked against).
    #[test]
    fn futex_parker_wakes_from_another_thread_are_never_lost() {
        crate::park::loom_tests::wakes_from_another_thread_are_never_lost(
            Parker::new,
            |p| p.park(None),
            Parker::unpark,
        );
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::Parker;

    #[test]
    fn a_wake_before_the_park_makes_it_return_at_once() {
        let parker = Parker::new();
        parker.unpark();
        let start = Instant::now();
        parker.park(None);
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_wake_is_consumed_by_one_park() {
        let parker = Parker::new();
        parker.unpark();
        parker.unpark();
        parker.park(None);
        // The second wake did not pile up: this park sleeps its timeout.
        let start = Instant::now();
        parker.park(Some(Duration::from_millis(20)));
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    /// The spin is earned, and lost again: a park that ran out its timeout
    /// clears `quick`, so a loop whose wakes stopped coming goes straight
    /// to the kernel next time (with the wake still caught: the spin is
    /// only a shortcut).
    #[test]
    fn a_timeout_ends_the_spinning_and_a_spinning_park_still_sleeps() {
        use std::sync::atomic::Ordering;
        let parker = Parker::new();
        parker.quick.store(true, Ordering::Relaxed);
        let start = Instant::now();
        parker.park(Some(Duration::from_millis(20)));
        // The spin did not replace the sleep: the timeout was served.
        assert!(start.elapsed() >= Duration::from_millis(20));
        assert!(
            !parker.quick.load(Ordering::Relaxed),
            "a timeout ends the spinning"
        );
        assert_eq!(parker.state.load(Ordering::SeqCst), super::EMPTY);
    }

    #[test]
    fn a_timed_park_returns_after_its_timeout() {
        let parker = Parker::new();
        let start = Instant::now();
        parker.park(Some(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    /// Many wakes from another thread, each racing a park: every one of
    /// them ends a park (none is lost), however they interleave.
    #[test]
    fn wakes_from_another_thread_are_never_lost() {
        use std::sync::atomic::{AtomicU64, Ordering};
        const ROUNDS: u64 = 20_000;
        let parker = Arc::new(Parker::new());
        let round = Arc::new(AtomicU64::new(0));
        let ack = Arc::new(AtomicU64::new(0));
        let waker = {
            let (parker, round, ack) = (parker.clone(), round.clone(), ack.clone());
            std::thread::spawn(move || {
                for r in 1..=ROUNDS {
                    round.store(r, Ordering::SeqCst);
                    parker.unpark();
                    while ack.load(Ordering::SeqCst) < r {
                        std::thread::yield_now();
                    }
                }
            })
        };
        for r in 1..=ROUNDS {
            // Park until round r arrives; a lost wake would hang here (the
            // generous timeout turns that into a failure, not a hang).
            let start = Instant::now();
            while round.load(Ordering::SeqCst) < r {
                parker.park(Some(Duration::from_secs(10)));
                assert!(start.elapsed() < Duration::from_secs(10), "wake {r} lost");
            }
            ack.store(r, Ordering::SeqCst);
        }
        waker.join().unwrap();
    }
}
