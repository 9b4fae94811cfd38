//! The seam between the executor and whatever the loop sleeps on.
//!
//! When no task is runnable, the loop calls [`Driver::park`] with the time
//! until the nearest timer. In a normal build that is the reactor's
//! `epoll_wait`: the loop sleeps until a socket is ready, the timeout
//! passes, or another thread calls [`Unparker::unpark`], which writes to a
//! [`mio::Waker`] registered in the same poll. Under `--cfg loom` there is
//! no OS to wait on, so parking is a loom condition variable; that is what
//! lets loom models (coop's own and downstream crates') run the real loop.
//!
//! ```text
//!  executor ──park(timeout)──► Driver ──► Reactor::turn (epoll_wait)    [normal]
//!                                     └─► Condvar::wait                 [loom]
//!  any thread ──unpark()──► Unparker ──► mio::Waker (eventfd write)     [normal]
//!                                     └─► Condvar::notify_one           [loom]
//! ```

use std::io;
use std::time::Duration;

#[cfg(not(loom))]
use crate::loom::sync::Arc;
#[cfg(not(loom))]
use crate::reactor::{IoHandle, Reactor};

/// What the loop parks on. Owned by the loop's thread.
pub(crate) struct Driver {
    #[cfg(not(loom))]
    reactor: Reactor,
    #[cfg(loom)]
    parker: crate::loom::sync::Arc<loom_park::Parker>,
}

/// Wakes a parked loop from any thread.
pub(crate) struct Unparker {
    #[cfg(not(loom))]
    waker: mio::Waker,
    #[cfg(loom)]
    parker: crate::loom::sync::Arc<loom_park::Parker>,
}

impl Driver {
    /// A driver and the unparker that wakes it.
    pub(crate) fn new() -> io::Result<(Driver, Unparker)> {
        #[cfg(not(loom))]
        {
            let (reactor, waker) = Reactor::new()?;
            Ok((Driver { reactor }, Unparker { waker }))
        }
        #[cfg(loom)]
        {
            let parker = crate::loom::sync::Arc::new(loom_park::Parker::new());
            Ok((
                Driver {
                    parker: parker.clone(),
                },
                Unparker { parker },
            ))
        }
    }

    /// Sleeps until I/O is ready, `timeout` passes (`None`: no timeout), or
    /// [`Unparker::unpark`] is called; wakes the tasks whose I/O is ready.
    /// Returns the number of events seen.
    pub(crate) fn park(&mut self, timeout: Option<Duration>) -> usize {
        #[cfg(not(loom))]
        {
            match self.reactor.turn(timeout) {
                Ok(n) => n,
                // epoll_wait fails only on a programming error (bad fd);
                // nothing the loop could do about it would help.
                Err(e) => panic!("coop: the reactor's poll failed: {e}"),
            }
        }
        #[cfg(loom)]
        {
            self.parker.park(timeout)
        }
    }

    /// The reactor's registration handle.
    #[cfg(not(loom))]
    pub(crate) fn io_handle(&self) -> &Arc<IoHandle> {
        self.reactor.handle()
    }
}

impl Unparker {
    /// Wakes the loop if it is parked, or makes its next park return at
    /// once.
    pub(crate) fn unpark(&self) {
        #[cfg(not(loom))]
        {
            // Fails only if the eventfd is gone, i.e. the runtime is being
            // torn down; nobody is left to wake then.
            let _ = self.waker.wake();
        }
        #[cfg(loom)]
        {
            self.parker.unpark();
        }
    }
}

#[cfg(loom)]
mod loom_park {
    use crate::loom::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// A flag and a condition variable: `unpark` sets the flag, `park`
    /// waits for it and clears it.
    pub(crate) struct Parker {
        notified: Mutex<bool>,
        condvar: Condvar,
    }

    impl Parker {
        pub(crate) fn new() -> Parker {
            Parker {
                notified: Mutex::new(false),
                condvar: Condvar::new(),
            }
        }

        pub(crate) fn park(&self, timeout: Option<Duration>) -> usize {
            let mut notified = self.notified.lock();
            if timeout.is_some() {
                // Loom has no clock: a timed park is a yield, so timers are
                // re-checked but models never wait on real time.
                *notified = false;
                drop(notified);
                loom::thread::yield_now();
                return 0;
            }
            while !*notified {
                notified = self.condvar.wait(notified).unwrap();
            }
            *notified = false;
            0
        }

        pub(crate) fn unpark(&self) {
            *self.notified.lock() = true;
            self.condvar.notify_one();
        }
    }
}
