//! Tasks working together: hand a value over, wait for an event, limit how
//! many run at once, share state under a lock, watch a value change.
//!
//! tokio's names and signatures, so tokio code reads the same on coop.
//!
//! | primitive | what it is for | waits in |
//! |---|---|---|
//! | [`oneshot`] | one value, once, from one task to another | `rx.await` |
//! | [`mpsc`] | a queue from many senders to one receiver, bounded ([`mpsc::channel`]) or not ([`mpsc::unbounded_channel`]) | `send().await` while full, `recv().await` |
//! | [`Notify`] | "something happened": wake one waiter (or store a permit) or all | `notified().await` |
//! | [`Semaphore`] | at most N at once | `acquire().await` |
//! | [`Mutex`] | shared state, the guard held across `.await` | `lock().await` |
//! | [`watch`] | one value, many readers, each told of the latest change | `changed().await` |
//!
//! Every one of them is `Send + Sync` when its `T` allows, so it works
//! between tasks on one loop and equally between loops, `Handle::spawn`ed
//! tasks, plain threads (the `blocking_*` methods) and the blocking pool.
//!
//! # Waiting: one FIFO line, cancel-safe
//!
//! [`Semaphore`], [`Mutex`], the bounded channel's senders and [`Notify`]
//! queue their waiters on one structure (`wait_list.rs`). The line is FIFO:
//! whoever waited first is served first, and a newcomer never overtakes it.
//!
//! ```text
//!          served first                       joins here
//!               │                                  │
//!   ┌────────┐  ▼  ┌────────┐     ┌────────┐     ┌─▼──────┐
//!   │release │────►│waiter 1│────►│waiter 2│────►│waiter 3│
//!   │notify  │     └────────┘     └───┬────┘     └────────┘
//!   └────────┘                        │ its future is dropped:
//!                                     │ it unlinks itself; if it had
//!                                     ▼ been served, it passes that on
//! ```
//!
//! **Cancel safety.** A `recv`, `send`, `acquire`, `lock` or `notified`
//! future dropped while it waits loses nothing: no message (it stays
//! queued), no permit and no notification (what it had been handed goes
//! to the next waiter in line). The semaphore is the base of the other
//! two: a [`Mutex`] is a semaphore of one permit, and a bounded channel's
//! capacity is a semaphore of free slots (`batch_semaphore.rs`).
//!
//! Wakers are user code, so every primitive takes the wakers it must wake
//! under its internal lock and wakes them after releasing it
//! (`wake_list.rs`).
//!
//! ```
//! use std::sync::Arc;
//! use coop::sync::{mpsc, Semaphore};
//!
//! coop::block_on(async {
//!     let limit = Arc::new(Semaphore::new(3));
//!     let (tx, mut rx) = mpsc::channel(8);
//!     for job in 0..10u32 {
//!         let (limit, tx) = (limit.clone(), tx.clone());
//!         coop::spawn(async move {
//!             let _permit = limit.acquire().await.unwrap();
//!             tx.send(job * job).await.unwrap();
//!         });
//!     }
//!     drop(tx);
//!     let mut sum = 0;
//!     while let Some(square) = rx.recv().await {
//!         sum += square;
//!     }
//!     assert_eq!(sum, 285);
//! });
//! ```

mod batch_semaphore;
pub mod mpsc;
mod mutex;
mod notify;
pub mod oneshot;
mod semaphore;
mod wait_list;
mod wake_list;
pub mod watch;

#[cfg(all(test, loom))]
mod loom_tests;

pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::Notify;
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};

/// Named futures of `coop::sync`, for storing them in structs.
pub mod futures {
    pub use super::notify::Notified;
}
