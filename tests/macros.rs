//! `#[coop::test]` at work: the body runs on a coop runtime, a `Result`
//! return type and `?` work, other attributes are kept, and the arguments
//! reach the runtime's builder. (`#[coop::main]` is seen running in
//! `macros/tests/ui/pass_*.rs`, run by `macros/tests/ui.rs`, and in
//! `examples/execution_order.rs`; compile errors are in `macros/tests/ui/` too.)

#![cfg(feature = "macros")]

// A renamed coop, for the `crate = "…"` argument.
extern crate coop as renamed_coop;

use std::cell::Cell;
use std::io;
use std::rc::Rc;
use std::time::Duration;

#[coop::test]
async fn a_coop_test_runs_its_body_on_a_coop_runtime() {
    // `spawn` panics outside a runtime; a `!Send` task proves it is coop's
    // single-threaded one.
    let shared = Rc::new(Cell::new(0));
    let task = coop::spawn({
        let shared = shared.clone();
        async move {
            coop::time::sleep(Duration::from_millis(5)).await;
            shared.set(7);
        }
    });
    task.await.unwrap();
    assert_eq!(shared.get(), 7);
}

#[coop::test]
async fn a_coop_test_may_return_a_result_and_use_the_question_mark() -> io::Result<()> {
    let socket = coop::net::UdpSocket::bind("127.0.0.1:0").await?;
    socket.local_addr()?;
    Ok(())
}

#[coop::test]
#[should_panic(expected = "the body ran")]
async fn other_attributes_on_a_coop_test_are_kept() {
    coop::yield_now().await;
    panic!("the body ran");
}

/// How many ready timers a task awaits before the budget makes it yield,
/// as seen by a second task that runs at that yield.
async fn ready_awaits_before_the_first_forced_yield() -> u32 {
    let spins = Rc::new(Cell::new(0));
    let spinner = coop::spawn({
        let spins = spins.clone();
        async move {
            for _ in 0..1000 {
                coop::time::sleep(Duration::ZERO).await;
                spins.set(spins.get() + 1);
            }
        }
    });
    let observer = coop::spawn(async move { spins.get() });
    let seen = observer.await.unwrap();
    spinner.await.unwrap();
    seen
}

#[coop::test(budget = 3)]
async fn the_budget_argument_reaches_the_runtime() {
    assert_eq!(ready_awaits_before_the_first_forced_yield().await, 3);
}

#[coop::test]
async fn without_arguments_the_default_budget_applies() {
    assert_eq!(
        ready_awaits_before_the_first_forced_yield().await,
        coop::DEFAULT_BUDGET
    );
}

#[coop::test(crate = "renamed_coop", event_interval = 1, max_blocking_threads = 1)]
async fn every_builder_argument_and_a_renamed_crate_are_accepted() {
    let on_pool = renamed_coop::spawn_blocking(|| 2 + 2);
    assert_eq!(on_pool.await.unwrap(), 4);
}

#[coop::test(start_paused = true)]
async fn start_paused_runs_the_test_on_a_paused_clock_an_hour_passes_at_once() {
    let wall = std::time::Instant::now();
    let start = coop::time::now();
    let order = Rc::new(std::cell::RefCell::new(Vec::new()));
    let late = coop::spawn({
        let order = order.clone();
        async move {
            coop::time::sleep(Duration::from_secs(3600)).await;
            order.borrow_mut().push("hour");
        }
    });
    coop::time::sleep(Duration::from_secs(60)).await;
    order.borrow_mut().push("minute");
    late.await.unwrap();
    let elapsed = coop::time::now() - start;
    assert_eq!(*order.borrow(), ["minute", "hour"]);
    // The runtime's clock jumped to the deadline; the wall clock hardly moved.
    assert!(elapsed >= Duration::from_secs(3600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3601), "{elapsed:?}");
    assert!(
        wall.elapsed() < Duration::from_secs(60),
        "slept on the wall clock"
    );
    // Already paused, so resuming works (it panics on a running clock).
    coop::time::resume();
}

#[coop::test(start_paused = false)]
async fn start_paused_false_leaves_the_clock_running() {
    // Pausing panics on a clock that is already paused.
    coop::time::pause();
    coop::time::resume();
}
