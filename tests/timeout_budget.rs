//! `timeout` must fire even when the future it guards spends the task's
//! whole cooperative budget on every poll (a socket that is always ready,
//! a stream of already-expired timers).
//!
//! On the real clock on purpose: a paused clock moves only when the loop is
//! idle, and a future that spins on its budget never lets it be, so on a
//! paused clock this timeout could never elapse.

use std::sync::mpsc;
use std::time::Duration;

#[test]
fn timeout_fires_when_the_inner_future_exhausts_the_budget_every_poll() {
    let (done, finished) = mpsc::channel();
    // On its own thread, so a regression fails the test instead of hanging it.
    std::thread::spawn(move || {
        let result = coop::block_on(coop::time::timeout(Duration::from_millis(20), async {
            // Each expired sleep spends one unit of budget and is ready at
            // once, so this loop only stops because the budget runs out.
            loop {
                coop::time::sleep(Duration::ZERO).await;
            }
        }));
        let _ = done.send(result.is_err());
    });
    let elapsed = finished
        .recv_timeout(Duration::from_secs(30))
        .expect("timeout never fired: the spinning future starved the deadline");
    assert!(elapsed, "the deadline must win");
}
