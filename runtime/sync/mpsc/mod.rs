//! Multi-producer, single-consumer channels: a queue of messages from any
//! number of senders to one receiver.
//!
//! * [`channel`]`(capacity)`: bounded. `send().await` waits while the
//!   channel is full (back-pressure); [`Sender::try_send`] does not wait;
//!   [`Sender::reserve`] takes a slot first and sends later.
//! * [`unbounded_channel`]`()`: `send` never waits.
//!
//! Both deliver in the order sent (per sender: FIFO; between senders: the
//! order their sends took effect), and `recv().await` returns `None` once
//! the queue is empty and every sender is gone. A send to a dropped or
//! closed receiver gives the value back in [`error::SendError`]`.0`.
//! Everything is `Send + Sync` when `T: Send`: senders may live on other
//! loops, in `Handle::spawn`ed tasks, on plain threads
//! (`blocking_send` / `blocking_recv`) and on the blocking pool.
//!
//! How they work is in `chan.rs`: one queue under one lock, plus a
//! semaphore of free slots for the bounded channel.
//!
//! ```
//! use coop::sync::mpsc;
//!
//! coop::block_on(async {
//!     let (tx, mut rx) = mpsc::channel(2);
//!     let producer = coop::spawn(async move {
//!         for i in 0..5 {
//!             tx.send(i).await.unwrap(); // waits while 2 are queued
//!         }
//!     });
//!     let mut got = Vec::new();
//!     while let Some(i) = rx.recv().await {
//!         got.push(i);
//!     }
//!     producer.await.unwrap();
//!     assert_eq!(got, [0, 1, 2, 3, 4]);
//! });
//! ```

mod bounded;
mod chan;
pub mod error;
mod receiver;
mod unbounded;

pub use bounded::{channel, Permit, Receiver, Sender};
pub use unbounded::{unbounded_channel, UnboundedReceiver, UnboundedSender};
