//! `coop::task::id()` / `try_id()` and `coop::task::Builder`: the id seen
//! inside a task is its `JoinHandle`'s, across awaits and next to other
//! tasks; outside a task there is none.

mod support;

use support::panic_message;

#[test]
fn each_task_sees_its_own_id_across_awaits() {
    coop::block_on(async {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                coop::spawn(async {
                    let before = coop::task::id();
                    coop::yield_now().await;
                    (before, coop::task::id())
                })
            })
            .collect();
        for handle in handles {
            let id = handle.id();
            let (before, after) = handle.await.unwrap();
            assert_eq!((before, after), (id, id));
        }
    });
}

#[test]
fn no_id_outside_a_task() {
    assert_eq!(coop::task::try_id(), None);
    coop::block_on(async {
        assert_eq!(coop::task::try_id(), None);
        coop::spawn(async {}).await.unwrap();
        // Still none after a task ran.
        assert_eq!(coop::task::try_id(), None);
    });
    let message = panic_message(|| {
        coop::task::id();
    });
    assert!(message.contains("try_id"), "{message}");
}

#[test]
fn named_tasks_run_like_any_other() {
    coop::block_on(async {
        let named = coop::task::Builder::new()
            .name("worker")
            .spawn(async { coop::task::id() });
        let id = named.id();
        assert_eq!(named.await.unwrap(), id);
    });
    // A name on a task that never finishes is dropped at shutdown.
    let rt = coop::Runtime::new().unwrap();
    rt.block_on(async {
        drop(
            coop::task::Builder::new()
                .name("forever")
                .spawn(std::future::pending::<()>()),
        );
    });
    drop(rt);
    let message = panic_message(|| {
        drop(coop::task::Builder::new().spawn(async {}));
    });
    assert!(message.contains("outside a coop runtime"), "{message}");
}
