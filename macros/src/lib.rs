//! `#[coop::main]` and `#[coop::test]`: run an `async fn` on a coop
//! runtime, the way `#[tokio::main]` and `#[tokio::test]` do on tokio's.
//!
//! Use them through `coop` (its default feature `macros` re-exports them),
//! not from this crate directly.
//!
//! What they write for you:
//!
//! ```text
//!   #[coop::main(budget = 64)]          fn main() -> R {
//!   async fn main() -> R {        ──►       let body = async move { BODY };
//!       BODY                                ::coop::Builder::new().budget(64)
//!   }                                           .build().expect(..)
//!                                               .block_on(body)
//!                                       }
//! ```
//!
//! `#[coop::test]` is the same plus `#[test]`. The arguments map onto
//! `coop::Builder` (see [`main`]); anything else, or an attribute on a
//! function that is not `async`, is a compile error pointing at the
//! offending tokens.
//!
//! | file | what it is |
//! |---|---|
//! | `lib.rs` | the two attributes and their docs |
//! | `args.rs` | parsing `key = value, …` into builder settings |
//! | `expand.rs` | checking the function and writing the new one |

mod args;
mod expand;

use proc_macro::TokenStream;

/// Runs `async fn main` on a coop runtime.
///
/// The body becomes the future given to `coop::Runtime::block_on`; a
/// `-> Result<…>` return type works as on a plain `main`. Arguments, each
/// optional, set the runtime's `coop::Builder`:
///
/// | argument | builder call |
/// |---|---|
/// | `event_interval = N` | `Builder::event_interval(N)` |
/// | `budget = N` | `Builder::budget(N)` |
/// | `max_blocking_threads = N` | `Builder::max_blocking_threads(N)` |
/// | `start_paused = true` | `Builder::start_paused(true)`: the clock starts paused |
/// | `crate = "path"` | where `coop` is, if renamed (default `::coop`) |
///
/// tokio's `flavor` and `worker_threads` do not apply (coop has one
/// thread) and are compile errors.
///
/// ```
/// #[coop::main]
/// async fn main() {
///     let task = coop::spawn(async { 6 * 7 });
///     assert_eq!(task.await.unwrap(), 42);
/// }
/// ```
///
/// With settings and an error type:
///
/// ```
/// #[coop::main(event_interval = 31, budget = 64)]
/// async fn main() -> std::io::Result<()> {
///     let listener = coop::net::TcpListener::bind("127.0.0.1:0").await?;
///     println!("listening on {}", listener.local_addr()?);
///     Ok(())
/// }
/// ```
///
/// On a paused clock (the same key works on `#[coop::test]`):
///
/// ```
/// use std::time::{Duration, Instant};
///
/// #[coop::main(start_paused = true)]
/// async fn main() {
///     let wall = Instant::now();
///     coop::time::sleep(Duration::from_secs(3600)).await;
///     assert!(wall.elapsed() < Duration::from_secs(60)); // an hour, in no time
/// }
/// ```
#[proc_macro_attribute]
pub fn main(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Main, args.into(), item.into()).into()
}

/// Runs an `async fn` test on a fresh coop runtime: `#[test]` plus what
/// [`main`] does, with the same arguments.
///
/// Each test gets its own runtime, dropped (with every task still pending)
/// when the test returns. Do not add `#[test]` as well.
///
/// ```
/// #[coop::test]
/// async fn sleeps_without_blocking() {
///     let start = std::time::Instant::now();
///     coop::time::sleep(std::time::Duration::from_millis(10)).await;
///     assert!(start.elapsed() >= std::time::Duration::from_millis(10));
/// }
/// # fn main() {}
/// ```
///
/// ```
/// #[coop::test(budget = 16)]
/// async fn may_fail() -> Result<(), std::io::Error> {
///     coop::net::UdpSocket::bind("127.0.0.1:0").await?;
///     Ok(())
/// }
/// # fn main() {}
/// ```
///
/// With the clock paused (`coop::Builder::start_paused`), time moves only
/// when the loop has nothing to do but wait for a timer, and then jumps
/// straight to it: an hour-long timeout is tested in no time, and timers
/// fire in the same order every run.
///
/// ```
/// use std::time::Duration;
///
/// #[coop::test(start_paused = true)]
/// async fn an_hour_passes_at_once() {
///     let start = coop::time::now();
///     coop::time::sleep(Duration::from_secs(3600)).await;
///     assert!(coop::time::now() - start >= Duration::from_secs(3600));
/// }
/// # fn main() {}
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(expand::Kind::Test, args.into(), item.into()).into()
}
