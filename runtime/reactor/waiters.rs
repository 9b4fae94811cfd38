//! Who waits on one socket: the tasks [`ScheduledIo`](super::ScheduledIo)
//! wakes when readiness arrives.
//!
//! Two kinds of waiter, as in tokio:
//!
//! ```text
//!   Waiters {
//!     reader: Option<Waker>   ◄── AsyncRead::poll_read      one task: the last to poll
//!     writer: Option<Waker>   ◄── AsyncWrite::poll_write    one task: the last to poll
//!     list:   Slab<Waiter>    ◄── accept / recv / send_to / peek …  any number of tasks,
//!   }                             each future owns its slot and frees it on drop
//! ```
//!
//! * The **slots** serve the `poll_*` methods of a byte stream, which have
//!   nowhere to keep a handle between polls. A stream (or each split half)
//!   is read by one task, so one slot per direction is enough and costs no
//!   allocation. Two tasks polling one half would replace each other's
//!   waker, which `&mut self` on `AsyncRead` makes hard to do by accident.
//! * The **list** serves the `async fn`s that take `&self`: several tasks
//!   can wait in `accept` on one `Rc<TcpListener>` or in `recv` on one
//!   `Rc<UdpSocket>`. Each waiting future holds a [`WaiterKey`]; polling
//!   again updates its waker in place, dropping the future frees the entry.
//!   The slab keeps its memory, so a socket waited on by one task
//!   allocates once, not per poll.
//!
//! A readiness report wakes **every** waiter of its direction: the slots
//! and the whole list. The loop then runs them in the order they were
//! woken; the first to run takes the connection or datagram, the others
//! find `WouldBlock`, clear the readiness they saw and wait again. Nobody
//! is left waiting on readiness that arrived (see `reactor/mod.rs`).

use std::task::Waker;

use slab::Slab;

use super::scheduled_io::Direction;

/// How many wakers one pass collects before waking them outside the lock.
pub(super) const WAKE_BATCH: usize = 32;

/// One task waiting in an `async fn` of a socket.
#[derive(Debug)]
struct Waiter {
    direction: Direction,
    /// `None` once woken, until the future polls (and waits) again.
    waker: Option<Waker>,
}

/// The waiters of one socket. Lives behind the `ScheduledIo`'s mutex.
#[derive(Default)]
pub(super) struct Waiters {
    reader: Option<Waker>,
    writer: Option<Waker>,
    list: Slab<Waiter>,
}

/// A future's entry in the list: `None` until it first waits.
#[derive(Debug, Default)]
pub(crate) struct WaiterKey(pub(super) Option<usize>);

/// Stores `waker` in `slot` unless it already holds one that wakes the same
/// task (the common re-poll: no clone, no drop).
fn store(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(w) if w.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl Waiters {
    /// Puts `waker` in the direction's slot (`key` is `None`) or in the
    /// list entry `key` names, making one on first use.
    pub(super) fn register(
        &mut self,
        direction: Direction,
        key: Option<&mut WaiterKey>,
        waker: &Waker,
    ) {
        match key {
            None => match direction {
                Direction::Read => store(&mut self.reader, waker),
                Direction::Write => store(&mut self.writer, waker),
            },
            Some(WaiterKey(Some(k))) => store(&mut self.list[*k].waker, waker),
            Some(WaiterKey(slot @ None)) => {
                *slot = Some(self.list.insert(Waiter {
                    direction,
                    waker: Some(waker.clone()),
                }));
            }
        }
    }

    /// Calls `f` with every stored waker and the direction it waits for
    /// (snapshots: `TaskSnapshot::waiting_on`).
    pub(super) fn for_each(&self, mut f: impl FnMut(Direction, &Waker)) {
        let slots = [
            (Direction::Read, &self.reader),
            (Direction::Write, &self.writer),
        ];
        for (direction, slot) in slots {
            if let Some(w) = slot {
                f(direction, w);
            }
        }
        for (_, waiter) in self.list.iter() {
            if let Some(w) = &waiter.waker {
                f(waiter.direction, w);
            }
        }
    }

    /// Frees a list entry (its future is dropped).
    pub(super) fn remove(&mut self, key: usize) {
        self.list.remove(key);
    }

    /// Moves up to [`WAKE_BATCH`] wakers whose direction `wants` into
    /// `batch` and returns how many; the caller wakes them after unlocking
    /// and calls again while a batch came back full.
    pub(super) fn take_batch(
        &mut self,
        wants: impl Fn(Direction) -> bool,
        batch: &mut [Option<Waker>; WAKE_BATCH],
    ) -> usize {
        let mut n = 0;
        for (direction, slot) in [
            (Direction::Read, &mut self.reader),
            (Direction::Write, &mut self.writer),
        ] {
            if wants(direction) {
                if let Some(w) = slot.take() {
                    batch[n] = Some(w);
                    n += 1;
                }
            }
        }
        for (_, waiter) in self.list.iter_mut() {
            if n == WAKE_BATCH {
                break;
            }
            if wants(waiter.direction) {
                if let Some(w) = waiter.waker.take() {
                    batch[n] = Some(w);
                    n += 1;
                }
            }
        }
        n
    }
}
