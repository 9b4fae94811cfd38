//! Per-source readiness: what the OS last said about one socket, and who
//! is waiting for it.
//!
//! `mio` is edge-triggered: it reports "readable" once, when the socket
//! *becomes* readable, not every time the loop asks. So readiness is
//! remembered here until an operation proves it stale; only then is it
//! cleared ([`ScheduledIo::clear_readiness`]). Each readiness report
//! carries the reactor tick it arrived in, so a clear based on an old report
//! cannot erase a newer one that came in meanwhile. The full rule is in
//! `reactor/mod.rs`.
//!
//! ```text
//!  readiness: AtomicUsize =  [ tick (16 bits) | ... | URGENT | SHUTDOWN | ERROR | WRITE_CLOSED | READ_CLOSED | WRITABLE | READABLE ]
//!  waiters:   Mutex<Waiters>   (one slot per direction + a list; see `waiters.rs`)
//! ```
use std::task::{Context, Poll, Waker};

use super::waiters::{WaiterKey, Waiters, WAKE_BATCH};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;

const READABLE: usize = 1 << 0;
const WRITABLE: usize = 1 << 1;
const READ_CLOSED: usize = 1 << 2;
const WRITE_CLOSED: usize = 1 << 3;
const ERROR: usize = 1 << 4;
/// The reactor is gone: no event will ever come again.
const SHUTDOWN: usize = 1 << 5;
/// The peer sent urgent data (`MSG_OOB`, reported as `EPOLLPRI`). Sticky:
/// from then on a short read may stop at the urgent mark with more data
/// queued behind it, so it no longer proves the socket drained. Ends no
/// wait by itself (urgent data also makes the socket readable).
const URGENT: usize = 1 << 6;
const READY_MASK: usize = (1 << 7) - 1;
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
        let wants = |direction: Direction| ready & direction.mask() != 0;
        if !wants(Direction::Read) && !wants(Direction::Write) {
            return;
        }
        // Wake outside the lock (a waker may do anything, including poll),
        // a batch at a time so no allocation is needed however many wait.
        // A waker is user code: one that panics must not keep the other
        // waiters, or the rest of the reactor's events, from their wake.
        let mut batch: [Option<Waker>; WAKE_BATCH] = Default::default();
        loop {
            let n = self.waiters.lock().take_batch(wants, &mut batch);
            for waker in batch[..n].iter_mut() {
                if let Some(w) = waker.take() {
                    let _ = crate::catch::catch(|| w.wake());
                }
            }
            if n < WAKE_BATCH {
                return;
            }
        }
    }

    /// Ready if the last report covers `direction`; otherwise stores the
    /// task's waker and returns `Pending`. `key` is `None` for the
    /// direction's single slot (a stream's `poll_read`/`poll_write`), or
    /// the waiting future's entry in the list (`async fn`s on `&self`).
    pub(crate) fn poll_ready(
        &self,
        cx: &mut Context<'_>,
        direction: Direction,
        key: Option<&mut WaiterKey>,
    ) -> Poll<ReadyEvent> {
        if let Some(event) = self.ready_event(direction) {
            return Poll::Ready(event);
        }
        self.waiters.lock().register(direction, key, cx.waker());
        // Look again: an event may have landed between the first look and
        // storing the waker, and its wake would have found no waker.
        match self.ready_event(direction) {
            Some(event) => Poll::Ready(event),
            None => Poll::Pending,
        }
    }

    /// Calls `f` with the waker of every task waiting on this source and
    /// the direction it waits for, under the waiters' lock (`f` must not
    /// wake or drop anything: snapshots only compare).
    pub(crate) fn for_each_waiter(&self, f: impl FnMut(Direction, &Waker)) {
        self.waiters.lock().for_each(f);
    }

    /// Frees a list entry made by [`poll_ready`](Self::poll_ready): its
    /// future is dropped.
    pub(crate) fn remove_waiter(&self, key: &mut WaiterKey) {
        if let Some(k) = key.0.take() {
            self.waiters.lock().remove(k);
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
        self.clear(event, false);
    }

    /// A read on a byte stream returned less than the buffer holds: the
    /// kernel handed over all it had, so clear as for `WouldBlock`, unless
    /// the socket has seen urgent data (the read may have stopped at the
    /// mark with data behind it, and no new edge would come for that).
    pub(crate) fn clear_drained(&self, event: ReadyEvent) {
        self.clear(event, true);
    }

    fn clear(&self, event: ReadyEvent, drained: bool) {
        // Closed and shutdown states are final: the operation reports them
        // instead of `WouldBlock`, so they are never cleared. ERROR clears
        // with the plain bits: an error is reported once (the next syscall
        // takes it), and keeping the bit would make every later wait return
        // at once and spin on `WouldBlock`.
        let clear = event.ready & (READABLE | WRITABLE | ERROR);
        let mut current = self.readiness.load(Ordering::Acquire);
        loop {
            if current >> TICK_SHIFT != event.tick || (drained && current & URGENT != 0) {
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

    /// Wakes every waiter for good; used when the reactor shuts down.
    pub(crate) fn wake_all(&self) {
        self.set_readiness(0, READ_CLOSED | WRITE_CLOSED | ERROR | SHUTDOWN);
    }
}

/// Readiness bits for one mio event.
///
/// mio reports `EPOLLERR` with writability as "write closed" too. That is
/// not a hang-up: the error is taken by the next syscall, after which the
/// socket may block like any other (a connected UDP socket that got an ICMP
/// error). So with an error, "write closed" is left out and ERROR alone
/// (clearable, see [`ScheduledIo::clear_readiness`]) ends the write wait.
///
/// Unless the read side is closed in the same event: mio cannot say whether
/// `EPOLLHUP` was set, but both sides closed with an error is a connection
/// torn down (a TCP reset sets the error *and* `EPOLLHUP`), which fails
/// every later write. Dropping "write closed" there lost a wake-up: one
/// waiter took the error, another's short read cleared the ERROR bit, and a
/// third, waiting to write on the dead socket, slept for ever (found by
/// `model_tests.rs`; the case is kept in `proptest-regressions/`). A real
/// hang-up is final, so that readiness is never cleared.
#[cfg(not(loom))]
pub(crate) fn ready_bits(event: &mio::event::Event) -> usize {
    bits_of(MioEvent {
        readable: event.is_readable(),
        writable: event.is_writable(),
        read_closed: event.is_read_closed(),
        write_closed: event.is_write_closed(),
        error: event.is_error(),
        priority: event.is_priority(),
    })
}

/// What a `mio::event::Event` says, as plain flags (the model test makes
/// these from epoll flags the way mio does).
#[derive(Clone, Copy, Debug, Default)]
#[cfg_attr(loom, allow(dead_code))]
pub(crate) struct MioEvent {
    pub(crate) readable: bool,
    pub(crate) writable: bool,
    pub(crate) read_closed: bool,
    pub(crate) write_closed: bool,
    pub(crate) error: bool,
    pub(crate) priority: bool,
}

/// The readiness bits for one event (see [`ready_bits`]).
#[cfg_attr(loom, allow(dead_code))]
pub(crate) fn bits_of(event: MioEvent) -> usize {
    let mut ready = 0;
    if event.readable {
        ready |= READABLE;
    }
    if event.writable {
        ready |= WRITABLE;
    }
    if event.read_closed {
        ready |= READ_CLOSED;
    }
    if event.error {
        ready |= ERROR;
    }
    if event.write_closed && (!event.error || event.read_closed) {
        ready |= WRITE_CLOSED;
    }
    if event.priority {
        ready |= URGENT;
    }
    ready
}
