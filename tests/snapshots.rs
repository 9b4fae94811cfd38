//! `Runtime::tasks`: one snapshot per live task, with its name, spawn
//! site, state, polls and last wake source.

use std::future::pending;
use std::time::Duration;

use coop::task::{Builder, TaskState, WakeSource};
use coop::Runtime;

#[test]
fn snapshots_name_tasks_and_follow_their_states() {
    let rt = Runtime::new().unwrap();
    let (named, sleeper) = rt.block_on(async {
        let named = Builder::new().name("reader").spawn(pending::<()>());
        let sleeper = coop::spawn(coop::time::sleep(Duration::from_secs(3600)));
        (named, sleeper)
    });
    rt.run_until_stalled();
    // Both ran once and wait now.
    let tasks = rt.tasks();
    assert_eq!(tasks.len(), 2);
    let reader = tasks.iter().find(|t| t.id() == named.id()).unwrap();
    assert_eq!(reader.name(), Some("reader"));
    assert_eq!(reader.state(), TaskState::Waiting);
    assert_eq!(reader.polls(), 1);
    assert_eq!(reader.spawned_at().file(), file!());
    let sleeping = tasks.iter().find(|t| t.id() == sleeper.id()).unwrap();
    assert_eq!(sleeping.name(), None);
    assert_eq!(sleeping.state(), TaskState::Waiting);

    // A fresh spawn is runnable until polled.
    let fresh = rt.spawn(pending::<()>());
    let line = line!() - 1;
    let snap = rt
        .tasks()
        .into_iter()
        .find(|t| t.id() == fresh.id())
        .unwrap();
    assert_eq!(snap.state(), TaskState::Runnable);
    assert_eq!(snap.polls(), 0);
    assert_eq!(snap.woken_by(), Some(WakeSource::Spawn));
    assert_eq!(snap.spawned_at().line(), line);

    // The Debug table shows the name, state and spawn site.
    let table = format!("{:#?}", rt.tasks());
    assert!(table.contains("\"reader\""), "{table}");
    assert!(table.contains("Waiting"), "{table}");
    assert!(table.contains("Runnable"), "{table}");
    assert!(table.contains(file!()), "{table}");

    // A finished task leaves the table, and its name with it.
    named.abort();
    rt.run_until_stalled();
    let ids: Vec<_> = rt.tasks().iter().map(|t| t.id()).collect();
    assert_eq!(ids.len(), 2);
    assert!(!ids.contains(&named.id()));
}

#[test]
fn the_block_on_future_sees_a_woken_task_as_runnable() {
    let rt = std::rc::Rc::new(Runtime::new().unwrap());
    let inner = rt.clone();
    let handle = rt.spawn(async { coop::yield_now().await });
    rt.turn(); // it yields: woken, queued again
    rt.block_on(async move {
        let tasks = inner.tasks();
        assert_eq!(tasks.len(), 1);
        assert_eq!(tasks[0].state(), TaskState::Runnable);
    });
    rt.block_on(handle).unwrap();
    assert!(rt.tasks().is_empty());
}

#[test]
fn records_stay_with_their_tasks_when_others_finish_out_of_order() {
    let rt = Runtime::new().unwrap();
    // block_on's future finishes at its first poll: nothing else runs yet.
    let handles: Vec<_> = rt.block_on(async {
        (0..6u32)
            .map(|i| {
                Builder::new().name(&format!("t{i}")).spawn(async move {
                    for _ in 0..i {
                        coop::yield_now().await;
                    }
                    if i % 2 == 0 {
                        pending::<()>().await
                    }
                })
            })
            .collect()
    });
    rt.run_until_stalled();
    let tasks = rt.tasks();
    assert_eq!(tasks.len(), 3, "{tasks:#?}");
    for task in &tasks {
        let i: u64 = task.name().unwrap()[1..].parse().unwrap();
        assert_eq!(i % 2, 0);
        assert_eq!(task.polls(), i + 1, "{task:?}");
        let expected = if i == 0 {
            WakeSource::Spawn
        } else {
            WakeSource::Task(task.id())
        };
        assert_eq!(task.woken_by(), Some(expected));
        assert_eq!(task.id(), handles[i as usize].id());
    }
}
