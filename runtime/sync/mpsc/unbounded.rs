//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`],
//! [`UnboundedReceiver`]. A send never waits: the queue grows instead, so
//! use it only where the producer cannot outrun the consumer for long.

use std::fmt;

use super::chan::{self, Tx};
use super::error::SendError;
use super::receiver::receiver_methods;

/// A channel without a bound: `send` never waits.
///
/// ```
/// coop::block_on(async {
///     let (tx, mut rx) = coop::sync::mpsc::unbounded_channel();
///     for i in 0..1000 {
///         tx.send(i).unwrap();
///     }
///     assert_eq!(rx.len(), 1000);
///     assert_eq!(rx.recv().await, Some(0));
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = chan::new(None);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

/// Sends into an unbounded channel; clone it for more senders.
///
/// ```
/// let (tx, mut rx) = coop::sync::mpsc::unbounded_channel();
/// let tx2 = tx.clone();
/// tx.send(1).unwrap();
/// tx2.send(2).unwrap();
/// assert_eq!((rx.try_recv(), rx.try_recv()), (Ok(1), Ok(2)));
/// ```
pub struct UnboundedSender<T> {
    tx: Tx<T>,
}

/// Receives from an unbounded channel. Dropping it closes the channel and
/// drops the messages still queued.
///
/// ```
/// let (tx, mut rx) = coop::sync::mpsc::unbounded_channel();
/// tx.send(1).unwrap();
/// assert_eq!(rx.blocking_recv(), Some(1));
/// ```
pub struct UnboundedReceiver<T> {
    rx: chan::Rx<T>,
}

impl<T> UnboundedSender<T> {
    /// Queues `value` at once, or gives it back if the receiver is gone.
    ///
    /// ```
    /// let (tx, rx) = coop::sync::mpsc::unbounded_channel();
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx.0.push(value).map_err(SendError)
    }

    /// True once the receiver is gone or closed the channel.
    ///
    /// ```
    /// let (tx, mut rx) = coop::sync::mpsc::unbounded_channel::<u8>();
    /// rx.close();
    /// assert!(tx.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.tx.0.is_closed()
    }

    /// Completes once the receiver has closed the channel or been dropped,
    /// as [`Sender::closed`](super::Sender::closed).
    ///
    /// ```
    /// coop::block_on(async {
    ///     let (tx, mut rx) = coop::sync::mpsc::unbounded_channel::<u8>();
    ///     let watcher = coop::spawn(async move { tx.closed().await });
    ///     coop::yield_now().await;
    ///     rx.close();
    ///     watcher.await.unwrap();
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.0.closed().await
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> UnboundedReceiver<T> {
    receiver_methods!(channel: "mpsc::unbounded_channel()", send_one: "tx.send(1).unwrap();");
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedReceiver").finish_non_exhaustive()
    }
}
