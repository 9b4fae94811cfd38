//! The run queues (`run_queue.rs`) checked against a model, with proptest:
//! random pushes and pops on the local and the remote queue, clears and
//! the remote queue's close.
//!
//! ```text
//!   ops ──► LocalQueue + RemoteQueue (the code, real TaskRefs) ──► popped ids ┐
//!      └──► two VecDeque<id> + a closed flag                   ──► expected   ┴─ equal?
//! ```
//!
//! Both queues are FIFO today, so the model is two `VecDeque`s: a pop
//! returns the oldest push of that queue; a push to a closed remote queue
//! is handed back (the caller cancels the task); `close` returns what was
//! queued, in order; `is_empty` agrees. Each entry is a real task
//! reference, identified by its task id, and every reference is released
//! at the end.
//!
//! Not modelled yet: the loop's alternation between the two queues
//! (`executor/mod.rs`, covered by `tests/scheduling.rs`), and the LIFO and
//! random pick policies the observe work adds: give each policy its own
//! model (a stack, a multiset) here when it lands.
//!
//! `PROPTEST_CASES` overrides the case count (256 here).

use std::collections::VecDeque;

use proptest::prelude::*;

use super::run_queue::{LocalQueue, RemoteQueue};
use crate::task::{TaskId, TaskRef};

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

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let local = LocalQueue::default();
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
                prop_assert_eq!(got, local_model.pop_front());
            }
            Op::ClearLocal => {
                local.clear();
                local_model.clear();
            }
            Op::PushRemote => {
                let (t, id) = task(&mut keep);
                match remote.push(t) {
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
                let got = remote.pop().map(|t| t.header().id);
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
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn local_and_remote_queues_are_fifo_like_a_vecdeque(ops in prop::collection::vec(op(), 1..200)) {
        let rt = crate::Runtime::new().unwrap();
        rt.block_on(async { run(ops) })?;
    }
}
