//! The state a channel's senders and receiver share, for the bounded and
//! the unbounded channel alike: a queue under one lock, the receiver's
//! waker, and, for the bounded channel, a semaphore of free slots.
//!
//! ```text
//!   Tx (clone per sender) ──push──► ┌──────────────────────────────┐
//!      senders: AtomicUsize         │ Mutex: VecDeque<T>, rx waker,│ ──pop──► Rx
//!                                   │ senders_gone, rx_closed      │
//!   bounded: acquire a slot first   └──────────────────────────────┘
//!   (BatchSemaphore, FIFO) ◄────────── a pop releases the slot ────┘
//! ```
//!
//! A message in the queue holds one slot; the receiver gives it back as it
//! takes the message, which is what wakes the next waiting sender (FIFO).
//! Receiving is cancel-safe: a message stays in the queue until a poll
//! returns it. The receiver sees the end (`None`) once the queue is empty
//! and either every sender is gone or it closed the channel itself.
//!
//! The queue grows to the largest backlog and is reused; a message costs
//! no allocation of its own.

use std::collections::VecDeque;
use std::task::{Context, Poll, Waker};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::sync::batch_semaphore::BatchSemaphore;
use crate::sync::Notify;

struct State<T> {
    queue: VecDeque<T>,
    rx_waker: Option<Waker>,
    /// The last sender was dropped.
    senders_gone: bool,
    /// The receiver closed the channel or was dropped.
    rx_closed: bool,
}

pub(super) struct Chan<T> {
    state: Mutex<State<T>>,
    /// Live senders; the last one to go sets `senders_gone`.
    senders: AtomicUsize,
    /// Free slots of a bounded channel; `None` for an unbounded one.
    slots: Option<BatchSemaphore>,
    /// Woken (`notify_waiters`) when the receiver closes or goes: what
    /// `Sender::closed` waits on.
    rx_gone: Notify,
}

/// Why a receive found no message.
pub(super) enum Empty {
    /// Senders remain: a message may still come.
    Waiting,
    /// Every sender is gone or the receiver closed: none will come.
    Closed,
}

/// A new channel: the one sender handle and the receiver handle.
pub(super) fn new<T>(capacity: Option<usize>) -> (Tx<T>, Rx<T>) {
    let chan = Arc::new(Chan {
        state: Mutex::new(State {
            queue: VecDeque::with_capacity(capacity.unwrap_or(0).min(1024)),
            rx_waker: None,
            senders_gone: false,
            rx_closed: false,
        }),
        senders: AtomicUsize::new(1),
        slots: capacity.map(BatchSemaphore::new),
        rx_gone: Notify::new(),
    });
    (Tx(chan.clone()), Rx(chan))
}

impl<T> Chan<T> {
    /// The bounded channel's slots.
    pub(super) fn slots(&self) -> &BatchSemaphore {
        self.slots
            .as_ref()
            .expect("only a bounded channel asks for its slots")
    }

    /// Queues `value` (its slot already taken, if bounded), or gives it back
    /// if the receiver is gone.
    pub(super) fn push(&self, value: T) -> Result<(), T> {
        let mut state = self.state.lock();
        if state.rx_closed {
            drop(state);
            if let Some(slots) = &self.slots {
                slots.release(1);
            }
            return Err(value);
        }
        state.queue.push_back(value);
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    pub(super) fn is_closed(&self) -> bool {
        self.state.lock().rx_closed
    }

    /// Completes once the receiver has closed the channel or is gone.
    pub(super) async fn closed(&self) {
        // Made before the check: a close after the check is a
        // `notify_waiters` after this future was made, which completes it.
        let notified = self.rx_gone.notified();
        if self.is_closed() {
            return;
        }
        notified.await;
    }
}

/// One sender's share of the channel: counts itself in `senders`.
pub(super) struct Tx<T>(pub(super) Arc<Chan<T>>);

impl<T> Clone for Tx<T> {
    fn clone(&self) -> Self {
        self.0.senders.fetch_add(1, Ordering::Relaxed);
        Tx(self.0.clone())
    }
}

impl<T> Drop for Tx<T> {
    fn drop(&mut self) {
        if self.0.senders.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let mut state = self.0.state.lock();
        state.senders_gone = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

/// The receiver's share: takes messages, closes the channel on drop.
pub(super) struct Rx<T>(pub(super) Arc<Chan<T>>);

impl<T> Rx<T> {
    /// Takes the next message, or says why there is none.
    pub(super) fn try_pop(&mut self) -> Result<T, Empty> {
        self.pop(None)
    }

    /// Takes the next message; with none yet, stores `cx`'s waker.
    pub(super) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let charge = std::task::ready!(crate::budget::poll_proceed(cx));
        match self.pop(Some(cx.waker())) {
            Ok(value) => {
                charge.made_progress();
                Poll::Ready(Some(value))
            }
            Err(Empty::Closed) => {
                charge.made_progress();
                Poll::Ready(None)
            }
            Err(Empty::Waiting) => Poll::Pending,
        }
    }

    fn pop(&mut self, waker: Option<&Waker>) -> Result<T, Empty> {
        let chan = &*self.0;
        let mut state = chan.state.lock();
        if let Some(value) = state.queue.pop_front() {
            drop(state);
            if let Some(slots) = &chan.slots {
                slots.release(1);
            }
            return Ok(value);
        }
        if state.senders_gone || state.rx_closed {
            return Err(Empty::Closed);
        }
        if let Some(waker) = waker {
            match &state.rx_waker {
                Some(old) if old.will_wake(waker) => {}
                _ => state.rx_waker = Some(waker.clone()),
            }
        }
        Err(Empty::Waiting)
    }

    /// Closes the channel: sends fail from now on (waiting senders too);
    /// messages already queued can still be received.
    pub(super) fn close(&mut self) {
        self.0.state.lock().rx_closed = true;
        if let Some(slots) = &self.0.slots {
            slots.close();
        }
        self.0.rx_gone.notify_waiters();
    }

    /// Messages in the queue now.
    pub(super) fn len(&self) -> usize {
        self.0.state.lock().queue.len()
    }
}

impl<T> Drop for Rx<T> {
    fn drop(&mut self) {
        self.close();
        // Unreceived messages are user values: dropped with no lock held.
        let queue = std::mem::take(&mut self.0.state.lock().queue);
        drop(queue);
    }
}
