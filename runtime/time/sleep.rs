//! `Sleep`: a future that completes at a deadline.
//!
//! The first poll before the deadline puts a timer in the runtime's
//! [`TimerHeap`](super::heap::TimerHeap) with the task's waker; the loop
//! parks no longer than the earliest deadline and, once it has passed,
//! wakes that waker. The `Sleep` checks the clock itself when polled, so it
//! is never ready early, whatever woke it. Dropping it removes its timer.

use std::future::Future;
use std::num::NonZeroU64;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::{Duration, Instant};

use super::clock;

/// Waits until `duration` has passed.
///
/// The wait is at least `duration`, never shorter; how much longer depends
/// on how busy the loop is. A zero duration completes at once (but still
/// spends one unit of the cooperative budget). A duration too large for an
/// `Instant` (`Duration::MAX`) is capped at about thirty years: it never
/// panics or overflows, and in practice never fires (on a paused clock,
/// auto-advance does get there: the clock jumps thirty years).
///
/// # Panics
/// When polled outside a coop runtime.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     let start = Instant::now();
///     coop::time::sleep(Duration::from_millis(20)).await;
///     assert!(start.elapsed() >= Duration::from_millis(20));
/// });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep::new(clock::deadline_after(duration))
}

/// Waits until `deadline`.
///
/// A deadline in the past completes at once; one far in the future (any
/// `Instant` the caller could build) waits that long, with no overflow.
///
/// # Panics
/// When polled outside a coop runtime.
///
/// ```
/// use std::time::{Duration, Instant};
///
/// coop::block_on(async {
///     let deadline = Instant::now() + Duration::from_millis(10);
///     coop::time::sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep::new(deadline)
}

/// The future returned by [`sleep`] and [`sleep_until`].
///
/// It is `Send` and `Unpin`, but its timer lives in the runtime where it was
/// first polled; poll it on that runtime's thread.
///
/// ```
/// use std::time::Duration;
///
/// coop::block_on(async {
///     let mut sleep = coop::time::sleep(Duration::from_secs(3600));
///     // Move the deadline closer before waiting.
///     sleep.reset(std::time::Instant::now() + Duration::from_millis(5));
///     sleep.await;
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct Sleep {
    deadline: Instant,
    /// The timer slot, once registered: `(runtime id, slot key)`. Runtime
    /// ids start at 1, so the `NonZeroU64` lets `None` use its niche: the
    /// whole `Sleep` is 32 bytes instead of 40.
    entry: Option<(NonZeroU64, usize)>,
}

impl Sleep {
    fn new(deadline: Instant) -> Sleep {
        Sleep {
            deadline,
            entry: None,
        }
    }

    /// The instant this sleep completes at.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let deadline = Instant::now() + Duration::from_secs(1);
    /// assert_eq!(coop::time::sleep_until(deadline).deadline(), deadline);
    /// ```
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// True once the deadline has passed.
    ///
    /// ```
    /// let sleep = coop::time::sleep(std::time::Duration::ZERO);
    /// assert!(sleep.is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        clock::now() >= self.deadline
    }

    /// Moves the deadline, earlier or later, without making a new `Sleep`.
    ///
    /// A registered sleep keeps its timer and the waker of the task that
    /// last polled it: the timer moves to the new deadline, so a task that
    /// resets its sleep and returns `Pending` without polling it again (an
    /// idle timeout pushed back by activity) is still woken on time. After
    /// the sleep has completed, poll it again to wait for the new deadline.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// let mut sleep = coop::time::sleep(Duration::from_secs(60));
    /// let soon = Instant::now() + Duration::from_millis(1);
    /// sleep.reset(soon);
    /// assert_eq!(sleep.deadline(), soon);
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.deadline = deadline;
        let Some((runtime, key)) = self.entry else {
            return;
        };
        let moved = crate::context::try_with_core(|core| {
            core.id() == runtime.get()
                && core
                    .timers()
                    .try_borrow_mut()
                    .map(|mut timers| timers.reset(key, deadline))
                    .is_ok()
        });
        if moved != Some(true) {
            // Off its runtime's thread: the next poll registers afresh.
            self.release();
        }
    }

    /// Gives the timer slot back to the runtime, if it can be reached.
    fn release(&mut self) {
        if let Some((runtime, key)) = self.entry.take() {
            crate::context::try_with_core(|core| {
                if core.id() == runtime.get() {
                    if let Ok(mut timers) = core.timers().try_borrow_mut() {
                        timers.remove(key);
                    }
                }
            });
            // Dropped off its runtime's thread (or after the runtime): the
            // slot goes when that runtime does.
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let charge = ready!(crate::budget::poll_proceed(cx));
        if clock::now() >= self.deadline {
            self.release();
            charge.made_progress();
            return Poll::Ready(());
        }
        let this = &mut *self;
        crate::context::with_core("coop::time::sleep", |core| {
            let mut timers = core.timers().borrow_mut();
            match this.entry {
                Some((runtime, key)) if runtime.get() == core.id() => {
                    if !timers.set_waker(key, cx.waker()) {
                        // Fired for an older deadline (the sleep was reset).
                        timers.remove(key);
                        this.entry =
                            Some((runtime, timers.insert(this.deadline, cx.waker().clone())));
                    }
                }
                _ => {
                    let key = timers.insert(this.deadline, cx.waker().clone());
                    let runtime = NonZeroU64::new(core.id()).expect("runtime ids start at 1");
                    this.entry = Some((runtime, key));
                }
            }
        });
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.release();
    }
}
