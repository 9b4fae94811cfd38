//! [`CoopTimer`]: hyper's [`Timer`] backed by [`coop::time`].
//!
//! hyper asks its timer for the HTTP/1 header-read timeout (30 s by
//! default once a timer is set: a client that sends half a request and
//! stalls is dropped), for keep-alive pings in HTTP/2, and for the client
//! pool's idle expiry. Every sleep is a boxed [`coop::time::Sleep`] in the
//! loop's timer heap, and `reset` moves that timer in place rather than
//! allocating a new one.
//!
//! ```text
//!   hyper ──sleep(d)────────► Box::pin(CoopSleep(coop::time::sleep(d)))
//!   hyper ──reset(s, when)──► downcast to CoopSleep ─► Sleep::reset(when)   (same heap slot)
//!   hyper ──now()───────────► coop::time::now()     (paused time is seen too)
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// hyper's timer on coop's timer heap.
///
/// Give it to hyper's builders (`http1::Builder::timer`); the sleeps it
/// makes must be polled on a coop loop (hyper polls them from the
/// connection future, which a coop task drives).
///
/// ```
/// use std::time::{Duration, Instant};
/// use hyper::rt::Timer;
/// use coop_hyper::CoopTimer;
///
/// coop::block_on(async {
///     let timer = CoopTimer::new();
///     let start = Instant::now();
///     let mut sleep = timer.sleep(Duration::from_secs(3600));
///     // hyper moves a pending timeout like this: no new timer is made.
///     timer.reset(&mut sleep, timer.now() + Duration::from_millis(5));
///     sleep.await;
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CoopTimer {
    _private: (),
}

impl CoopTimer {
    /// A timer on whichever coop loop polls its sleeps.
    ///
    /// ```
    /// use hyper::server::conn::http1;
    ///
    /// let mut builder = http1::Builder::new();
    /// builder.timer(coop_hyper::CoopTimer::new());
    /// ```
    pub fn new() -> CoopTimer {
        CoopTimer { _private: () }
    }
}

impl Timer for CoopTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoopSleep(coop::time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoopSleep(coop::time::sleep_until(deadline)))
    }

    fn now(&self) -> Instant {
        coop::time::now()
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<CoopSleep>() {
            Some(mut ours) => ours.0.reset(new_deadline),
            // A sleep from another timer (hyper never mixes them, but the
            // trait allows it): replace it.
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// The sleep [`CoopTimer`] hands to hyper: a newtype because hyper's
/// [`Sleep`] trait and coop's `Sleep` type both live in other crates.
struct CoopSleep(coop::time::Sleep);

impl Future for CoopSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `coop::time::Sleep` is `Unpin`, so no pin projection is needed.
        Pin::new(&mut self.0).poll(cx)
    }
}

impl Sleep for CoopSleep {}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_timer_and_its_sleeps_are_send_and_sync_as_hyper_requires() {
        assert_send_sync::<CoopTimer>();
        assert_send_sync::<CoopSleep>();
    }

    #[test]
    fn reset_moves_a_pending_sleep_earlier_and_later() {
        coop::block_on(async {
            let timer = CoopTimer::new();
            let mut sleep = timer.sleep(Duration::from_secs(3600));
            // Register it, then pull it in: the registered timer must move.
            assert!(futures_util::poll!(sleep.as_mut()).is_pending());
            timer.reset(&mut sleep, timer.now() + Duration::from_millis(1));
            sleep.as_mut().await;

            // A completed sleep pushed later waits again.
            let start = Instant::now();
            timer.reset(&mut sleep, timer.now() + Duration::from_millis(20));
            assert!(futures_util::poll!(sleep.as_mut()).is_pending());
            sleep.await;
            assert!(start.elapsed() >= Duration::from_millis(20));
        });
    }

    #[test]
    fn reset_of_a_foreign_sleep_replaces_it() {
        struct Foreign;
        impl Future for Foreign {
            type Output = ();
            fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
                Poll::Pending
            }
        }
        impl Sleep for Foreign {}

        coop::block_on(async {
            let timer = CoopTimer::new();
            let mut sleep: Pin<Box<dyn Sleep>> = Box::pin(Foreign);
            timer.reset(&mut sleep, timer.now() + Duration::from_millis(1));
            assert!(sleep.is::<CoopSleep>());
            sleep.await; // would hang forever if still `Foreign`
        });
    }

    #[test]
    fn now_follows_paused_time() {
        coop::block_on(async {
            coop::time::pause();
            let timer = CoopTimer::new();
            let before = timer.now();
            coop::time::advance(Duration::from_secs(10)).await;
            assert!(timer.now() - before >= Duration::from_secs(10));
            // A sleep through the timer completes on paused time too.
            timer.sleep(Duration::from_secs(60)).await;
        });
    }
}
