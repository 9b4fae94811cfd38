//! Combining futures: `join!`, `try_join!`, `select!`, `select_biased!`,
//! `pin_mut!` and [`FutureExt`], re-exported from
//! [`futures-util`](https://docs.rs/futures-util) rather than written again.
//!
//! coop needs no combinators of its own: these work on any future, and
//! coop's futures (tasks' [`JoinHandle`](crate::JoinHandle)s, timers,
//! socket operations) are ordinary futures. The macros are at the crate
//! root, where tokio has its own (`coop::join!`, `coop::select!`); the
//! extension traits are here and in [`coop::stream`](crate::stream).
//!
//! ```text
//!   join!(a, b)        poll a and b in this task until both are done  ─► (a, b)
//!   try_join!(a, b)    the same, but the first Err wins (b is dropped)  ─► Result<(a, b), E>
//!   select! { .. }     poll every branch; the first to finish runs its arm,
//!                      every other future is dropped (cancelled) when the
//!                      select! is left: fairly picked if several are ready
//!   select_biased!     the same, but tries the branches top to bottom
//! ```
//!
//! None of them spawns: the futures run *inside the task that awaits the
//! macro*, taking turns on its polls. For work that should run on its own,
//! [`spawn`](crate::spawn) it and combine the `JoinHandle`s.
//!
//! ## Coming from `tokio::select!`
//!
//! `futures`' `select!` has the same `pattern = future => arm` shape, with
//! two differences:
//!
//! * every future must be *fused* (remember that it finished, so it is not
//!   polled again): call [`.fuse()`](FutureExt::fuse) on it;
//! * a future given by *name* must also be `Unpin`: pin it first with
//!   [`pin_mut!`](crate::pin_mut) (a future given as an *expression*, such
//!   as `sleep(d).fuse()`, is pinned by the macro).
//!
//! ```
//! use std::time::Duration;
//! use coop::future::FutureExt; // for .fuse()
//!
//! coop::block_on(async {
//!     let answer = coop::spawn(async {
//!         coop::time::sleep(Duration::from_millis(5)).await;
//!         42
//!     })
//!     .fuse();
//!     coop::pin_mut!(answer);
//!     let outcome = coop::select! {
//!         out = answer => format!("the task said {}", out.unwrap()),
//!         _ = coop::time::sleep(Duration::from_secs(60)).fuse() => "timed out".to_string(),
//!     };
//!     // The losing sleep was dropped when select! returned: no timer is left.
//!     assert_eq!(outcome, "the task said 42");
//!
//!     // join! waits for both, running them in turns in this task.
//!     let (a, b) = coop::join!(async { 1 }, async { 2 });
//!     assert_eq!(a + b, 3);
//!
//!     // try_join! stops at the first error.
//!     let failed: Result<(u8, u8), &str> = coop::try_join!(async { Ok(1) }, async { Err("no") });
//!     assert_eq!(failed, Err("no"));
//! });
//! ```
//!
//! `select_biased!` checks its branches in the order written, which makes
//! a priority (or a test) deterministic:
//!
//! ```
//! use coop::future::FutureExt;
//!
//! coop::block_on(async {
//!     let first = coop::select_biased! {
//!         a = async { "a" }.fuse() => a,
//!         b = async { "b" }.fuse() => b,
//!     };
//!     assert_eq!(first, "a"); // both were ready; the first one listed wins
//! });
//! ```

pub use futures_util::future::{Fuse, FusedFuture, FutureExt};
pub use futures_util::{join, pin_mut, select, select_biased, try_join};
