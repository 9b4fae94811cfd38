//! The mio half of the reactor: [`Reactor`] (the loop thread's poll
//! instance and its `turn`) and [`IoHandle`] (the shareable registry and
//! the slab of sources, keyed by token: `sources.rs`).
//!
//! ```text
//!   IoHandle::register ─► slab[key] = Arc<ScheduledIo>, token = generation|key
//!   Reactor::turn ─► epoll_wait ─► slab[token] (under the lock) ─► set_readiness (outside it)
//!   IoHandle::release ─► slab.remove(key) if it still holds this record
//! ```
//!
//! Everything here needs mio, so it is not built under `--cfg loom`; the
//! slab (`sources.rs`) and the per-socket state it drives
//! (`scheduled_io.rs`, `waiters.rs`) are, and their loom models are in
//! `loom_tests.rs`.

use std::io;
use std::time::Duration;

use mio::{Events, Interest, Poll, Registry, Token};

use super::scheduled_io::{ready_bits, ScheduledIo};
use super::sources::Sources;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::trace;

/// How many events one `epoll_wait` may return. More simply wait for the
/// next turn.
pub(crate) const EVENTS_CAPACITY: usize = 1024;

/// The token of the `mio::Waker` that other threads use to unpark the loop.
pub(crate) const WAKER_TOKEN: Token = Token(super::sources::WAKER_TOKEN);

/// The loop-thread half: owns the poll instance and its event buffer.
pub(crate) struct Reactor {
    poll: Poll,
    events: Events,
    handle: Arc<IoHandle>,
    tick: usize,
    /// The sources a turn found ready, with their readiness bits. Kept
    /// between turns so a busy loop does not allocate on every turn.
    ready: Vec<(Arc<ScheduledIo>, usize)>,
}

/// The shareable half: registers and deregisters sources.
pub(crate) struct IoHandle {
    registry: Registry,
    sources: Mutex<Sources>,
    /// `sources.len()`, readable without the lock: the loop parks on
    /// a condvar instead of `epoll_wait` while it is zero (`park.rs`).
    registered: AtomicUsize,
}

impl Reactor {
    /// Creates the poll instance and the waker other threads unpark it with.
    pub(crate) fn new() -> io::Result<(Reactor, mio::Waker)> {
        let poll = Poll::new()?;
        let waker = mio::Waker::new(poll.registry(), WAKER_TOKEN)?;
        let handle = Arc::new(IoHandle {
            registry: poll.registry().try_clone()?,
            sources: Mutex::new(Sources::new()),
            registered: AtomicUsize::new(0),
        });
        let reactor = Reactor {
            poll,
            events: Events::with_capacity(EVENTS_CAPACITY),
            handle,
            tick: 0,
            ready: Vec::new(),
        };
        Ok((reactor, waker))
    }

    pub(crate) fn handle(&self) -> &Arc<IoHandle> {
        &self.handle
    }

    /// Waits for I/O events for at most `timeout` (`None`: until one comes)
    /// and wakes the tasks waiting on them. Returns the number of events.
    pub(crate) fn turn(&mut self, timeout: Option<Duration>) -> io::Result<usize> {
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            // A signal interrupted the wait: just a shorter turn.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(0),
            Err(e) => return Err(e),
        }
        self.tick = self.tick.wrapping_add(1);
        let mut count = 0;
        // Look the sources up under the lock, wake them outside it.
        let mut ready = std::mem::take(&mut self.ready);
        {
            let sources = self.handle.sources.lock();
            for event in self.events.iter() {
                count += 1;
                let token = event.token();
                if token == WAKER_TOKEN {
                    continue;
                }
                let bits = ready_bits(event);
                // A stale event for a dropped source whose slot was reused
                // carries the old generation: `get` skips it.
                if let Some(io) = sources.get(token.0) {
                    ready.push((io.clone(), bits));
                }
            }
        }
        // Traced outside the lock: a subscriber may register or drop a
        // socket, which takes it (see `trace.rs`).
        for event in self.events.iter().filter(|e| e.token() != WAKER_TOKEN) {
            trace::io_ready(event.token().0, event.is_readable(), event.is_writable());
        }
        for (io, bits) in ready.drain(..) {
            io.set_readiness(self.tick, bits);
        }
        self.ready = ready;
        Ok(count)
    }
}

impl Drop for Reactor {
    fn drop(&mut self) {
        // Sockets may outlive the runtime. Wake their waiters with "closed"
        // so no task waits for an event that can no longer come.
        let ios: Vec<_> = {
            let mut sources = self.handle.sources.lock();
            sources.shut_down = true;
            self.handle.registered.store(0, Ordering::Relaxed);
            sources.drain().collect()
        };
        for io in ios {
            io.wake_all();
        }
    }
}

impl IoHandle {
    /// Registers `source` for `interest` and returns its readiness record.
    pub(crate) fn register(
        &self,
        source: &mut impl mio::event::Source,
        interest: Interest,
    ) -> io::Result<Arc<ScheduledIo>> {
        let io = {
            let mut sources = self.sources.lock();
            if sources.shut_down {
                return Err(io::Error::other(
                    "the coop runtime that owns this reactor has shut down",
                ));
            }
            let io = sources.insert()?;
            self.registered.store(sources.len(), Ordering::Relaxed);
            io
        };
        if let Err(e) = self.registry.register(source, Token(io.token), interest) {
            self.release(&io);
            return Err(e);
        }
        Ok(io)
    }

    /// Removes `source` from the poll instance and frees its slot.
    pub(crate) fn deregister(
        &self,
        source: &mut impl mio::event::Source,
        io: &Arc<ScheduledIo>,
    ) -> io::Result<()> {
        let result = self.registry.deregister(source);
        self.release(io);
        result
    }

    /// Frees `io`'s slot if it still holds `io` (idempotent).
    pub(crate) fn release(&self, io: &Arc<ScheduledIo>) {
        let mut sources = self.sources.lock();
        if sources.release(io) {
            self.registered.store(sources.len(), Ordering::Relaxed);
        }
    }

    /// Whether any source is registered. Sources are registered on the
    /// loop's thread only, so there it is exact (`Relaxed` suffices: the
    /// loop reads its own writes); a source released on another thread may
    /// be seen late, which only costs one `epoll_wait` that was not needed.
    pub(crate) fn has_sources(&self) -> bool {
        self.registered.load(Ordering::Relaxed) != 0
    }

    /// Every registered source, for snapshots to look at their waiters
    /// (`TaskSnapshot::waiting_on`) outside the sources' lock, as `turn`
    /// wakes them outside it.
    pub(crate) fn sources(&self) -> Vec<Arc<ScheduledIo>> {
        self.sources.lock().iter().cloned().collect()
    }

    /// Number of registered sources (for tests of slot reuse).
    #[allow(dead_code)]
    pub(crate) fn source_count(&self) -> usize {
        self.sources.lock().len()
    }
}
