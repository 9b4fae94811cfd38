//! "Coroutines are generator-like objects": the sleep demo written twice,
//! once as an `async fn` and once as the state machine the compiler turns
//! it into, both run on coop with every state transition printed.
//!
//! `cargo run --example coroutine_internals`
//!
//! An `async fn` does not run when called. It returns a value (a future)
//! that holds where the function is stopped and the local variables alive
//! at that point. Each `.await` is a place it can stop. For
//!
//! ```text
//! async fn demo() {
//!     println!("start");
//!     sleep(Duration::from_secs(1)).await;
//!     println!("end");
//! }
//! ```
//!
//! the compiler writes, roughly, the `Demo` enum below: one variant per
//! place the function can be stopped, holding what is alive there.
//!
//! ```text
//!  async fn                        hand-written state machine
//!  ────────────────────────────    ──────────────────────────────────────
//!  demo()  (nothing runs yet)      Demo::Start
//!  println!("start")               poll in Start: print, make the Sleep,
//!  sleep(..)                         move to Sleeping(sleep)
//!  .await  -> Pending              poll the Sleep: Pending, so return
//!                                    Pending (the Sleep kept our waker)
//!  (the loop runs others / parks)  (the loop runs others / parks)
//!  .await  -> Ready                poll in Sleeping: the Sleep is Ready,
//!  println!("end")                   print, move to Done, return Ready
//!  return                          Demo::Done: polling again is a bug
//! ```
//!
//! Two things the compiler adds that the enum shows plainly:
//!
//! * `.await` is a loop around `poll`: it polls the inner future and, on
//!   `Pending`, returns `Pending` from the outer one. The waker in `cx` is
//!   handed down, so whoever the inner future waits on (here, coop's timer
//!   heap) wakes the *task*, which polls the outer future from the top; the
//!   `match` on the state jumps back to the `.await` it stopped at.
//! * The generated future is `!Unpin` in general (a local may borrow
//!   another local across an `.await`); ours holds only a `Sleep`, which is
//!   `Unpin`, so `Demo` is `Unpin` and `poll` can take `&mut self` safely.
//!
//! Sizes tell the same story: both futures are a few words, the `Sleep`
//! (the largest thing alive at the `.await`) plus a little. The compiler's
//! layout is looser than ours (it keeps the argument `started` and the
//! `Sleep` in separate slots, and space for the `.await`'s bookkeeping), so
//! the example prints both sizes rather than promising they match.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use coop::time::Sleep;

/// How long each demo sleeps: short, the point is the order of events.
const NAP: Duration = Duration::from_millis(300);

/// The demo as the lesson writes it. Each `.await` is a state.
async fn demo_async(started: Instant) {
    step(started, "async fn", "running from the top: print start");
    println!("start");
    step(started, "async fn", "reached .await on sleep: suspended");
    coop::time::sleep(NAP).await;
    step(started, "async fn", "resumed after .await: print end");
    println!("end");
    step(started, "async fn", "returned: the future is Ready");
}

/// The same demo written the way the compiler writes it: an enum of the
/// places the function can be stopped, each holding what is alive there.
enum Demo {
    /// Created, not yet polled: nothing has run (`demo_async(..)` called,
    /// not awaited).
    Start { started: Instant },
    /// Stopped at the `.await`: the only live local is the `Sleep`.
    Sleeping { started: Instant, sleep: Sleep },
    /// Returned. Polling a finished future is a bug, as for `async fn`.
    Done,
}

impl Future for Demo {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `Demo` is `Unpin` (a `Sleep` is), so we may take it by `&mut`.
        let this = self.get_mut();
        // The loop: each turn runs from one state to the next stop, as the
        // compiler's generated code falls through from one `.await` to the
        // next without returning while it can make progress.
        loop {
            match this {
                Demo::Start { started } => {
                    let started = *started;
                    step(started, "enum", "poll in Start: print start");
                    println!("start");
                    step(started, "enum", "Start -> Sleeping (made the Sleep)");
                    *this = Demo::Sleeping {
                        started,
                        sleep: coop::time::sleep(NAP),
                    };
                }
                Demo::Sleeping { started, sleep } => {
                    let started = *started;
                    // This is `.await`: poll the inner future with our `cx`.
                    match Pin::new(sleep).poll(cx) {
                        Poll::Pending => {
                            step(
                                started,
                                "enum",
                                "Sleeping: Sleep is Pending, return Pending",
                            );
                            return Poll::Pending;
                        }
                        Poll::Ready(()) => {
                            step(started, "enum", "Sleeping: Sleep is Ready, print end");
                            println!("end");
                            step(started, "enum", "Sleeping -> Done, return Ready");
                            *this = Demo::Done;
                            return Poll::Ready(());
                        }
                    }
                }
                Demo::Done => panic!("`Demo` polled after it returned Ready"),
            }
        }
    }
}

/// Prints one state transition with the time since the demo started.
fn step(started: Instant, who: &str, what: &str) {
    println!(
        "  [{:>5} ms] {who:<8} {what}",
        started.elapsed().as_millis()
    );
}

fn main() {
    coop::block_on(async {
        println!("== the async fn ==");
        let started = Instant::now();
        let future = demo_async(started);
        step(
            started,
            "async fn",
            "called: nothing ran yet, we hold a future",
        );
        println!(
            "  (the async fn's future is {} bytes; a Sleep is {})",
            std::mem::size_of_val(&future),
            std::mem::size_of::<Sleep>()
        );
        coop::spawn(future).await.unwrap();

        println!();
        println!("== the hand-written state machine ==");
        let started = Instant::now();
        let future = Demo::Start { started };
        step(started, "enum", "built Demo::Start: nothing ran yet");
        println!(
            "  (Demo is {} bytes: its largest state, Sleeping, plus a tag)",
            std::mem::size_of::<Demo>()
        );
        coop::spawn(future).await.unwrap();
    });
}
