//! The run queues (`run_queue.rs`) checked against a model, with proptest:
//! random pushes and pops on the local and the remote queue, clears and
//! the remote queue's close.
//!
//! ```text
//!   ops ──► LocalQueue + RemoteQueue (the code, real TaskRefs) ──► popped ids ┐
//!      └──► two VecDeque<id> + a closed flag                   ──► expected   ┴─ equal?
//! ```
//!
//! The local queue is modelled under each [`QueuePolicy`]: FIFO pops the
//! oldest push, LIFO the newest, and Random some task that is queued (a
//! multiset: the model checks membership, and that the same seed makes the
//! same picks). The remote queue is FIFO: a push to a closed remote queue
//! is handed back (the caller cancels the task); `close` returns what was
//! queued, in order; `is_empty` agrees. Each entry is a real task
//! reference, identified by its task id, and every reference is released
//! at the end.
//!
//! Not modelled here: the loop's alternation between the two queues
//! (`executor/mod.rs`, covered by `tests/scheduling.rs`).
//!
//! `PROPTEST_CASES` overrides the case count (256 here).

use std::collections::VecDeque;

use proptest::prelude::*;

use super::run_queue::{LocalQueue, RemoteQueue};
use super::QueuePolicy;
use crate::observe::Origin;
use crate::task::{TaskId, TaskRef, WakeSource};

#[derive(Debug, Clone, Copy)]
enum Op {
    PushLocal,
    PopLocal,
    ClearLocal,
    PushRemote,
    PopRemote,
    CloseRemote,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::PushLocal),
        3 => Just(Op::PopLocal),
        1 => Just(Op::ClearLocal),
        4 => Just(Op::PushRemote),
        3 => Just(Op::PopRemote),
        1 => Just(Op::CloseRemote),
    ]
}

/// A fresh task on `shared`'s runtime: its queue reference, plus its other
/// two references (owned list, handle) kept aside until the end.
fn task(keep: &mut Vec<TaskRef>) -> (TaskRef, TaskId) {
    let shared = crate::context::current_shared().expect("inside block_on");
    let id = TaskId::next();
    let (owned, queue, handle) = TaskRef::allocate(async {}, shared, id);
    keep.extend([owned, handle]);
    (queue, id)
}

fn run(policy: QueuePolicy, ops: Vec<Op>) -> Result<Vec<TaskId>, TestCaseError> {
    let local = LocalQueue::new(policy);
    // Every id the local queue handed out, in order (for the replay check).
    let mut picks = Vec::new();
    let remote = RemoteQueue::new();
    let (mut local_model, mut remote_model) = (VecDeque::new(), VecDeque::new());
    let mut closed = false;
    let mut keep = Vec::new();
    for op in ops {
        match op {
            Op::PushLocal => {
                let (t, id) = task(&mut keep);
                local.push(t);
                local_model.push_back(id);
            }
            Op::PopLocal => {
                let got = local.pop().map(|t| t.header().id);
                match policy {
                    QueuePolicy::Fifo => prop_assert_eq!(got, local_model.pop_front()),
                    QueuePolicy::Lifo => prop_assert_eq!(got, local_model.pop_back()),
                    _ => match got {
                        None => {
                            prop_assert!(local_model.is_empty(), "a non-empty queue gave nothing")
                        }
                        Some(id) => {
                            let at = local_model.iter().position(|&m| m == id);
                            prop_assert!(
                                at.is_some(),
                                "popped a task that was not queued (or twice)"
                            );
                            local_model.remove(at.unwrap());
                        }
                    },
                }
                picks.extend(got);
            }
            Op::ClearLocal => {
                local.clear();
                local_model.clear();
            }
            Op::PushRemote => {
                let (t, id) = task(&mut keep);
                match remote.push(t, Origin::Woken(WakeSource::Remote)) {
                    Ok(()) => {
                        prop_assert!(!closed, "a closed queue took a task");
                        remote_model.push_back(id);
                    }
                    Err(back) => {
                        prop_assert!(closed, "an open queue refused a task");
                        prop_assert_eq!(back.header().id, id, "handed back another task");
                    }
                }
            }
            Op::PopRemote => {
                let got = remote.pop().map(|(t, _)| t.header().id);
                prop_assert_eq!(got, remote_model.pop_front());
            }
            Op::CloseRemote => {
                let drained: Vec<TaskId> = remote.close().iter().map(|t| t.header().id).collect();
                prop_assert_eq!(drained, Vec::from(std::mem::take(&mut remote_model)));
                closed = true;
            }
        }
        prop_assert_eq!(local.is_empty(), local_model.is_empty());
        prop_assert_eq!(remote.is_empty(), remote_model.is_empty());
    }
    local.clear();
    drop(remote.close());
    drop(keep);
    Ok(picks)
}

/// The local pops of `ops`, each as its rank among the popped ids (ids grow
/// with push order), so two runs, whose task ids differ, can be compared.
fn positions(policy: QueuePolicy, ops: &[Op]) -> Result<Vec<usize>, TestCaseError> {
    let rt = crate::Runtime::new().unwrap();
    let picks = rt.block_on(async { run(policy, ops.to_vec()) })?;
    let mut sorted = picks.clone();
    sorted.sort();
    Ok(picks
        .iter()
        .map(|id| sorted.binary_search(id).unwrap())
        .collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn local_and_remote_queues_are_fifo_like_a_vecdeque(ops in prop::collection::vec(op(), 1..200)) {
        let rt = crate::Runtime::new().unwrap();
        rt.block_on(async { run(QueuePolicy::Fifo, ops) })?;
    }

    #[test]
    fn a_lifo_local_queue_pops_like_a_stack(ops in prop::collection::vec(op(), 1..200)) {
        let rt = crate::Runtime::new().unwrap();
        rt.block_on(async { run(QueuePolicy::Lifo, ops) })?;
    }

    #[test]
    fn a_random_local_queue_pops_each_task_once_and_replays_by_seed(
        ops in prop::collection::vec(op(), 1..200),
        seed in any::<u64>(),
    ) {
        let policy = QueuePolicy::Random { seed };
        prop_assert_eq!(positions(policy, &ops)?, positions(policy, &ops)?);
    }
}
