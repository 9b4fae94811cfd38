//! The loop's parker on Linux: one 32-bit state word and the `futex`
//! system call, the way `std::thread::park` is built, so a wake from
//! another thread never takes a lock.
//!
//! ```text
//!  park                                     unpark (any thread)
//!   NOTIFIED → EMPTY? return (no syscall)    swap(NOTIFIED):
//!   EMPTY → PARKED                             EMPTY / NOTIFIED: done (no syscall)
//!   futex_wait(state, PARKED) ◄─────────────── PARKED: futex_wake(1)
//!   NOTIFIED → EMPTY? return, else wait again
//! ```
//!
//! Why not the mutex and condition variable of `park.rs`'s portable
//! [`Parker`](crate::park::Parker): there the waking thread takes the
//! mutex the loop holds while it goes to sleep, so a wake that lands in that
//! window puts the *waker* to sleep too, and the loop is woken later
//! through the condvar. With one word, a wake that lands before the loop
//! is really asleep in the kernel (the value is no longer `PARKED`) makes
//! `futex_wait` return at once: on two cores that are both awake, a remote
//! wake into a loop that has just decided to park then costs no context
//! switch (benches/RESULTS.md, "remote_wake").
//!
//! The futex word is only an address the kernel compares and sleeps on;
//! no memory is shared with it beyond the atomic. Under loom and Miri the
//! condvar parker is used (same states, same handshake), which is what the
//! loom models of the park protocol check.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use rustix::thread::futex;

/// No wake pending, nobody waiting.
const EMPTY: u32 = 0;
/// The loop is waiting in `futex_wait` (or about to).
const PARKED: u32 = 1;
/// A wake came; the next `park` returns at once.
const NOTIFIED: u32 = 2;

/// A one-thread parker on a futex (see the module docs).
pub(crate) struct Parker {
    state: AtomicU32,
}

impl Parker {
    pub(crate) fn new() -> Parker {
        Parker {
            state: AtomicU32::new(EMPTY),
        }
    }

    /// Sleeps until `unpark` (at once if one came since the last park) or
    /// until `timeout` passes.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        // A wake already came: consume it. Acquire: what the waker did
        // before its `unpark` is visible to the loop from here on.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Acquire)
            .is_ok()
        {
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
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let left = match deadline {
                None => None,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    Some(rustix::time::Timespec {
                        tv_sec: left.as_secs() as _,
                        tv_nsec: left.subsec_nanos() as _,
                    })
                }
            };
            // Sleeps only while the word still says PARKED: a wake that
            // came since (NOTIFIED) makes it return at once. Its errors
            // (EAGAIN: the word changed; EINTR; ETIMEDOUT) all mean "look
            // at the word again".
            let _ = futex::wait(&self.state, futex::Flags::PRIVATE, PARKED, left.as_ref());
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::Acquire, Ordering::Acquire)
                .is_ok()
            {
                return;
            }
            // A spurious wake-up: wait again.
        }
        // Timed out. A wake may land right now; consume it either way, the
        // loop looks at its queues next.
        self.state.swap(EMPTY, Ordering::Acquire);
    }

    /// Wakes the parked thread, or makes its next `park` return at once.
    pub(crate) fn unpark(&self) {
        // Release: the waker's writes (the task it queued) happen before
        // the loop's Acquire of NOTIFIED.
        if self.state.swap(NOTIFIED, Ordering::Release) == PARKED {
            let _ = futex::wake(&self.state, futex::Flags::PRIVATE, 1);
        }
    }
}

#[cfg(test)]
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
