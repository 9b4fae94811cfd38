//! Streams: [`Stream`] (an asynchronous iterator) and [`StreamExt`] (its
//! `next`, `map`, `filter`, `collect`, ... adapters), re-exported from
//! [`futures-util`](https://docs.rs/futures-util), as `tokio-stream` gives
//! them to tokio users.
//!
//! A `Stream` is to `Iterator` what a `Future` is to a plain value: each
//! `next().await` may wait. The adapters run inside the task that awaits
//! them; nothing is spawned.
//!
//! ```
//! use std::time::Duration;
//! use coop::stream::StreamExt; // for .then(), .collect()
//!
//! coop::block_on(async {
//!     let doubled: Vec<u32> = futures_util::stream::iter(1..=3)
//!         .then(|n| async move {
//!             coop::time::sleep(Duration::from_millis(1)).await;
//!             n * 2
//!         })
//!         .collect()
//!         .await;
//!     assert_eq!(doubled, [2, 4, 6]);
//! });
//! ```

pub use futures_util::stream::{FusedStream, Stream, StreamExt};
