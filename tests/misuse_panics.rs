//! Misuse panics with a message that says what to do, and panics in the
//! `block_on` future reach the caller without breaking the runtime.

mod support;

use coop::Runtime;
use support::panic_message;

#[test]
fn spawn_outside_a_runtime_panics_saying_where_to_call_it() {
    let message = panic_message(|| {
        drop(coop::spawn(async {}));
    });
    assert!(message.contains("`coop::spawn`"), "{message}");
    assert!(message.contains("outside a coop runtime"), "{message}");
    assert!(
        message.contains("coop::block_on"),
        "says what to do: {message}"
    );
    assert!(
        message.contains("Runtime::spawn"),
        "says what to do: {message}"
    );
}

#[test]
#[should_panic(expected = "`coop::spawn` was called outside a coop runtime")]
fn spawn_on_a_plain_thread_panics() {
    std::thread::spawn(|| {
        drop(coop::spawn(async {}));
    })
    .join()
    .map_err(|payload| std::panic::resume_unwind(payload))
    .unwrap();
}

#[test]
fn sleep_polled_outside_a_runtime_panics_naming_sleep() {
    let message = panic_message(|| {
        support::block_on_thread(coop::time::sleep(std::time::Duration::from_secs(1)));
    });
    assert!(message.contains("`coop::time::sleep`"), "{message}");
    assert!(message.contains("outside a coop runtime"), "{message}");
}

#[test]
fn nested_block_on_panics_saying_to_await_or_spawn_instead() {
    let message = panic_message(|| {
        coop::block_on(async {
            coop::block_on(async {});
        });
    });
    assert!(
        message.contains("Cannot call `block_on` from inside a coop runtime"),
        "{message}"
    );
    assert!(
        message.contains("`.await` the future"),
        "says what to do: {message}"
    );
    assert!(
        message.contains("coop::spawn"),
        "says what to do: {message}"
    );

    // The thread is usable again afterwards: the failed call left no
    // runtime behind as "current".
    assert_eq!(coop::block_on(async { 1 }), 1);
}

#[test]
#[should_panic(expected = "Cannot call `block_on` from inside a coop runtime")]
fn nested_runtime_block_on_panics_even_on_another_runtime() {
    let outer = Runtime::new().unwrap();
    let inner = Runtime::new().unwrap();
    outer.block_on(async { inner.block_on(async {}) });
}

#[test]
fn a_panic_in_the_block_on_future_propagates_and_the_runtime_stays_usable() {
    let rt = Runtime::new().unwrap();
    let background = rt.spawn(async {
        coop::time::sleep(std::time::Duration::from_millis(10)).await;
        "background"
    });
    let message = panic_message(|| {
        rt.block_on(async {
            coop::yield_now().await;
            panic!("boom in block_on");
        });
    });
    assert_eq!(message, "boom in block_on");
    // The runtime and its tasks survive the caller's panic.
    assert_eq!(rt.block_on(background).unwrap(), "background");
    assert_eq!(
        rt.block_on(async { coop::spawn(async { 2 }).await })
            .unwrap(),
        2
    );
}

#[test]
#[should_panic(expected = "`Builder::event_interval` must be at least 1")]
fn a_zero_event_interval_is_refused() {
    let _ = coop::Builder::new().event_interval(0);
}

#[test]
#[should_panic(expected = "`Builder::budget` must be at least 1")]
fn a_zero_budget_is_refused() {
    let _ = coop::Builder::new().budget(0);
}

/// Every documented misuse panic is reported at the caller's line (the
/// panic hook prints it), not inside coop: `#[track_caller]` all the way.
#[test]
fn misuse_panics_are_reported_at_the_callers_line() {
    let here = file!();
    let rt = Runtime::new().unwrap();
    type Case<'a> = (&'static str, Box<dyn FnOnce() + 'a>);
    let cases: Vec<Case> = vec![
        (
            "coop::spawn outside",
            Box::new(|| drop(coop::spawn(async {}))),
        ),
        (
            "Runtime::block_on in block_on",
            Box::new(|| {
                let inner = Runtime::new().unwrap();
                rt.block_on(async { inner.block_on(async {}) })
            }),
        ),
        (
            "coop::block_on in block_on",
            Box::new(|| rt.block_on(async { coop::block_on(async {}) })),
        ),
        (
            "Handle::current outside",
            Box::new(|| drop(coop::Handle::current())),
        ),
        (
            "spawn_blocking outside",
            Box::new(|| drop(coop::spawn_blocking(|| ()))),
        ),
        (
            "join_blocking on the loop",
            Box::new(|| rt.block_on(async { coop::spawn(async {}).join_blocking().unwrap() })),
        ),
        (
            "Handle::block_on on the loop",
            Box::new(|| rt.block_on(async { coop::Handle::current().block_on(async {}) })),
        ),
        (
            "JoinError::into_panic on a cancelled task",
            Box::new(|| {
                let handle = rt.spawn(std::future::pending::<()>());
                handle.abort();
                drop(rt.block_on(handle).unwrap_err().into_panic());
            }),
        ),
        (
            "Builder::budget(0)",
            Box::new(|| drop(coop::Builder::new().budget(0))),
        ),
    ];
    for (case, f) in cases {
        assert_eq!(support::panic_file(f), here, "{case}");
    }
}

/// `Runtime::block_on` nested inside a *task* (issue 13): the task fails
/// with the nested-`block_on` panic, reported at the task's line.
#[test]
fn a_nested_block_on_inside_a_task_is_reported_at_the_tasks_line() {
    let here = file!();
    let rt = Runtime::new().unwrap();
    let file = support::panic_file(|| {
        let inner = Runtime::new().unwrap();
        let task = rt.spawn(async move { inner.block_on(async {}) });
        if let Err(err) = rt.block_on(task) {
            std::panic::resume_unwind(err.into_panic());
        }
    });
    // `resume_unwind` does not run the hook: the location is the task's.
    assert_eq!(file, here);
}
