//! `BlockingTask`: a closure dressed as a future, so a blocking job can be
//! an ordinary task (see the module docs of `blocking/`).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that calls its closure on the first poll and is `Ready` with
/// its result. Polled once, on a pool thread.
pub(crate) struct BlockingTask<F>(Option<F>);

impl<F> BlockingTask<F> {
    pub(crate) fn new(f: F) -> BlockingTask<F> {
        BlockingTask(Some(f))
    }
}

// The closure is never pinned: it is moved out before it is called.
impl<F> Unpin for BlockingTask<F> {}

impl<F, R> Future for BlockingTask<F>
where
    F: FnOnce() -> R,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self
            .0
            .take()
            .expect("a blocking task is polled once: it is Ready the first time");
        // A job is not on the loop: the budget does not bind it (see
        // `budget.rs`), so it may wait on as many ready things as it likes.
        let output = crate::budget::unconstrained(f);
        // Before the result wakes anyone: this worker will look at the
        // queue again, so the next job need not start a thread.
        super::pool::job_returned();
        Poll::Ready(output)
    }
}
