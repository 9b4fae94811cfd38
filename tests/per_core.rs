//! `coop::per_core`, the thread-per-core launcher: results in order, one thread per loop, no shared tasks,
//! pinning reported, panics and failures propagated.

use std::cell::Cell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Duration;

use coop::per_core::{current, run, Builder};
use coop::sync::oneshot;

#[test]
fn results_come_back_in_index_order_even_when_loops_finish_out_of_order() {
    // Loop 0 finishes last, loop 3 first.
    let out = run(4, |i| async move {
        coop::time::sleep(Duration::from_millis(10 * (4 - i as u64))).await;
        i * 10
    })
    .unwrap();
    assert_eq!(out, [0, 10, 20, 30]);
}

#[test]
fn each_loop_runs_on_its_own_thread() {
    let caller = std::thread::current().id();
    let out = run(3, |i| async move {
        // Not `Send`: the factory runs on the loop's thread.
        let local = Rc::new(Cell::new(i));
        let task = coop::spawn({
            let local = local.clone();
            async move { local.get() }
        });
        (std::thread::current().id(), task.await.unwrap())
    })
    .unwrap();
    let threads: HashSet<_> = out.iter().map(|(t, _)| *t).collect();
    assert_eq!(threads.len(), 3, "three loops, three threads: {out:?}");
    assert!(
        !threads.contains(&caller),
        "no loop runs on the caller's thread"
    );
    assert_eq!(out.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn loops_do_not_share_tasks() {
    // Each loop spawns 50 tasks that yield a few times and report the
    // thread that polled them: with a shared or stealing queue some would
    // run on the other loop's thread.
    let out = run(2, |_| async {
        let me = std::thread::current().id();
        let mut tasks = Vec::new();
        for _ in 0..50 {
            tasks.push(coop::spawn(async {
                let mut seen = Vec::new();
                for _ in 0..3 {
                    seen.push(std::thread::current().id());
                    coop::yield_now().await;
                }
                seen
            }));
        }
        let mut polled_on = HashSet::new();
        for t in tasks {
            polled_on.extend(t.await.unwrap());
        }
        (me, polled_on)
    })
    .unwrap();
    for (me, polled_on) in &out {
        assert_eq!(polled_on.len(), 1, "{polled_on:?}");
        assert!(polled_on.contains(me));
    }
    assert_ne!(out[0].0, out[1].0);
}

#[test]
fn current_reports_index_loops_and_no_core_when_not_pinned() {
    assert_eq!(current(), None, "the caller is no per-core loop");
    let out = run(2, |_| async { current().unwrap() }).unwrap();
    assert_eq!(
        (out[0].index(), out[0].loops(), out[0].core()),
        (0, 2, None)
    );
    assert_eq!(
        (out[1].index(), out[1].loops(), out[1].core()),
        (1, 2, None)
    );
    // Blocking-pool threads of a loop are not loops themselves.
    let on_pool = run(1, |_| async {
        coop::spawn_blocking(current).await.unwrap()
    })
    .unwrap();
    assert_eq!(on_pool, [None]);
}

#[test]
fn pinning_is_reported_and_a_refusal_does_not_fail_the_launch() {
    let allowed: Vec<usize> = core_affinity::get_core_ids()
        .unwrap_or_default()
        .iter()
        .map(|c| c.id)
        .collect();
    let out = Builder::new()
        .loops(allowed.len().max(1) + 1) // one more than cores: wraps around
        .pin(true)
        .run(|_| async {
            // The thread's CPU set as the OS reports it (core_affinity reads
            // the calling thread's affinity mask).
            let mask: Vec<usize> = core_affinity::get_core_ids()
                .unwrap_or_default()
                .iter()
                .map(|c| c.id)
                .collect();
            (current().unwrap().core(), mask)
        })
        .unwrap();
    for (i, (core, mask)) in out.iter().enumerate() {
        // None: refused (a restricted CPU set), reported, not fatal.
        if let Some(c) = core {
            // Pinned to the i-th allowed core, and the OS agrees.
            assert_eq!(*c, allowed[i % allowed.len()], "loop {i}: {out:?}");
            assert_eq!(mask, &[*c], "loop {i}'s thread may run only there");
        }
    }
    // Does affinity work here? Try on a throwaway thread (the test's own
    // thread keeps its CPU set).
    let works = !allowed.is_empty()
        && std::thread::spawn(move || {
            core_affinity::set_for_current(core_affinity::CoreId { id: allowed[0] })
        })
        .join()
        .unwrap();
    if works {
        // Then the launcher must have pinned every loop.
        assert!(
            out.iter().all(|(core, _)| core.is_some()),
            "affinity works here, yet: {out:?}"
        );
    }
}

#[test]
fn a_panic_in_one_loop_stops_the_others_and_resumes_on_the_caller_with_its_message() {
    let (dropped_tx, dropped_rx) = std::sync::mpsc::channel::<usize>();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run(3, |i| {
            let dropped_tx = dropped_tx.clone();
            async move {
                // Reports when this loop's future is dropped (stopped or done).
                struct OnDrop(usize, std::sync::mpsc::Sender<usize>);
                impl Drop for OnDrop {
                    fn drop(&mut self) {
                        let _ = self.1.send(self.0);
                    }
                }
                let _guard = OnDrop(i, dropped_tx);
                if i == 1 {
                    coop::time::sleep(Duration::from_millis(5)).await;
                    panic!("loop {i} failed on purpose");
                }
                // The others would wait forever; they must be stopped.
                std::future::pending::<()>().await;
            }
        })
    }));
    let payload = caught.expect_err("the loop's panic reaches the caller");
    let message = payload
        .downcast_ref::<String>()
        .expect("the original payload, a formatted String");
    assert_eq!(message, "loop 1 failed on purpose");
    drop(dropped_tx);
    let mut dropped: Vec<usize> = dropped_rx.iter().collect();
    dropped.sort_unstable();
    assert_eq!(
        dropped,
        [0, 1, 2],
        "every loop's future was dropped before run returned"
    );
}

#[test]
fn a_panic_after_others_finished_still_propagates() {
    let caught = std::panic::catch_unwind(|| {
        run(2, |i| async move {
            if i == 0 {
                return 0;
            }
            coop::time::sleep(Duration::from_millis(20)).await;
            panic!("late panic");
        })
    });
    let payload = caught.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"late panic"));
}

#[test]
fn a_spawned_task_panic_stays_on_its_join_handle() {
    let out = run(2, |_| async {
        coop::spawn(async { panic!("inside a task") })
            .await
            .is_err()
    })
    .unwrap();
    assert_eq!(out, [true, true]);
}

#[test]
fn loops_can_talk_through_coop_channels() {
    // A channel made before launch, moved into the one loop that sends.
    let (tx, rx) = oneshot::channel::<&str>();
    let slots = std::sync::Mutex::new((Some(tx), Some(rx)));
    let out = run(2, |i| {
        let mut s = slots.lock().unwrap();
        let tx = if i == 0 { s.0.take() } else { None };
        let rx = if i == 1 { s.1.take() } else { None };
        async move {
            match (tx, rx) {
                (Some(tx), _) => tx.send("from loop 0").map(|()| "sent").unwrap_or("lost"),
                (_, Some(rx)) => rx.await.unwrap(),
                _ => unreachable!(),
            }
        }
    })
    .unwrap();
    assert_eq!(out, ["sent", "from loop 0"]);
}

#[test]
#[should_panic(expected = "running a coop event loop")]
fn run_inside_a_loop_panics_with_what_to_do() {
    coop::block_on(async {
        let _ = run(1, |_| async {});
    });
}

#[test]
#[should_panic(expected = "start at least one loop")]
fn zero_loops_panics() {
    let _ = Builder::new().loops(0);
}

#[test]
fn a_panicking_factory_propagates_like_a_panicking_future() {
    let caught = std::panic::catch_unwind(|| {
        run(2, |i| {
            assert_ne!(i, 1, "factory refused loop 1");
            async move { i }
        })
    });
    let payload = caught.unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains("factory refused loop 1"), "{message}");
}

#[test]
fn when_every_loop_panics_one_payload_reaches_the_caller_and_nothing_aborts() {
    let caught = std::panic::catch_unwind(|| {
        run(3, |i| async move {
            coop::yield_now().await;
            panic!("loop {i} down");
        })
    });
    let payload = caught.unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(
        ["loop 0 down", "loop 1 down", "loop 2 down"].contains(&message.as_str()),
        "{message}"
    );
}
