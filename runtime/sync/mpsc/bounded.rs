//! The bounded channel: [`channel`], [`Sender`], [`Receiver`], [`Permit`].
//!
//! Back-pressure: a channel of capacity `n` holds at most `n` messages
//! (queued or reserved). A sender that finds it full waits in a FIFO line
//! (the slots are a `BatchSemaphore`) until the receiver takes a message.

use std::fmt;

use super::chan::{self, Tx};
use super::error::{SendError, TrySendError};
use super::receiver::receiver_methods;
use crate::sync::batch_semaphore::TryAcquire;

/// A bounded channel holding at most `capacity` messages.
///
/// # Panics
/// If `capacity` is 0 (there would be no room for any message) or above
/// [`Semaphore::MAX_PERMITS`](crate::sync::Semaphore::MAX_PERMITS).
///
/// ```
/// coop::block_on(async {
///     let (tx, mut rx) = coop::sync::mpsc::channel(16);
///     for i in 0..3 {
///         let tx = tx.clone();
///         coop::spawn(async move { tx.send(i).await.unwrap() });
///     }
///     drop(tx);
///     let mut got = Vec::new();
///     while let Some(i) = rx.recv().await {
///         got.push(i);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "mpsc::channel needs a capacity of at least 1; for a channel without a bound use \
         mpsc::unbounded_channel()"
    );
    assert!(
        capacity <= crate::sync::Semaphore::MAX_PERMITS,
        "mpsc::channel can hold at most Semaphore::MAX_PERMITS ({}) messages, {capacity} were asked for",
        crate::sync::Semaphore::MAX_PERMITS
    );
    let (tx, rx) = chan::new(Some(capacity));
    (Sender { tx }, Receiver { rx })
}

/// Sends into a bounded channel; clone it for more senders. `Send + Sync`
/// when `T: Send`.
///
/// ```
/// let (tx, mut rx) = coop::sync::mpsc::channel(1);
/// std::thread::spawn(move || tx.blocking_send("from a thread").unwrap());
/// assert_eq!(rx.blocking_recv(), Some("from a thread"));
/// ```
pub struct Sender<T> {
    tx: Tx<T>,
}

/// Receives from a bounded channel. Dropping it closes the channel and
/// drops the messages still queued.
///
/// ```
/// let (tx, mut rx) = coop::sync::mpsc::channel(4);
/// tx.try_send(1).unwrap();
/// assert_eq!(rx.try_recv(), Ok(1));
/// ```
pub struct Receiver<T> {
    rx: chan::Rx<T>,
}

/// A reserved slot in a bounded channel: [`send`](Permit::send) cannot
/// wait or fail for room. Dropped unused, the slot is given back.
///
/// ```
/// coop::block_on(async {
///     let (tx, mut rx) = coop::sync::mpsc::channel(1);
///     let permit = tx.reserve().await.unwrap();
///     assert!(tx.try_send(0).is_err()); // the one slot is reserved
///     permit.send(1);
///     assert_eq!(rx.recv().await, Some(1));
/// });
/// ```
#[must_use = "the reserved slot is given back at once if the permit is not used"]
pub struct Permit<'a, T> {
    sender: &'a Sender<T>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room while the channel is full. Gives the
    /// value back in the error if the receiver is gone.
    ///
    /// Cancel-safe in the sense that matters: dropping the future while it
    /// waits for room gives up its place in line (a slot it had been handed
    /// passes to the next sender); the value it carried is dropped with it
    /// and never half-sent.
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, rx) = coop::sync::mpsc::channel(1);
    ///     drop(rx);
    ///     assert_eq!(tx.send(9).await.unwrap_err().0, 9);
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        let chan = &*self.tx.0;
        if chan.slots().acquire(1).await.is_err() {
            return Err(SendError(value));
        }
        chan.push(value).map_err(SendError)
    }

    /// Sends `value` if there is room now.
    ///
    /// ```
    /// use coop::sync::mpsc::error::TrySendError;
    ///
    /// let (tx, _rx) = coop::sync::mpsc::channel(1);
    /// assert!(tx.try_send(1).is_ok());
    /// assert!(matches!(tx.try_send(2), Err(TrySendError::Full(2))));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let chan = &*self.tx.0;
        match chan.slots().try_acquire(1) {
            Ok(()) => chan.push(value).map_err(TrySendError::Closed),
            Err(TryAcquire::NoPermits) => Err(TrySendError::Full(value)),
            Err(TryAcquire::Closed) => Err(TrySendError::Closed(value)),
        }
    }

    /// Waits for a slot and reserves it. Cancel-safe, like
    /// [`send`](Sender::send).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, mut rx) = coop::sync::mpsc::channel(2);
    ///     tx.reserve().await.unwrap().send("reserved");
    ///     assert_eq!(rx.recv().await, Some("reserved"));
    /// });
    /// ```
    pub async fn reserve(&self) -> Result<Permit<'_, T>, SendError<()>> {
        match self.tx.0.slots().acquire(1).await {
            Ok(()) => Ok(Permit { sender: self }),
            Err(()) => Err(SendError(())),
        }
    }

    /// Sends from a plain thread (not a coop loop), blocking while the
    /// channel is full.
    ///
    /// # Panics
    /// On a thread that runs a coop loop: it would freeze the loop.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::mpsc::channel(1);
    /// let t = std::thread::spawn(move || {
    ///     tx.blocking_send(1).unwrap();
    ///     tx.blocking_send(2).unwrap(); // waits until 1 is received
    /// });
    /// assert_eq!(rx.blocking_recv(), Some(1));
    /// assert_eq!(rx.blocking_recv(), Some(2));
    /// t.join().unwrap();
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        crate::park_thread::block_on_thread("mpsc::Sender::blocking_send", self.send(value))
    }

    /// True once the receiver is gone or closed the channel.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::mpsc::channel::<u8>(1);
    /// assert!(!tx.is_closed());
    /// drop(rx);
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.0.is_closed()
    }

    /// Completes once the receiver has closed the channel or been dropped:
    /// for a producer that should stop work nobody will receive, even
    /// while it has nothing to send. Cancel-safe (it only waits).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, rx) = coop::sync::mpsc::channel::<u8>(1);
    ///     let watcher = coop::spawn(async move {
    ///         tx.closed().await;
    ///         "receiver gone"
    ///     });
    ///     coop::yield_now().await;
    ///     drop(rx);
    ///     assert_eq!(watcher.await.unwrap(), "receiver gone");
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.0.closed().await
    }

    /// Free slots now (capacity minus queued and reserved messages).
    ///
    /// ```
    /// let (tx, _rx) = coop::sync::mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// ```
    pub fn capacity(&self) -> usize {
        self.tx.0.slots().available_permits()
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> Permit<'_, T> {
    /// Sends `value` into the reserved slot. If the receiver has gone
    /// meanwhile, the value is dropped.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::mpsc::channel(1);
    /// let permit = coop::block_on(tx.reserve()).unwrap();
    /// permit.send(3);
    /// assert_eq!(rx.try_recv(), Ok(3));
    /// ```
    pub fn send(self, value: T) {
        let chan = &*self.sender.tx.0;
        // The slot now belongs to the queued message (the receiver gives
        // it back), so this permit must not give it back too.
        std::mem::forget(self);
        let _ = chan.push(value);
    }
}

impl<T> Drop for Permit<'_, T> {
    fn drop(&mut self) {
        self.sender.tx.0.slots().release(1);
    }
}

impl<T> Receiver<T> {
    receiver_methods!(channel: "mpsc::channel(8)", send_one: "tx.try_send(1).unwrap();");
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

impl<T> fmt::Debug for Permit<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit").finish_non_exhaustive()
    }
}
