//! [`CoopExecutor`]: hyper's [`Executor`] backed by [`coop::spawn`].
//!
//! hyper hands background futures to an executor: the HTTP/2 connection
//! driver and its streams, and hyper-util's pooled client connections. The
//! HTTP/1 paths need none: `serve_connection` is a future the caller awaits
//! in its own task, and the client's `conn` future from `handshake` is
//! spawned by the caller (with `coop::spawn` directly).
//!
//! ```text
//!   hyper ──execute(fut)──► CoopExecutor ──coop::spawn(fut)──► the loop's run queue
//! ```
//!
//! coop tasks need not be `Send`, so neither does the future: a service that
//! holds an `Rc` works. The price is that `execute` must be called on a
//! thread that runs a coop loop, which is where hyper calls it (from inside
//! the connection future that a coop task polls).

use std::future::Future;

use hyper::rt::Executor;

/// Runs hyper's background futures as coop tasks on the current loop.
///
/// # Panics
/// `execute` panics when called outside a coop runtime (as
/// [`coop::spawn`] does), with a message that says what to do.
///
/// ```
/// use hyper::rt::Executor;
/// use coop_hyper::CoopExecutor;
///
/// coop::block_on(async {
///     let (tx, rx) = coop::sync::oneshot::channel();
///     // What hyper does with, e.g., an HTTP/2 connection driver.
///     CoopExecutor::new().execute(async move {
///         tx.send("ran on the loop").unwrap();
///     });
///     assert_eq!(rx.await.unwrap(), "ran on the loop");
/// });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct CoopExecutor {
    _private: (),
}

impl CoopExecutor {
    /// An executor that spawns on whichever coop loop runs the caller.
    ///
    /// ```
    /// let exec = coop_hyper::CoopExecutor::new();
    /// let copy = exec; // `Copy`: hand it to every builder that wants one
    /// # let _ = (exec, copy);
    /// ```
    pub fn new() -> CoopExecutor {
        CoopExecutor { _private: () }
    }
}

impl<F> Executor<F> for CoopExecutor
where
    F: Future + 'static,
    F::Output: 'static,
{
    #[track_caller]
    fn execute(&self, fut: F) {
        // Detached: hyper watches its background futures through its own
        // channels, not through a join handle. A panic in one ends that
        // task only (coop turns it into an error on the dropped handle).
        drop(coop::spawn(fut));
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::rc::Rc;

    use hyper::rt::Executor;

    use super::CoopExecutor;

    #[test]
    fn executes_futures_that_are_not_send() {
        coop::block_on(async {
            let ran = Rc::new(Cell::new(0));
            for _ in 0..3 {
                let ran = ran.clone(); // `Rc`: the future is not `Send`
                CoopExecutor::new().execute(async move { ran.set(ran.get() + 1) });
            }
            // Detached tasks: let the loop run them.
            for _ in 0..100 {
                if ran.get() == 3 {
                    break;
                }
                coop::yield_now().await;
            }
            assert_eq!(ran.get(), 3);
        });
    }

    #[test]
    #[should_panic(expected = "coop::spawn")]
    fn outside_a_runtime_it_panics_saying_so() {
        CoopExecutor::new().execute(async {});
    }
}
