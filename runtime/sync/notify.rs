//! [`Notify`]: wake one task, or every task, waiting for an event.
//!
//! # Permit semantics (tokio's)
//!
//! * [`notify_one`](Notify::notify_one) wakes the waiter at the front of
//!   the line. If nobody waits, it stores **one** permit instead (several
//!   calls still store one): the next [`notified`](Notify::notified) future
//!   to be polled takes it and completes at once.
//! * [`notify_waiters`](Notify::notify_waiters) wakes every waiter, and
//!   every `Notified` future *created* before the call even if it has not
//!   been polled yet. It stores no permit: a later `notified()` waits.
//!
//! ```text
//!   notify_one ──► waiters? ── yes ─► serve the front one (FIFO)
//!                      └────── no ──► permit = true (at most one)
//!
//!   notified() ──► first poll: made before a notify_waiters? ─► Ready
//!                              permit stored? take it        ─► Ready
//!                              else queue                    ─► Pending
//! ```
//!
//! Cancel safety: a `Notified` that was served by `notify_one` and then
//! dropped before it saw the notification passes it on, exactly as a new
//! `notify_one` would (to the next waiter, or as the stored permit). A
//! notification is never lost and never counted twice.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::wait_list::{WaitList, WaiterKey};
use super::wake_list::WakeList;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Mutex, MutexGuard};

/// How a waiter was served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Served {
    /// Still waiting.
    No,
    /// By `notify_one`: this notification must be passed on if unused.
    One,
    /// By `notify_waiters`.
    All,
}

#[derive(Debug)]
struct State {
    /// The one stored `notify_one` permit.
    permit: bool,
    waiters: WaitList<Served>,
}

/// Notifies one task, or all waiting tasks, of an event.
///
/// `Send + Sync`: notify from any task, loop or thread.
///
/// ```
/// use std::sync::Arc;
/// use coop::sync::Notify;
///
/// coop::block_on(async {
///     let notify = Arc::new(Notify::new());
///     let waiter = coop::spawn({
///         let notify = notify.clone();
///         async move {
///             notify.notified().await;
///             "notified"
///         }
///     });
///     notify.notify_one();
///     assert_eq!(waiter.await.unwrap(), "notified");
/// });
/// ```
#[derive(Debug)]
pub struct Notify {
    state: Mutex<State>,
    /// How many `notify_waiters` calls there have been. Written under the
    /// `state` lock; a `Notified` reads it when it is made.
    waiters_calls: AtomicUsize,
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl Notify {
    /// A `Notify` with no permit stored.
    ///
    /// ```
    /// let notify = coop::sync::Notify::new();
    /// notify.notify_one(); // stores the permit
    /// coop::block_on(notify.notified()); // takes it at once
    /// ```
    pub fn new() -> Notify {
        Notify {
            state: Mutex::new(State {
                permit: false,
                waiters: WaitList::new(),
            }),
            waiters_calls: AtomicUsize::new(0),
        }
    }

    /// A future that completes when this `Notify` is notified (see the
    /// module docs for which notifications count). It does not queue until
    /// first polled.
    ///
    /// Cancel-safe: dropped after `notify_one` chose it, it passes the
    /// notification on to the next waiter (or stores it as the permit).
    ///
    /// ```
    /// use std::sync::Arc;
    ///
    /// coop::block_on(async {
    ///     let notify = Arc::new(coop::sync::Notify::new());
    ///     let n = notify.clone();
    ///     coop::spawn(async move { n.notify_one() });
    ///     notify.notified().await;
    /// });
    /// ```
    pub fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            waiters_calls: self.waiters_calls.load(Ordering::SeqCst),
            stage: Stage::Init,
        }
    }

    /// Wakes the first waiter in line, or stores one permit if none waits.
    ///
    /// ```
    /// let notify = coop::sync::Notify::new();
    /// notify.notify_one();
    /// notify.notify_one(); // still one permit
    /// coop::block_on(notify.notified());
    /// ```
    pub fn notify_one(&self) {
        let state = self.state.lock();
        Notify::notify_one_locked(state);
    }

    fn notify_one_locked(mut state: MutexGuard<'_, State>) {
        let waker = match state.waiters.front_mut() {
            Some(served) => {
                *served = Served::One;
                state.waiters.pop_front().flatten()
            }
            None => {
                state.permit = true;
                None
            }
        };
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Wakes every waiter, and every `Notified` made before this call even
    /// if not yet polled. Stores no permit.
    ///
    /// ```
    /// let notify = coop::sync::Notify::new();
    /// let a = notify.notified();
    /// let b = notify.notified();
    /// notify.notify_waiters();
    /// coop::block_on(async { a.await; b.await });
    /// ```
    pub fn notify_waiters(&self) {
        let mut state = self.state.lock();
        self.waiters_calls.fetch_add(1, Ordering::SeqCst);
        let mut wake = WakeList::new();
        while let Some(served) = state.waiters.front_mut() {
            *served = Served::All;
            wake.push(state.waiters.pop_front().flatten());
        }
        drop(state);
        wake.wake_all();
    }
}

#[derive(Debug)]
enum Stage {
    Init,
    Waiting(WaiterKey),
    Done,
}

/// The future of [`Notify::notified`].
///
/// ```
/// let notify = coop::sync::Notify::new();
/// let notified: coop::sync::futures::Notified<'_> = notify.notified();
/// notify.notify_waiters();
/// coop::block_on(notified);
/// ```
#[must_use = "futures do nothing unless polled"]
#[derive(Debug)]
pub struct Notified<'a> {
    notify: &'a Notify,
    /// `notify_waiters` calls seen when this future was made.
    waiters_calls: usize,
    stage: Stage,
}

impl Notified<'_> {
    /// Takes a place in line for [`notify_one`](Notify::notify_one) now,
    /// before the first poll, without a waker (tokio's `enable`). Returns
    /// `true` if the future is already notified: a `notify_waiters` came
    /// after it was made, a stored permit was taken (first call only), or
    /// `notify_one` has since chosen it. Awaiting it then completes at once,
    /// and the notification is this future's: dropping it from then on
    /// passes nothing on (as after a poll that returned `Ready`).
    ///
    /// It is what makes "check a condition, then wait" race-free when the
    /// other side uses `notify_one` (a `notify_waiters` already reaches
    /// every `Notified` made before it):
    ///
    /// ```
    /// use std::pin::pin;
    /// use coop::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut notified = pin!(notify.notified());
    /// assert!(!notified.as_mut().enable()); // in line, not notified yet
    /// notify.notify_one(); // chooses the enabled future (stores no permit)
    /// assert!(notified.as_mut().enable());
    /// coop::block_on(notified); // ready at once
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.get_mut().poll_with(None).is_ready()
    }

    /// One step of the state machine; `waker` is `None` for `enable`.
    fn poll_with(&mut self, waker: Option<&std::task::Waker>) -> Poll<()> {
        let mut state = self.notify.state.lock();
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Init => {
                if self.notify.waiters_calls.load(Ordering::SeqCst) != self.waiters_calls {
                    return Poll::Ready(());
                }
                if std::mem::take(&mut state.permit) {
                    return Poll::Ready(());
                }
                let key = state.waiters.push_back(Served::No, waker);
                self.stage = Stage::Waiting(key);
                Poll::Pending
            }
            Stage::Waiting(key) => {
                if state.waiters.is_queued(&key) {
                    if let Some(waker) = waker {
                        state.waiters.set_waker(&key, waker);
                    }
                    self.stage = Stage::Waiting(key);
                    return Poll::Pending;
                }
                let (_, _, old) = state.waiters.remove(key);
                drop(state);
                drop(old);
                Poll::Ready(())
            }
            Stage::Done => Poll::Ready(()),
        }
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.poll_with(Some(cx.waker()))
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        let Stage::Waiting(key) = std::mem::replace(&mut self.stage, Stage::Done) else {
            return;
        };
        let mut state = self.notify.state.lock();
        let (served, _, waker) = state.waiters.remove(key);
        if served == Served::One {
            // Chosen by `notify_one` but never seen: pass it on.
            Notify::notify_one_locked(state);
        } else {
            drop(state);
        }
        drop(waker);
    }
}
