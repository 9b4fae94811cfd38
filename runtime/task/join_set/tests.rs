//! `JoinSet`'s cost: a completion costs O(1) handle polls.

use super::JoinSet;

#[test]
fn draining_a_set_polls_each_handle_about_twice_not_once_per_task_per_completion() {
    // Fewer under Miri, where polls are slow; still far from n²/2.
    const TASKS: u64 = if cfg!(miri) { 20 } else { 300 };
    let polls = crate::block_on(async {
        let mut set = JoinSet::new();
        for i in 0..TASKS {
            // Task i finishes after i yields: one completion per turn.
            set.spawn(async move {
                for _ in 0..i {
                    crate::yield_now().await;
                }
            });
        }
        let mut joined = 0;
        while let Some(out) = set.join_next().await {
            out.unwrap();
            joined += 1;
        }
        assert_eq!(joined, TASKS);
        set.polls
    });
    // One first poll (to hand over the waker) and one after the wake,
    // per task. Polling every handle per completion would be ~TASKS²/2.
    assert!(
        polls <= 2 * TASKS + 10,
        "{polls} handle polls for {TASKS} tasks"
    );
}
