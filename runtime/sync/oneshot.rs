//! A one-shot channel: one value, sent once, from one [`Sender`] to one
//! [`Receiver`].
//!
//! ```text
//!   Sender ──send(v)──► ┌───────────────────────────┐ ──► Receiver.await
//!                       │ Mutex: value, rx waker,   │     Ok(v), or
//!   Sender::closed() ◄──│ tx waker, tx_gone, closed │     Err(RecvError)
//!                       └───────────────────────────┘     if the sender
//!                                                         went away
//! ```
//!
//! One short lock guards the whole state; the waker of the other side is
//! taken under it and woken after it is released. The receiver is
//! cancel-safe: dropping a `&mut Receiver` future loses nothing, the value
//! stays in the channel for the next poll or [`Receiver::try_recv`].
//!
//! ```
//! use coop::sync::oneshot;
//!
//! coop::block_on(async {
//!     let (tx, rx) = oneshot::channel();
//!     coop::spawn(async move { tx.send(42).unwrap() });
//!     assert_eq!(rx.await, Ok(42));
//! });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use crate::loom::sync::{Arc, Mutex};

/// The oneshot error types.
pub mod error {
    use std::fmt;

    /// The error of awaiting a [`Receiver`](super::Receiver): the sender
    /// was dropped without sending.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::oneshot::channel::<u8>();
    /// drop(tx);
    /// let err = coop::block_on(rx).unwrap_err();
    /// assert_eq!(err.to_string(), "channel closed");
    /// ```
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RecvError(pub(super) ());

    /// The error of [`Receiver::try_recv`](super::Receiver::try_recv).
    ///
    /// ```
    /// use coop::sync::oneshot::{self, error::TryRecvError};
    ///
    /// let (tx, mut rx) = oneshot::channel::<u8>();
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
    /// ```
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum TryRecvError {
        /// Nothing sent yet; the sender is still there.
        Empty,
        /// The sender was dropped without sending, or the value was
        /// already taken.
        Closed,
    }

    impl fmt::Display for RecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("channel closed")
        }
    }

    impl std::error::Error for RecvError {}

    impl fmt::Display for TryRecvError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self {
                TryRecvError::Empty => f.write_str("channel empty"),
                TryRecvError::Closed => f.write_str("channel closed"),
            }
        }
    }

    impl std::error::Error for TryRecvError {}
}

use error::{RecvError, TryRecvError};

struct State<T> {
    value: Option<T>,
    rx_waker: Option<Waker>,
    tx_waker: Option<Waker>,
    /// The sender sent or was dropped: no value will come any more.
    tx_gone: bool,
    /// The receiver closed or was dropped: a send would be lost.
    rx_closed: bool,
}

type Shared<T> = Arc<Mutex<State<T>>>;

/// A new oneshot channel.
///
/// ```
/// let (tx, rx) = coop::sync::oneshot::channel();
/// tx.send("hi").unwrap();
/// assert_eq!(coop::block_on(rx), Ok("hi"));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Mutex::new(State {
        value: None,
        rx_waker: None,
        tx_waker: None,
        tx_gone: false,
        rx_closed: false,
    }));
    (
        Sender {
            shared: Some(shared.clone()),
        },
        Receiver { shared },
    )
}

/// Sends the channel's one value. `Send` when `T` is.
///
/// ```
/// let (tx, rx) = coop::sync::oneshot::channel();
/// std::thread::spawn(move || tx.send(1).unwrap());
/// assert_eq!(rx.blocking_recv(), Ok(1));
/// ```
pub struct Sender<T> {
    /// `None` once `send` consumed it (so `Drop` has nothing to do).
    shared: Option<Shared<T>>,
}

/// Receives the channel's value: a future of `Result<T, RecvError>`.
///
/// ```
/// let (tx, rx) = coop::sync::oneshot::channel::<u8>();
/// drop(tx);
/// assert!(coop::block_on(rx).is_err());
/// ```
#[must_use = "futures do nothing unless polled"]
pub struct Receiver<T> {
    shared: Shared<T>,
}

impl<T> Sender<T> {
    /// Sends `value`, or gives it back in `Err` if the receiver is gone
    /// (dropped or closed).
    ///
    /// ```
    /// let (tx, rx) = coop::sync::oneshot::channel();
    /// drop(rx);
    /// assert_eq!(tx.send(7), Err(7));
    /// ```
    pub fn send(mut self, value: T) -> Result<(), T> {
        let shared = self.shared.take().expect("a sender sends once");
        let mut state = shared.lock();
        // The sender is used up either way (and its `Drop` will find
        // nothing to do).
        state.tx_gone = true;
        if state.rx_closed {
            return Err(value);
        }
        state.value = Some(value);
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// True once the receiver was dropped or closed.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::oneshot::channel::<u8>();
    /// assert!(!tx.is_closed());
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared().lock().rx_closed
    }

    /// Waits until the receiver is dropped or closed (to stop computing a
    /// value nobody wants).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (mut tx, rx) = coop::sync::oneshot::channel::<u8>();
    ///     coop::spawn(async move { drop(rx) });
    ///     tx.closed().await;
    /// });
    /// ```
    pub async fn closed(&mut self) {
        std::future::poll_fn(|cx| self.poll_closed(cx)).await
    }

    /// Polls for the receiver to be gone, storing `cx`'s waker if not yet.
    ///
    /// ```
    /// use std::task::{Context, Poll};
    ///
    /// let (mut tx, rx) = coop::sync::oneshot::channel::<u8>();
    /// drop(rx);
    /// let waker = futures_task::noop_waker();
    /// assert_eq!(tx.poll_closed(&mut Context::from_waker(&waker)), Poll::Ready(()));
    /// ```
    pub fn poll_closed(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.shared().lock();
        if state.rx_closed {
            return Poll::Ready(());
        }
        match &state.tx_waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            _ => state.tx_waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    fn shared(&self) -> &Shared<T> {
        self.shared
            .as_ref()
            .expect("only `send` takes it, by value")
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else {
            return;
        };
        let mut state = shared.lock();
        state.tx_gone = true;
        let waker = state.rx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it has been sent, without waiting.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::oneshot::channel();
    /// tx.send(3).unwrap();
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let mut state = self.shared.lock();
        match state.value.take() {
            Some(value) => Ok(value),
            None if state.tx_gone => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// Closes the channel from this side: a later `send` fails and gives
    /// its value back; a value already sent can still be received.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::oneshot::channel();
    /// rx.close();
    /// assert_eq!(tx.send(1), Err(1));
    /// ```
    pub fn close(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let waker = state.tx_waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Waits for the value from a plain thread (not a coop loop).
    ///
    /// # Panics
    /// On a thread that runs a coop loop: it would freeze the loop.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::oneshot::channel();
    /// let t = std::thread::spawn(move || rx.blocking_recv());
    /// tx.send(5).unwrap();
    /// assert_eq!(t.join().unwrap(), Ok(5));
    /// ```
    #[track_caller]
    pub fn blocking_recv(self) -> Result<T, RecvError> {
        crate::park_thread::block_on_thread("oneshot::Receiver::blocking_recv", self)
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let charge = std::task::ready!(crate::budget::poll_proceed(cx));
        let mut state = self.shared.lock();
        let out = match state.value.take() {
            Some(value) => Ok(value),
            None if state.tx_gone => Err(RecvError(())),
            None => {
                match &state.rx_waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    _ => state.rx_waker = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
        };
        drop(state);
        charge.made_progress();
        Poll::Ready(out)
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.rx_closed = true;
        let value = state.value.take();
        let waker = state.tx_waker.take();
        drop(state);
        // The unreceived value and the waker are user code: dropped and
        // woken with the lock released.
        drop(value);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
