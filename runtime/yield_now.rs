//! `yield_now`: give the loop back on purpose.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Lets every other runnable task have a turn, then continues.
///
/// The task wakes itself and returns `Pending` once: it goes to the back of
/// the run queue, exactly like a task whose I/O just became ready. Use it in
/// long computations on the loop so they do not starve other tasks (or,
/// better, move them to a thread).
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// coop::block_on(async {
///     let log = Rc::new(RefCell::new(Vec::new()));
///     let mut tasks = Vec::new();
///     for name in ["a", "b"] {
///         let log = log.clone();
///         tasks.push(coop::spawn(async move {
///             for i in 0..2 {
///                 log.borrow_mut().push(format!("{name}{i}"));
///                 coop::yield_now().await;
///             }
///         }));
///     }
///     for t in tasks {
///         t.await.unwrap();
///     }
///     assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1"]);
/// });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future returned by [`yield_now`].
///
/// ```
/// coop::block_on(async {
///     let y: coop::YieldNow = coop::yield_now();
///     y.await;
/// });
/// ```
#[must_use = "futures do nothing unless you `.await` or poll them"]
#[derive(Debug)]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
