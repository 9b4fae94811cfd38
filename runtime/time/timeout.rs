//! `timeout`: race a future against a [`Sleep`].

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use super::sleep::{sleep_until, Sleep};

/// Runs `future`, giving up after `duration` with [`Elapsed`].
///
/// The future is polled first, so one that is ready at once wins even with
/// a zero duration. When the time runs out the future is dropped. A
/// duration too large for an `Instant` (`Duration::MAX`) is capped at about
/// thirty years, so `timeout(Duration::MAX, f)` never gives up in practice
/// and never overflows.
///
/// ```
/// use std::time::Duration;
/// use coop::time::{sleep, timeout};
///
/// coop::block_on(async {
///     let slow = timeout(Duration::from_millis(10), sleep(Duration::from_secs(60))).await;
///     assert!(slow.is_err());
///     let fast = timeout(Duration::from_secs(60), async { 7 }).await;
///     assert_eq!(fast.unwrap(), 7);
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout::new(future, super::clock::deadline_after(duration))
}

/// Runs `future` until `deadline`, then gives up with [`Elapsed`].
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(5);
///     let r = coop::time::timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(r.is_err());
/// });
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout::new(future, deadline)
}

pin_project! {
    /// The future returned by [`timeout`] and [`timeout_at`].
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// coop::block_on(async {
    ///     let t: coop::time::Timeout<_> = coop::time::timeout(Duration::from_secs(1), async { 1 });
    ///     assert_eq!(t.await, Ok(1));
    /// });
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    #[derive(Debug)]
    pub struct Timeout<F> {
        #[pin]
        value: F,
        delay: Sleep,
    }
}

impl<F> Timeout<F> {
    fn new(value: F, deadline: Instant) -> Timeout<F> {
        Timeout {
            value,
            delay: sleep_until(deadline),
        }
    }

    /// The wrapped future.
    ///
    /// ```
    /// let t = coop::time::timeout(std::time::Duration::from_secs(1), async { 1 });
    /// let _inner = t.get_ref();
    /// ```
    pub fn get_ref(&self) -> &F {
        &self.value
    }

    /// Gives the wrapped future back, abandoning the timeout.
    ///
    /// ```
    /// let t = coop::time::timeout(std::time::Duration::from_secs(1), async { 1 });
    /// assert_eq!(coop::block_on(t.into_inner()), 1);
    /// ```
    pub fn into_inner(self) -> F {
        self.value
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let me = self.project();
        if let Poll::Ready(v) = me.value.poll(cx) {
            return Poll::Ready(Ok(v));
        }
        // The future may have spent the task's whole budget (a socket that
        // is always ready); the deadline must still be able to fire, so the
        // delay is polled outside the budget.
        match crate::budget::unconstrained(|| Pin::new(me.delay).poll(cx)) {
            Poll::Ready(()) => Poll::Ready(Err(Elapsed(()))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The error of a [`Timeout`] whose time ran out.
///
/// ```
/// use std::time::Duration;
///
/// coop::block_on(async {
///     let err = coop::time::timeout(Duration::ZERO, std::future::pending::<()>())
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
///     let io: std::io::Error = err.into();
///     assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
/// });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(_: Elapsed) -> std::io::Error {
        std::io::ErrorKind::TimedOut.into()
    }
}
