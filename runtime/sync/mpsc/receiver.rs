//! The receiving methods, one set shared by [`Receiver`](super::Receiver)
//! and [`UnboundedReceiver`](super::UnboundedReceiver): both wrap the same
//! `chan::Rx`, so the methods are written once, here, for both.

macro_rules! receiver_methods {
    (channel: $channel:literal, send_one: $send_one:literal) => {
        /// Waits for the next message; `None` once the queue is empty and
        /// every sender is gone (or the channel was closed).
        ///
        /// Cancel-safe: dropping the future loses no message; it stays
        /// queued for the next `recv`.
        ///
        /// ```
        /// use coop::sync::mpsc;
        ///
        /// coop::block_on(async {
        #[doc = concat!("    let (tx, mut rx) = ", $channel, ";")]
        #[doc = concat!("    ", $send_one)]
        ///     drop(tx);
        ///     assert_eq!(rx.recv().await, Some(1));
        ///     assert_eq!(rx.recv().await, None);
        /// });
        /// ```
        pub async fn recv(&mut self) -> Option<T> {
            std::future::poll_fn(|cx| self.rx.poll_recv(cx)).await
        }

        /// Polls for the next message, storing `cx`'s waker if there is
        /// none yet (for hand-written futures and streams).
        ///
        /// ```
        /// use std::task::{Context, Poll};
        /// use coop::sync::mpsc;
        ///
        #[doc = concat!("let (tx, mut rx) = ", $channel, ";")]
        #[doc = $send_one]
        /// let waker = futures_task::noop_waker();
        /// let mut cx = Context::from_waker(&waker);
        /// assert_eq!(rx.poll_recv(&mut cx), Poll::Ready(Some(1)));
        /// assert_eq!(rx.poll_recv(&mut cx), Poll::Pending);
        /// # drop(tx);
        /// ```
        pub fn poll_recv(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
            self.rx.poll_recv(cx)
        }

        /// Takes the next message if there is one now.
        ///
        /// ```
        /// use coop::sync::mpsc::{self, error::TryRecvError};
        ///
        #[doc = concat!("let (tx, mut rx) = ", $channel, ";")]
        /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        #[doc = $send_one]
        /// assert_eq!(rx.try_recv(), Ok(1));
        /// drop(tx);
        /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
        /// ```
        pub fn try_recv(&mut self) -> Result<T, $crate::sync::mpsc::error::TryRecvError> {
            use $crate::sync::mpsc::error::TryRecvError;
            self.rx.try_pop().map_err(|empty| match empty {
                super::chan::Empty::Waiting => TryRecvError::Empty,
                super::chan::Empty::Closed => TryRecvError::Disconnected,
            })
        }

        /// Waits for the next message from a plain thread (not a coop loop).
        ///
        /// # Panics
        /// On a thread that runs a coop loop: it would freeze the loop.
        ///
        /// ```
        /// use coop::sync::mpsc;
        ///
        #[doc = concat!("let (tx, mut rx) = ", $channel, ";")]
        /// let t = std::thread::spawn(move || rx.blocking_recv());
        #[doc = $send_one]
        /// assert_eq!(t.join().unwrap(), Some(1));
        /// ```
        #[track_caller]
        pub fn blocking_recv(&mut self) -> Option<T> {
            $crate::park_thread::block_on_thread("mpsc blocking_recv", self.recv())
        }

        /// Closes the channel from the receiving side: every send fails
        /// from now on (senders waiting for room too), while the messages
        /// already queued can still be received; then `recv` returns `None`.
        ///
        /// ```
        /// use coop::sync::mpsc;
        ///
        /// coop::block_on(async {
        #[doc = concat!("    let (tx, mut rx) = ", $channel, ";")]
        #[doc = concat!("    ", $send_one)]
        ///     rx.close();
        ///     assert!(tx.is_closed());
        ///     assert_eq!(rx.recv().await, Some(1));
        ///     assert_eq!(rx.recv().await, None);
        /// });
        /// ```
        pub fn close(&mut self) {
            self.rx.close();
        }

        /// Messages queued now.
        ///
        /// ```
        /// use coop::sync::mpsc;
        ///
        #[doc = concat!("let (tx, rx) = ", $channel, ";")]
        #[doc = $send_one]
        /// assert_eq!(rx.len(), 1);
        /// ```
        pub fn len(&self) -> usize {
            self.rx.len()
        }

        /// True when no message is queued now.
        ///
        /// ```
        /// use coop::sync::mpsc;
        ///
        #[doc = concat!("let (tx, rx) = ", $channel, ";")]
        /// assert!(rx.is_empty());
        #[doc = $send_one]
        /// assert!(!rx.is_empty());
        /// ```
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }
    };
}

pub(super) use receiver_methods;
