//! A watch channel: one value that a [`Sender`] replaces and any number of
//! [`Receiver`]s read, each told when it changed since it last looked.
//!
//! ```text
//!   Sender::send(v) ── write lock: value = v ── version += 1 ── notify_waiters
//!                                                                   │
//!   Receiver::changed() ── version != seen? ── yes ─► Ok(()) ◄──────┘
//!                                  └── no ─► wait on the Notify, look again
//! ```
//!
//! A receiver does not see every value, only the latest: a slow reader
//! skips the ones it missed. `changed().await` is cancel-safe: it keeps no
//! state but the receiver's `seen` version, which only a completed
//! `changed` (or `borrow_and_update`) moves.

use std::fmt;
use std::ops::Deref;

use super::Notify;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, RwLock, RwLockReadGuard};

/// The watch error types.
pub mod error {
    use std::fmt;

    /// The error of [`Sender::send`](super::Sender::send): no receiver is
    /// left; the value comes back in `.0`.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// drop(rx);
    /// assert_eq!(tx.send(1).unwrap_err().0, 1);
    /// ```
    #[derive(PartialEq, Eq, Clone, Copy)]
    pub struct SendError<T>(pub T);

    /// The error of [`Receiver::changed`](super::Receiver::changed) and
    /// [`has_changed`](super::Receiver::has_changed): the sender is gone.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::watch::channel(0);
    /// drop(tx);
    /// assert!(coop::block_on(rx.changed()).is_err());
    /// ```
    #[derive(Debug, PartialEq, Eq, Clone)]
    pub struct RecvError(pub(super) ());

    impl<T> fmt::Debug for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.debug_struct("SendError").finish_non_exhaustive()
        }
    }

    impl<T> fmt::Display for SendError<T> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl<T> std::error::Error for SendError<T> {}

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}
}

use error::{RecvError, SendError};

/// Set in `state` once the sender is gone; the version counts above it.
const CLOSED: usize = 1;
const ONE_VERSION: usize = 2;

struct Shared<T> {
    value: RwLock<T>,
    /// `version * 2 | CLOSED`. Bumped after each write of `value`.
    state: AtomicUsize,
    receivers: AtomicUsize,
    changed: Notify,
    /// Woken (`notify_waiters`) when the last receiver goes: what
    /// `Sender::closed` waits on.
    rx_gone: Notify,
}

/// A watch channel holding `init`.
///
/// ```
/// coop::block_on(async {
///     let (tx, mut rx) = coop::sync::watch::channel("off");
///     coop::spawn(async move { tx.send("on").unwrap() });
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow(), "on");
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: RwLock::new(init),
        state: AtomicUsize::new(0),
        receivers: AtomicUsize::new(1),
        changed: Notify::new(),
        rx_gone: Notify::new(),
    });
    let rx = Receiver {
        shared: shared.clone(),
        seen: 0,
    };
    (Sender { shared }, rx)
}

/// Replaces the value. `Send + Sync` when `T: Send + Sync`.
///
/// ```
/// let (tx, rx) = coop::sync::watch::channel(1);
/// tx.send(2).unwrap();
/// assert_eq!(*rx.borrow(), 2);
/// ```
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Reads the value and waits for changes. Clone it for more readers.
///
/// ```
/// let (tx, rx) = coop::sync::watch::channel(1);
/// let rx2 = rx.clone();
/// tx.send(2).unwrap();
/// assert_eq!((*rx.borrow(), *rx2.borrow()), (2, 2));
/// ```
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver last marked as seen.
    seen: usize,
}

/// A read lock on the value; hold it briefly (a send waits for it).
///
/// ```
/// let (_tx, rx) = coop::sync::watch::channel(String::from("hi"));
/// let value: coop::sync::watch::Ref<'_, String> = rx.borrow();
/// assert_eq!(value.len(), 2);
/// ```
pub struct Ref<'a, T> {
    guard: RwLockReadGuard<'a, T>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> Sender<T> {
    /// Replaces the value and tells every receiver, or gives the value back
    /// if no receiver is left.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert!(tx.send(2).is_err());
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.receiver_count() == 0 {
            return Err(SendError(value));
        }
        self.send_replace(value);
        Ok(())
    }

    /// Replaces the value whether or not anyone listens; returns the old one.
    ///
    /// ```
    /// let (tx, _) = coop::sync::watch::channel(1);
    /// assert_eq!(tx.send_replace(2), 1);
    /// assert_eq!(*tx.borrow(), 2);
    /// ```
    pub fn send_replace(&self, value: T) -> T {
        // The version is bumped while the write lock is held, so a reader
        // under the read lock sees a value and its own version together
        // (`borrow_and_update` relies on it).
        let mut guard = self.shared.value.write();
        let old = std::mem::replace(&mut *guard, value);
        self.shared.state.fetch_add(ONE_VERSION, Ordering::SeqCst);
        drop(guard);
        self.shared.changed.notify_waiters();
        old
    }

    /// Changes the value in place and tells every receiver.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(vec![1]);
    /// tx.send_modify(|v| v.push(2));
    /// assert_eq!(*rx.borrow(), [1, 2]);
    /// ```
    pub fn send_modify(&self, modify: impl FnOnce(&mut T)) {
        let mut guard = self.shared.value.write();
        modify(&mut guard);
        // Bumped under the write lock, as in `send_replace`.
        self.shared.state.fetch_add(ONE_VERSION, Ordering::SeqCst);
        drop(guard);
        self.shared.changed.notify_waiters();
    }

    /// The current value.
    ///
    /// ```
    /// let (tx, _rx) = coop::sync::watch::channel(3);
    /// assert_eq!(*tx.borrow(), 3);
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
        }
    }

    /// A new receiver that has seen the current value.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// drop(rx);
    /// let rx = tx.subscribe();
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            seen: self.shared.state.load(Ordering::SeqCst) & !CLOSED,
        }
    }

    /// Receivers alive now.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// let _rx2 = rx.clone();
    /// assert_eq!(tx.receiver_count(), 2);
    /// ```
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::SeqCst)
    }

    /// True when no receiver is left.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }

    /// Completes once no receiver is left (at once if none is now). A
    /// receiver made by [`subscribe`](Self::subscribe) in the meantime
    /// keeps it waiting. Cancel-safe (it only waits).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, rx) = coop::sync::watch::channel(0);
    ///     let reader = coop::spawn(async move {
    ///         let _rx = rx; // the only receiver, dropped when this ends
    ///         coop::yield_now().await;
    ///     });
    ///     tx.closed().await;
    ///     assert!(tx.is_closed());
    ///     reader.await.unwrap();
    /// });
    /// ```
    pub async fn closed(&self) {
        loop {
            // Made before the check: the last receiver's drop after the
            // check is a `notify_waiters` after this future was made.
            let notified = self.shared.rx_gone.notified();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.shared.state.fetch_or(CLOSED, Ordering::SeqCst);
        self.shared.changed.notify_waiters();
    }
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow(), 1);
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.value.read(),
        }
    }

    /// The current value, marking it seen (so `changed` waits for the next).
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::watch::channel(0);
    /// tx.send(1).unwrap();
    /// assert_eq!(*rx.borrow_and_update(), 1);
    /// assert!(!rx.has_changed().unwrap());
    /// ```
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.value.read();
        // Under the read lock no send is halfway: the version read now is
        // the version of the value held.
        self.seen = self.shared.state.load(Ordering::SeqCst) & !CLOSED;
        Ref { guard }
    }

    /// True if a value was sent since this receiver last marked one seen;
    /// `Err` once the sender is gone.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::watch::channel(0);
    /// assert!(!rx.has_changed().unwrap());
    /// tx.send(1).unwrap();
    /// assert!(rx.has_changed().unwrap());
    /// ```
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let state = self.shared.state.load(Ordering::SeqCst);
        if state & CLOSED == CLOSED {
            return Err(RecvError(()));
        }
        Ok(state & !CLOSED != self.seen)
    }

    /// Waits for a value not yet seen, and marks it seen. Returns at once
    /// if one was sent since the last look; `Err` once the sender is gone
    /// (after any unseen value has been reported).
    ///
    /// Cancel-safe: dropping the future loses nothing, the change is still
    /// unseen for the next call.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, mut rx) = coop::sync::watch::channel(0);
    ///     coop::spawn(async move {
    ///         for i in 1..=3 {
    ///             tx.send(i).unwrap();
    ///             coop::yield_now().await;
    ///         }
    ///     });
    ///     while rx.changed().await.is_ok() {
    ///         if *rx.borrow_and_update() == 3 {
    ///             break;
    ///         }
    ///     }
    /// });
    /// ```
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            // Made before the version is read: a send after that read
            // bumps `notify_waiters`, which completes this future.
            let notified = self.shared.changed.notified();
            let state = self.shared.state.load(Ordering::SeqCst);
            let version = state & !CLOSED;
            if version != self.seen {
                self.seen = version;
                return Ok(());
            }
            if state & CLOSED == CLOSED {
                return Err(RecvError(()));
            }
            notified.await;
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.shared.receivers.fetch_add(1, Ordering::Relaxed);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.shared.receivers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.rx_gone.notify_waiters();
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}
