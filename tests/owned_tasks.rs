//! The loop's owned-task list (`runtime/executor/owned.rs`, stored in
//! chunks of 1024 by `chunks.rs`) seen from outside: whatever order tasks
//! finish in, from whatever thread they are aborted, and whatever their
//! destructors do while the list changes, `Runtime::tasks()` and
//! `task_count()` name exactly the live tasks.
//!
//! Every test crosses chunk boundaries many times, up and down (thousands
//! of tasks, finished in a scrambled order), because that is where the
//! list moves chunks around. The model is a `HashSet` of the ids that
//! should be alive. The memory side (a runtime dropped with 100k live tasks
//! frees every byte) is `tests/owned_tasks_drop.rs`, its own binary for its
//! counting allocator.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use coop::sync::oneshot;
use coop::{JoinHandle, Runtime, TaskId, Turn};

/// A small deterministic PRNG (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Runs the loop until nothing is runnable.
fn settle(rt: &Runtime) {
    for _ in 0..1_000_000 {
        if rt.turn() == Turn::Idle {
            return;
        }
    }
    panic!("the loop did not settle");
}

/// The ids `Runtime::tasks()` reports, checked to be unique and to agree
/// with `task_count()`.
fn live_ids(rt: &Runtime) -> HashSet<TaskId> {
    let snapshots = rt.tasks();
    let ids: HashSet<TaskId> = snapshots.iter().map(|t| t.id()).collect();
    assert_eq!(ids.len(), snapshots.len(), "a task listed twice");
    assert_eq!(ids.len(), rt.task_count());
    ids
}

#[test]
fn tasks_finishing_in_a_scrambled_order_leave_exactly_the_live_ones_listed() {
    let rt = Runtime::new().unwrap();
    let mut rng = Rng(0x5eed);
    let mut alive: Vec<(TaskId, oneshot::Sender<()>)> = Vec::new();
    let mut model: HashSet<TaskId> = HashSet::new();
    // Up to ~5,000 and down to a few, three times: every chunk boundary is
    // crossed in both directions, with finishes at scrambled keys.
    for round in 0..6 {
        let spawn = if round % 2 == 0 { 5_000 } else { 300 };
        for _ in 0..spawn {
            let (tx, rx) = oneshot::channel::<()>();
            let handle = rt.spawn(async move {
                let _ = rx.await;
            });
            model.insert(handle.id());
            alive.push((handle.id(), tx));
        }
        settle(&rt);
        assert_eq!(live_ids(&rt), model);
        let finish = if round % 2 == 0 {
            alive.len() - 7
        } else {
            alive.len() / 3
        };
        for step in 0..finish {
            let (id, tx) = alive.swap_remove(rng.below(alive.len()));
            tx.send(()).unwrap();
            model.remove(&id);
            // Settle now and then, so finishes land both one at a time
            // and in batches.
            if step % 97 == 0 {
                settle(&rt);
                assert_eq!(live_ids(&rt), model);
            }
        }
        settle(&rt);
        assert_eq!(live_ids(&rt), model, "round {round}");
    }
}

#[test]
fn snapshots_stay_consistent_while_another_thread_aborts_tasks() {
    const TASKS: usize = 4_000;
    let rt = Runtime::new().unwrap();
    let handles: Vec<JoinHandle<()>> = (0..TASKS)
        .map(|_| rt.spawn(std::future::pending::<()>()))
        .collect();
    let spawned: HashSet<TaskId> = handles.iter().map(|h| h.id()).collect();
    settle(&rt);
    let aborts: Vec<_> = handles.iter().map(|h| h.abort_handle()).collect();
    let aborter = std::thread::spawn(move || {
        let mut rng = Rng(0xab07);
        let mut aborts = aborts;
        while !aborts.is_empty() {
            aborts.swap_remove(rng.below(aborts.len())).abort();
            if aborts.len() % 64 == 0 {
                std::thread::yield_now();
            }
        }
    });
    // The loop keeps taking snapshots and running the aborted tasks'
    // cancellations while the aborts arrive.
    let mut last = TASKS;
    let mut rounds = 0;
    while !aborter.is_finished() || rt.task_count() > 0 {
        let ids = live_ids(&rt);
        assert!(ids.is_subset(&spawned));
        assert!(ids.len() <= last, "a finished task came back");
        last = ids.len();
        let _ = rt.turn();
        rounds += 1;
        assert!(rounds < 10_000_000, "the aborts never all landed");
    }
    aborter.join().unwrap();
    settle(&rt);
    assert!(live_ids(&rt).is_empty());
    for handle in handles {
        let err = rt.block_on(handle).unwrap_err();
        assert!(err.is_cancelled());
    }
}

/// Aborts some tasks and spawns others from its `Drop`.
struct Meddler {
    abort: Vec<JoinHandle<()>>,
    spawn: usize,
    spawned: Rc<RefCell<Vec<JoinHandle<()>>>>,
}

impl Drop for Meddler {
    fn drop(&mut self) {
        for handle in self.abort.drain(..) {
            handle.abort();
        }
        let mut spawned = self.spawned.borrow_mut();
        for _ in 0..self.spawn {
            spawned.push(coop::spawn(async { coop::yield_now().await }));
        }
    }
}

#[test]
fn a_finishing_task_whose_drop_aborts_and_spawns_thousands_leaves_the_list_right() {
    let rt = Runtime::new().unwrap();
    let victims: Vec<JoinHandle<()>> = (0..1_500)
        .map(|_| rt.spawn(std::future::pending::<()>()))
        .collect();
    let victim_ids: HashSet<TaskId> = victims.iter().map(|h| h.id()).collect();
    let bystanders: Vec<JoinHandle<()>> = (0..700)
        .map(|_| rt.spawn(std::future::pending::<()>()))
        .collect();
    let spawned = Rc::new(RefCell::new(Vec::new()));
    let meddler = Meddler {
        abort: victims,
        spawn: 2_500,
        spawned: spawned.clone(),
    };
    // The meddler is dropped when this task finishes: inside its last
    // poll, before the loop takes it off the list.
    let finisher = rt.spawn(async move {
        coop::yield_now().await;
        drop(meddler);
    });
    let finisher_id = finisher.id();
    rt.block_on(finisher).unwrap();
    let listed = live_ids(&rt);
    assert!(!listed.contains(&finisher_id));
    for id in bystanders.iter().map(|h| h.id()) {
        assert!(listed.contains(&id), "a bystander went missing");
    }
    settle(&rt);
    let listed = live_ids(&rt);
    assert!(
        listed.is_disjoint(&victim_ids),
        "an aborted task is still listed"
    );
    let bystander_ids: HashSet<TaskId> = bystanders.iter().map(|h| h.id()).collect();
    assert_eq!(listed, bystander_ids, "the spawned tasks ran to completion");
    assert_eq!(spawned.borrow().len(), 2_500);
    for handle in spawned.take() {
        rt.block_on(handle).unwrap();
    }
}

/// Counts its drops; from its `Drop` it also spawns a task and aborts
/// another task, as shutdown cancels it.
struct Noisy {
    drops: Arc<AtomicUsize>,
    abort: Option<JoinHandle<()>>,
}

impl Drop for Noisy {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
        if let Some(handle) = self.abort.take() {
            handle.abort();
        }
        // Refused by the closed list and cancelled on the spot.
        let refused = coop::spawn(async {});
        drop(refused);
    }
}

#[test]
fn runtime_drop_cancels_every_task_once_while_their_drops_spawn_and_abort() {
    const TASKS: usize = 5_000;
    let drops = Arc::new(AtomicUsize::new(0));
    let rt = Runtime::new().unwrap();
    let mut previous: Option<JoinHandle<()>> = None;
    let mut rng = Rng(0xd20b);
    let mut finishers = Vec::new();
    for i in 0..TASKS {
        let noisy = Noisy {
            drops: drops.clone(),
            abort: previous.take(),
        };
        let handle = rt.spawn(async move {
            let _noisy = noisy;
            std::future::pending::<()>().await
        });
        // Every other task holds the handle of the one before it.
        if i % 2 == 0 {
            previous = Some(handle);
        } else {
            finishers.push(handle);
        }
    }
    settle(&rt);
    // Some finish (aborted) before the drop, at scrambled keys.
    for _ in 0..TASKS / 4 {
        finishers.swap_remove(rng.below(finishers.len())).abort();
    }
    settle(&rt);
    drop(previous);
    drop(finishers);
    drop(rt);
    assert_eq!(
        drops.load(Ordering::Relaxed),
        TASKS,
        "every future dropped exactly once"
    );
}
