//! `Runtime::metrics`: the loop's counters, checked against workloads whose
//! every spawn, poll, wake and timer is known.

use std::time::Duration;

use coop::{Builder, Metrics, Runtime};

/// Ten tasks that yield three times each, awaited by `block_on`.
fn ten_yielders(rt: &Runtime) {
    rt.block_on(async {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                coop::spawn(async {
                    for _ in 0..3 {
                        coop::yield_now().await;
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
}

#[test]
fn a_fresh_runtime_has_counted_nothing() {
    let rt = Runtime::new().unwrap();
    assert_eq!(rt.metrics(), Metrics::default());
}

#[test]
fn spawns_polls_wakes_and_completions_are_counted_exactly() {
    let rt = Runtime::new().unwrap();
    ten_yielders(&rt);
    let m = rt.metrics();
    assert_eq!(m.tasks_spawned, 10);
    assert_eq!(m.tasks_completed, 10);
    assert_eq!(m.polls, 40, "four polls per task: three yields and the end");
    assert_eq!(m.wakes_local, 30, "one wake per yield");
    assert_eq!(m.wakes_remote, 0);
    assert_eq!(m.budget_yields, 0);
    assert_eq!(m.timers_fired, 0);
    assert_eq!(m.max_queue_depth, 10, "all ten were queued at once");
    assert!(m.parks >= 1);
    // Counting goes on across block_on calls.
    ten_yielders(&rt);
    assert_eq!(rt.metrics().polls, 80);
    assert_eq!(rt.metrics().tasks_completed, 20);
}

#[test]
fn timers_remote_wakes_and_io_events_are_counted() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    rt.block_on(async move {
        coop::time::sleep(Duration::from_millis(1)).await;
        coop::time::sleep(Duration::from_millis(1)).await;
        // A task woken from another thread.
        let (tx, rx) = coop::sync::oneshot::channel::<()>();
        let waiter = coop::spawn(async move { rx.await.unwrap() });
        coop::yield_now().await;
        let sender = std::thread::spawn(move || tx.send(()).unwrap());
        waiter.await.unwrap();
        sender.join().unwrap();
        // A spawn from another thread is a spawn, not a remote wake.
        let task = std::thread::spawn(move || handle.spawn(async {}))
            .join()
            .unwrap();
        task.await.unwrap();
    });
    let m = rt.metrics();
    assert_eq!(m.timers_fired, 2);
    assert_eq!(m.wakes_remote, 1);
    assert_eq!(m.tasks_spawned, 2);
    assert_eq!(m.tasks_completed, 2);
    assert!(m.parks >= 2, "each sleep parks: {m:?}");
}

#[test]
fn a_budget_stop_is_counted_and_costs_one_more_poll() {
    let rt = Builder::new().budget(4).build().unwrap();
    rt.block_on(async {
        coop::spawn(async {
            for _ in 0..20 {
                coop::time::sleep(Duration::ZERO).await;
            }
        })
        .await
        .unwrap();
    });
    let m = rt.metrics();
    assert!(m.budget_yields >= 1, "{m:?}");
    assert_eq!(m.polls, 1 + m.budget_yields, "each stop is a yield: {m:?}");
}

#[test]
fn the_longest_poll_is_at_least_a_blocking_sleep_inside_one() {
    let rt = Builder::new().slow_poll_threshold(None).build().unwrap();
    rt.block_on(async {
        coop::spawn(async { std::thread::sleep(Duration::from_millis(30)) })
            .await
            .unwrap();
    });
    let longest = rt.metrics().longest_poll;
    // The poll clock is coarse (one scheduler tick, at most 10 ms).
    assert!(longest >= Duration::from_millis(20), "{longest:?}");
    assert!(longest < Duration::from_secs(30), "{longest:?}");
}

#[test]
fn a_park_between_polls_is_not_charged_to_the_next_poll() {
    let rt = Builder::new().slow_poll_threshold(None).build().unwrap();
    rt.block_on(async {
        coop::spawn(async {
            coop::time::sleep(Duration::from_secs(1)).await;
        })
        .await
        .unwrap();
    });
    let longest = rt.metrics().longest_poll;
    assert!(
        longest < Duration::from_millis(900),
        "the sleep is no poll: {longest:?}"
    );
}
