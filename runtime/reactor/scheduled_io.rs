//! Per-source readiness: what the OS last said about one socket, and who
//! is waiting for it.
//!
//! `mio` is edge-triggered: it reports "readable" once, when the socket
//! *becomes* readable, not every time the loop asks. So readiness is
//! remembered here until a read actually returns `WouldBlock`; only then is
//! it cleared ([`ScheduledIo::clear_readiness`]). Each readiness report
//! carries the reactor tick it arrived in, so a clear based on an old report
//! cannot erase a newer one that came in meanwhile.
//!
//! ```text
//!  readiness: AtomicUsize =  [ tick (16 bits) | ... | SHUTDOWN | ERROR | WRITE_CLOSED | READ_CLOSED | WRITABLE | READABLE ]
//!  waiters:   Mutex<{ reader: Option<Waker>, writer: Option<Waker> }>
//! ```
//!
//! A reader and a writer can wait on the same socket at once; each has its
//! own waker slot.

use std::task::{Context, Poll, Waker};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

const READABLE: usize = 1 << 0;
const WRITABLE: usize = 1 << 1;
const READ_CLOSED: usize = 1 << 2;
const WRITE_CLOSED: usize = 1 << 3;
const ERROR: usize = 1 << 4;
/// The reactor is gone: no event will ever come again.
const SHUTDOWN: usize = 1 << 5;
const READY_MASK: usize = (1 << 6) - 1;
const TICK_SHIFT: u32 = 16;
const TICK_MASK: usize = 0xffff;

/// Which half of a socket a task waits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Read,
    Write,
}

impl Direction {
    /// The readiness bits that end a wait in this direction. Closed,
    /// error and shutdown count as ready: the next operation reports them.
    fn mask(self) -> usize {
        match self {
            Direction::Read => READABLE | READ_CLOSED | ERROR | SHUTDOWN,
            Direction::Write => WRITABLE | WRITE_CLOSED | ERROR | SHUTDOWN,
        }
    }
}

/// A readiness report handed to the task, to clear with later if the
/// operation still hits `WouldBlock`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReadyEvent {
    tick: usize,
    ready: usize,
}

impl ReadyEvent {
    /// The peer closed its write side (reads will return 0) or the socket
    /// errored.
    #[allow(dead_code)]
    pub(crate) fn is_read_closed(&self) -> bool {
        self.ready & (READ_CLOSED | ERROR) != 0
    }

    /// The socket can no longer send (hang-up, or an error is pending).
    pub(crate) fn is_write_closed(&self) -> bool {
        self.ready & (WRITE_CLOSED | ERROR) != 0
    }

    /// The reactor shut down: waiting again would wait forever.
    pub(crate) fn is_shutdown(&self) -> bool {
        self.ready & SHUTDOWN != 0
    }
}

#[derive(Default)]
struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// The reactor's record for one registered source.
pub(crate) struct ScheduledIo {
    /// The mio token of this registration (slab key plus generation).
    pub(crate) token: usize,
    readiness: AtomicUsize,
    waiters: Mutex<Waiters>,
}

impl ScheduledIo {
    pub(crate) fn new(token: usize) -> ScheduledIo {
        ScheduledIo {
            token,
            readiness: AtomicUsize::new(0),
            waiters: Mutex::new(Waiters::default()),
        }
    }

    /// Records readiness `ready` (bits from [`ready_bits`]) reported in
    /// reactor tick `tick`, and wakes the waiters it concerns.
    pub(crate) fn set_readiness(&self, tick: usize, ready: usize) {
        let tick = (tick & TICK_MASK) << TICK_SHIFT;
        let mut current = self.readiness.load(Ordering::Acquire);
        loop {
            let next = tick | (current & READY_MASK) | ready;
            match self.readiness.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
        let (reader, writer) = {
            let mut waiters = self.waiters.lock();
            let reader = if ready & Direction::Read.mask() != 0 {
                waiters.reader.take()
            } else {
                None
            };
            let writer = if ready & Direction::Write.mask() != 0 {
                waiters.writer.take()
            } else {
                None
            };
            (reader, writer)
        };
        // Wake outside the lock: a waker may do anything, including poll.
        // A waker is user code: one that panics must not keep the other
        // waiter, or the rest of the reactor's events, from their wake.
        for w in [reader, writer].into_iter().flatten() {
            let _ = crate::catch::catch(|| w.wake());
        }
    }

    /// Ready if the last report covers `direction`; otherwise stores the
    /// task's waker and returns `Pending`.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
    ) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_event(direction) {
            return Poll::Ready(event);
        }
        {
            let mut waiters = self.waiters.lock();
            let slot = match direction {
                Direction::Read => &mut waiters.reader,
                Direction::Write => &mut waiters.writer,
            };
            match slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
        }
        // Look again: an event may have landed between the first look and
        // storing the waker, and its wake would have found no waker.
        match self.ready_event(direction) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    fn ready_event(&self, direction: Direction) -> Option<ReadyEvent> {
        let current = self.readiness.load(Ordering::Acquire);
        let ready = current & direction.mask();
        (ready != 0).then_some(ReadyEvent {
            tick: current >> TICK_SHIFT,
            ready,
        })
    }

    /// The operation hit `WouldBlock`: forget the readiness it acted on,
    /// unless a newer event (a later tick) has arrived since.
    pub(crate) fn clear_readiness(&self, event: ReadyEvent) {
        // Closed and shutdown states are final. ERROR clears with the plain
        // bits: a UDP socket's ICMP error is reported once (the next recv
        // takes it), and keeping the bit would make every later wait return
        // at once and spin on `WouldBlock`.
        let clear = event.ready & (READABLE | WRITABLE | ERROR);
        let mut current = self.readiness.load(Ordering::Acquire);
        loop {
            if current >> TICK_SHIFT != event.tick {
                return;
            }
            let next = current & !clear;
            match self.readiness.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return,
                Err(actual) => current = actual,
            }
        }
    }

    /// Wakes both waiters for good; used when the reactor shuts down.
    pub(crate) fn wake_all(&self) {
        self.set_readiness(0, READ_CLOSED | WRITE_CLOSED | ERROR | SHUTDOWN);
    }
}

/// Readiness bits for one mio event.
#[cfg(not(loom))]
pub(crate) fn ready_bits(event: &mio::event::Event) -> usize {
    let mut ready = 0;
    if event.is_readable() {
        ready |= READABLE;
    }
    if event.is_writable() {
        ready |= WRITABLE;
    }
    if event.is_read_closed() {
        ready |= READ_CLOSED;
    }
    if event.is_write_closed() {
        ready |= WRITE_CLOSED;
    }
    if event.is_error() {
        ready |= ERROR;
    }
    ready
}
