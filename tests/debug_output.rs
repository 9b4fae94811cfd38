//! Every public type implements `Debug`, and says something useful.

use std::time::Duration;

use coop::time::{interval, sleep, timeout, MissedTickBehavior};

fn debug(value: &impl std::fmt::Debug) -> String {
    format!("{value:?}")
}

#[test]
fn runtime_builder_and_task_types_are_debug() {
    let builder = coop::Runtime::builder().budget(7);
    assert!(debug(&builder).contains("Builder"), "{builder:?}");
    assert!(
        debug(&builder).contains('7'),
        "shows its settings: {builder:?}"
    );

    let rt = builder.build().unwrap();
    let handle = rt.spawn(async { 1 });
    let shown = debug(&rt);
    assert!(
        shown.contains("Runtime") && shown.contains("tasks: 1"),
        "{shown}"
    );

    let shown = debug(&handle);
    assert!(
        shown.contains("JoinHandle") && shown.contains("finished: false"),
        "{shown}"
    );
    let id = handle.id();
    assert_eq!(debug(&id), format!("TaskId({id})"));

    handle.abort();
    let err = rt.block_on(handle).unwrap_err();
    assert!(
        debug(&err).contains("Cancelled") || debug(&err).contains("cancelled"),
        "{err:?}"
    );
    assert!(debug(&coop::yield_now()).contains("YieldNow"));
}

#[test]
fn time_types_are_debug() {
    let nap = sleep(Duration::from_secs(1));
    assert!(debug(&nap).contains("Sleep"), "{nap:?}");
    let limited = timeout(Duration::from_secs(1), std::future::ready(1));
    assert!(debug(&limited).contains("Timeout"));
    let ticks = interval(Duration::from_secs(1));
    assert!(debug(&ticks).contains("Interval") && debug(&ticks).contains("period"));
    assert_eq!(debug(&MissedTickBehavior::Burst), "Burst");
    let elapsed = coop::block_on(timeout(Duration::ZERO, std::future::pending::<()>()));
    assert!(debug(&elapsed.unwrap_err()).contains("Elapsed"));
}
