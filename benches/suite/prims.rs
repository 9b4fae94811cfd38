//! Runtime-neutral primitives written for the bench, so a figure measures
//! the scheduler and not each runtime's channel: a yield, a poll-once, a
//! baton passed between two tasks (shared slot + stored `Waker`), and a
//! one-shot completion signal.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// Yields once: wakes itself and returns `Pending` the first time.
pub async fn yield_now() {
    struct YieldNow(bool);
    impl Future for YieldNow {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
    YieldNow(false).await
}

/// Polls `f` once with the caller's context, whatever it returns.
pub async fn poll_once<F: Future>(f: Pin<&mut F>) {
    struct PollOnce<'a, F>(Pin<&'a mut F>);
    impl<F: Future> Future for PollOnce<'_, F> {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let _ = self.0.as_mut().poll(cx);
            Poll::Ready(())
        }
    }
    PollOnce(f).await
}

/// Stores `cx`'s waker in `slot` (keeping the old one if it would wake the
/// same task), the way channels do.
fn store_waker(slot: &Cell<Option<Waker>>, cx: &Context<'_>) {
    let old = slot.take();
    match old {
        Some(w) if w.will_wake(cx.waker()) => slot.set(Some(w)),
        _ => slot.set(Some(cx.waker().clone())),
    }
}

/// A token two tasks pass back and forth.
#[derive(Default)]
pub struct Baton {
    turn: Cell<usize>,
    wakers: [Cell<Option<Waker>>; 2],
}

impl Baton {
    /// Waits until it is `me`'s turn.
    pub fn wait(self: &Rc<Self>, me: usize) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.turn.get() == me {
                Poll::Ready(())
            } else {
                store_waker(&self.wakers[me], cx);
                Poll::Pending
            }
        })
    }

    /// Hands the token to the other side and wakes it.
    pub fn pass(&self, me: usize) {
        let other = 1 - me;
        self.turn.set(other);
        if let Some(w) = self.wakers[other].take() {
            w.wake();
        }
    }
}

/// A one-shot "done" flag with a stored waker.
#[derive(Default)]
pub struct Signal {
    done: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

impl Signal {
    pub fn set(&self) {
        self.done.set(true);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }

    pub fn wait(&self) -> impl Future<Output = ()> + '_ {
        std::future::poll_fn(move |cx| {
            if self.done.get() {
                Poll::Ready(())
            } else {
                store_waker(&self.waker, cx);
                Poll::Pending
            }
        })
    }
}

/// xorshift64*: deterministic pseudo-random numbers, the same for every
/// runtime.
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
}
