//! The seam between the executor and whatever the loop sleeps on.
//!
//! When no task is runnable, the loop calls [`Driver::park`] with the time
//! until the nearest timer. It sleeps on one of two things:
//!
//! * **the reactor** (`epoll_wait`) while any I/O source is registered: the
//!   loop sleeps until a socket is ready, the timeout passes, or another
//!   thread calls [`Unparker::unpark`], which writes to a [`mio::Waker`]
//!   (an eventfd) registered in the same poll;
//! * **a [`Parker`]** (a futex word on Linux, `park_futex.rs`; a mutex and
//!   a condition variable elsewhere and under loom and Miri) when no
//!   source is registered: then nothing but a timer or another thread can
//!   wake the loop, and a futex wait and wake are cheaper than an eventfd
//!   write plus an `epoll_wait`. A wake that arrives before the loop has
//!   gone to sleep costs no system call at all.
//!
//! Sources are registered only on the loop's own thread (a `Registration`
//! needs the current `Core`), so the count cannot grow while the loop is
//! parked on the condvar; it may shrink (a socket dropped on another
//! thread), which only means the loop used the reactor when the condvar
//! would have done.
//!
//! [`Driver::park_on`] picks the place; the executor records it in
//! `Shared` (`executor/shared.rs`) before parking, so `unpark` knows which
//! of the two to signal.
//!
//! ```text
//!  executor ──park(on, timeout)──► Driver ─┬► Reactor::turn (epoll_wait)   on = Reactor
//!                                          └► Parker::park (futex wait)    on = Condvar
//!  any thread ──unpark(on)──► Unparker ────┬► mio::Waker (eventfd write)   on = Reactor
//!                                          └► Parker::unpark (futex wake)  on = Condvar
//! ```
//!
//! Under `--cfg loom` there is no OS: the reactor is replaced by a second
//! [`Parker`] standing in for epoll and its eventfd, so loom models (coop's
//! own and downstream crates') run the real loop and the real handshake
//! with both kinds of sleep.

use std::io;
use std::time::Duration;

use crate::loom::sync::Arc;
#[cfg(not(loom))]
use crate::reactor::{IoHandle, Reactor};

/// Where a parking loop sleeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum ParkOn {
    /// In `epoll_wait`; woken by the eventfd.
    Reactor = 1,
    /// On the [`Parker`]; woken by a futex.
    Condvar = 2,
}

/// What the loop parks on. Owned by the loop's thread.
pub(crate) struct Driver {
    #[cfg(not(loom))]
    reactor: Reactor,
    /// Stands in for the reactor in loom models.
    #[cfg(loom)]
    reactor: Arc<Parker>,
    /// Whether a model pretends I/O sources are registered (`park_on`).
    #[cfg(loom)]
    pub(crate) loom_has_sources: bool,
    parker: Arc<Parker>,
}

/// Wakes a parked loop from any thread.
pub(crate) struct Unparker {
    #[cfg(not(loom))]
    waker: mio::Waker,
    #[cfg(loom)]
    reactor: Arc<Parker>,
    parker: Arc<Parker>,
}

impl Driver {
    /// A driver and the unparker that wakes it.
    pub(crate) fn new() -> io::Result<(Driver, Unparker)> {
        let parker = Arc::new(Parker::new());
        #[cfg(not(loom))]
        let (reactor, waker) = Reactor::new()?;
        #[cfg(loom)]
        let reactor = Arc::new(Parker::new());
        let unparker = Unparker {
            #[cfg(not(loom))]
            waker,
            #[cfg(loom)]
            reactor: reactor.clone(),
            parker: parker.clone(),
        };
        let driver = Driver {
            reactor,
            #[cfg(loom)]
            loom_has_sources: false,
            parker,
        };
        Ok((driver, unparker))
    }

    /// Where the next park sleeps: the reactor while any I/O source is
    /// registered (its events must be seen), else the condvar.
    pub(crate) fn park_on(&self) -> ParkOn {
        #[cfg(not(loom))]
        let has_sources = self.reactor.handle().has_sources();
        #[cfg(loom)]
        let has_sources = self.loom_has_sources;
        if has_sources {
            ParkOn::Reactor
        } else {
            ParkOn::Condvar
        }
    }

    /// Sleeps on `on` until [`Unparker::unpark`] is called, `timeout` passes
    /// (`None`: no timeout) or, on the reactor, I/O is ready; wakes the
    /// tasks whose I/O is ready. Returns the number of events seen.
    ///
    /// A zero timeout on the condvar returns at once: there is nothing to
    /// look at without sources.
    pub(crate) fn park(&mut self, on: ParkOn, timeout: Option<Duration>) -> usize {
        match on {
            ParkOn::Condvar => {
                if timeout != Some(Duration::ZERO) {
                    self.parker.park(timeout);
                }
                0
            }
            #[cfg(not(loom))]
            ParkOn::Reactor => match self.reactor.turn(timeout) {
                Ok(n) => n,
                // epoll_wait fails only on a programming error (bad fd);
                // nothing the loop could do about it would help.
                Err(e) => panic!("coop: the reactor's poll failed: {e}"),
            },
            #[cfg(loom)]
            ParkOn::Reactor => {
                self.reactor.park(timeout);
                0
            }
        }
    }

    /// The reactor's registration handle.
    #[cfg(not(loom))]
    pub(crate) fn io_handle(&self) -> &Arc<IoHandle> {
        self.reactor.handle()
    }
}

impl Unparker {
    /// Wakes the loop if it is parked on `on`, or makes its next park there
    /// return at once.
    pub(crate) fn unpark(&self, on: ParkOn) {
        match on {
            ParkOn::Condvar => self.parker.unpark(),
            // Fails only if the eventfd is gone, i.e. the runtime is being
            // torn down; nobody is left to wake then.
            #[cfg(not(loom))]
            ParkOn::Reactor => drop(self.waker.wake()),
            #[cfg(loom)]
            ParkOn::Reactor => self.reactor.unpark(),
        }
    }
}

#[cfg(all(target_os = "linux", not(any(loom, miri))))]
pub(crate) use crate::park_futex::Parker;
#[cfg(not(all(target_os = "linux", not(any(loom, miri)))))]
pub(crate) use condvar::Parker;

/// The portable parker (a mutex and a condition variable), and the one loom
/// models and Miri run: same states and handshake as `park_futex.rs`.
#[cfg_attr(all(target_os = "linux", not(any(loom, miri))), allow(dead_code))]
mod condvar {
    use std::time::Duration;

    use crate::loom::sync::atomic::{AtomicU8, Ordering};
    use crate::loom::sync::{Condvar, Mutex};

    /// No wake pending, nobody waiting.
    const EMPTY: u8 = 0;
    /// The loop is waiting on the condvar (or about to, holding the mutex).
    const PARKED: u8 = 1;
    /// A wake came; the next `park` returns at once.
    const NOTIFIED: u8 = 2;

    /// A one-thread parker: a state word, a mutex and a condition variable.
    ///
    /// ```text
    ///  park                                   unpark
    ///   NOTIFIED → EMPTY? return (no syscall)  swap(NOTIFIED):
    ///   lock; EMPTY → PARKED                     EMPTY / NOTIFIED: done (no syscall)
    ///   wait until NOTIFIED → EMPTY              PARKED: lock, unlock, notify_one
    /// ```
    ///
    /// The state says whether anybody sleeps, so a wake for a loop that has
    /// not gone to sleep yet is one atomic swap. The mutex is taken by
    /// `unpark` only to order the notify after the parker's wait has begun
    /// (the parker holds it from `EMPTY → PARKED` until the wait releases it).
    pub(crate) struct Parker {
        state: AtomicU8,
        lock: Mutex<()>,
        condvar: Condvar,
    }

    impl Parker {
        pub(crate) fn new() -> Parker {
            Parker {
                state: AtomicU8::new(EMPTY),
                lock: Mutex::new(()),
                condvar: Condvar::new(),
            }
        }

        /// Sleeps until `unpark` (at once if one came since the last park) or
        /// until `timeout` passes.
        pub(crate) fn park(&self, timeout: Option<Duration>) {
            // A wake already came: consume it.
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
            let mut guard = self.lock.lock();
            if let Err(state) =
                self.state
                    .compare_exchange(EMPTY, PARKED, Ordering::SeqCst, Ordering::SeqCst)
            {
                // Only `unpark` changes the state meanwhile, to NOTIFIED.
                debug_assert_eq!(state, NOTIFIED);
                self.state.swap(EMPTY, Ordering::SeqCst);
                return;
            }
            #[cfg(not(loom))]
            let deadline = timeout.and_then(|t| std::time::Instant::now().checked_add(t));
            loop {
                #[cfg(not(loom))]
                {
                    // The mutex guards no data, so a poisoned lock is harmless.
                    guard = match deadline {
                        None => self
                            .condvar
                            .wait(guard)
                            .unwrap_or_else(|poisoned| poisoned.into_inner()),
                        Some(deadline) => {
                            let left =
                                deadline.saturating_duration_since(std::time::Instant::now());
                            if left.is_zero() {
                                break;
                            }
                            let waited = self.condvar.wait_timeout(guard, left);
                            waited.unwrap_or_else(|poisoned| poisoned.into_inner()).0
                        }
                    };
                }
                #[cfg(loom)]
                {
                    if timeout.is_some() {
                        // Loom has no clock: a timed park is a yield, so timers
                        // are re-checked but models never wait on real time.
                        drop(guard);
                        loom::thread::yield_now();
                        guard = self.lock.lock();
                        break;
                    }
                    guard = self.condvar.wait(guard).unwrap();
                }
                if self
                    .state
                    .compare_exchange(NOTIFIED, EMPTY, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    return;
                }
                // A spurious wake-up: wait again.
            }
            // Timed out. A wake may land right now; consume it either way, the
            // loop looks at its queues next.
            self.state.swap(EMPTY, Ordering::SeqCst);
            drop(guard);
        }

        /// Wakes the parked thread, or makes its next `park` return at once.
        pub(crate) fn unpark(&self) {
            if self.state.swap(NOTIFIED, Ordering::SeqCst) != PARKED {
                return;
            }
            // The parker holds the lock from its `PARKED` store until its wait
            // has begun: taking it here makes the notify land inside the wait.
            drop(self.lock.lock());
            self.condvar.notify_one();
        }
    }
}

/// The parker's handshake, checked for both parkers (`condvar` here, the
/// futex one in `park_futex.rs`, whose futex calls loom runs as a
/// stand-in with the kernel's contract).
#[cfg(all(test, loom))]
pub(crate) mod loom_tests {
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    /// Another thread writes a round number (`Relaxed`: only the parker's
    /// own ordering carries it) and unparks, twice; the parking thread
    /// parks until it reads round 2. A lost wake leaves it parked forever,
    /// which loom reports as a deadlock; a wake consumed without the
    /// waker's writes becoming visible makes it park once too often, the
    /// same. Checked against (each fails the model): `unpark` reading the
    /// state with a load and then storing NOTIFIED instead of one swap;
    /// `park` storing PARKED instead of its compare-exchange from EMPTY
    /// (both lose a wake that lands between the two steps); `unpark` not
    /// waking a sleeper; and, for the futex parker, `take_notified` and
    /// `unpark` with `Relaxed` instead of Acquire / Release.
    pub(crate) fn wakes_from_another_thread_are_never_lost<P: Send + Sync + 'static>(
        new: fn() -> P,
        park: fn(&P),
        unpark: fn(&P),
    ) {
        loom::model(move || {
            let parker = Arc::new(new());
            let round = Arc::new(AtomicUsize::new(0));
            let waker = {
                let (parker, round) = (parker.clone(), round.clone());
                thread::spawn(move || {
                    for r in 1..=2 {
                        round.store(r, Ordering::Relaxed);
                        unpark(&parker);
                    }
                })
            };
            while round.load(Ordering::Relaxed) < 2 {
                park(&parker);
            }
            waker.join().unwrap();
        });
    }

    #[test]
    fn condvar_parker_wakes_from_another_thread_are_never_lost() {
        wakes_from_another_thread_are_never_lost(
            super::condvar::Parker::new,
            |p| p.park(None),
            super::condvar::Parker::unpark,
        );
    }
}
