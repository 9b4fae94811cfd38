//! Loom models of `JoinSet`'s ready list: a task finishing on another
//! thread (a blocking job on a pool thread) queues its entry and wakes the
//! waiting `join_next` while the loop may be registering that very waiter
//! (see the `waiter` field in `join_set.rs`). No output is lost, none comes
//! back twice, and the loop never sleeps through the wake.

use super::JoinSet;
use crate::Builder;

#[test]
fn a_job_finishing_on_a_pool_thread_wakes_join_next() {
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(1).build().unwrap();
        let out = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn_blocking(|| 7);
            let first = set.join_next().await.map(Result::unwrap);
            (first, set.join_next().await.is_none())
        });
        assert_eq!(out, (Some(7), true));
        drop(rt);
    });
}

#[test]
fn two_jobs_on_two_threads_each_come_back_once() {
    loom::model(|| {
        let rt = Builder::new().max_blocking_threads(2).build().unwrap();
        let mut got = rt.block_on(async {
            let mut set = JoinSet::new();
            set.spawn_blocking(|| 1);
            set.spawn_blocking(|| 2);
            let mut got = Vec::new();
            while let Some(out) = set.join_next().await {
                got.push(out.unwrap());
            }
            got
        });
        got.sort();
        assert_eq!(got, [1, 2]);
        drop(rt);
    });
}
