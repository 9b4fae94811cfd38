//! Unit tests of the loop's spare references to its shared half
//! (`Core::scheduler_ref`, `release_scheduler`).

use std::sync::Arc as StdArc;
use std::sync::Mutex as StdMutex;
use std::task::Waker;

use super::SPARE_REFS;
use crate::loom::sync::Arc;

#[test]
fn a_finished_tasks_reference_to_the_runtime_serves_the_next_spawn() {
    let rt = crate::Runtime::new().unwrap();
    let shared = rt.test_shared();
    rt.block_on(async {});
    let before = Arc::strong_count(&shared);
    // Spawned and finished one after the other: each task takes the
    // reference the one before it left behind.
    for _ in 0..100 {
        rt.block_on(async { crate::spawn(async {}).await.unwrap() });
        assert!(Arc::strong_count(&shared) <= before + 1);
    }
    // Many at once: the loop keeps at most `SPARE_REFS` of their
    // references when they finish; the others are dropped.
    rt.block_on(async {
        let handles: Vec<_> = (0..SPARE_REFS + 500)
            .map(|_| crate::spawn(async {}))
            .collect();
        for handle in handles {
            handle.await.unwrap();
        }
    });
    assert!(Arc::strong_count(&shared) <= before + SPARE_REFS);
    drop(rt);
    assert_eq!(
        Arc::strong_count(&shared),
        1,
        "the runtime's drop releases the spares"
    );
}

#[test]
fn a_task_freed_on_another_thread_drops_its_reference_there() {
    let rt = crate::Runtime::new().unwrap();
    let shared = rt.test_shared();
    let kept: StdArc<StdMutex<Option<Waker>>> = StdArc::default();
    let slot = kept.clone();
    rt.block_on(async move {
        crate::spawn(std::future::poll_fn(move |cx| {
            *slot.lock().unwrap() = Some(cx.waker().clone());
            std::task::Poll::Ready(())
        }))
        .await
        .unwrap();
    });
    drop(rt);
    // The task is finished but its waker keeps it (and so the shared half,
    // through its header and through the `block_on` waker left in its
    // join-waker cell) alive; freed on a thread with no loop, it drops both.
    assert!(Arc::strong_count(&shared) > 1);
    std::thread::spawn(move || drop(kept.lock().unwrap().take()))
        .join()
        .unwrap();
    assert_eq!(Arc::strong_count(&shared), 1);
}
