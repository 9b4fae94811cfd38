//! Loom model of the shutdown drain (`Core::shutdown`): a destructor that
//! shutdown runs (a join waker freed while the run queue is emptied, after
//! every task was cancelled) spawns a task on the loop while another thread
//! spawns one through a `Handle`. What it checks, in every interleaving:
//! both late tasks are cancelled (their futures dropped exactly once, their
//! handles finished), and `join_blocking` on the other thread never hangs.

use std::future::{pending, Future};

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::{Arc, Mutex};
use crate::{JoinHandle, Runtime};

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A join waker whose `Drop` spawns a task on the (still current) runtime
/// and keeps its handle: the recipe of issue 13.1. Shutdown frees the task
/// holding it while it empties the run queue, after the task list is done.
struct SpawnOnDrop {
    drops: Arc<AtomicUsize>,
    late: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl std::task::Wake for SpawnOnDrop {
    fn wake(self: std::sync::Arc<Self>) {}
}

impl Drop for SpawnOnDrop {
    fn drop(&mut self) {
        let counted = Counted(self.drops.clone());
        let late = crate::spawn(async move {
            let _counted = counted;
            pending::<()>().await
        });
        *self.late.lock() = Some(late);
    }
}

#[test]
fn a_spawn_during_the_shutdown_drain_racing_a_handle_spawn_is_cancelled() {
    loom::model(|| {
        let rt = Runtime::new().unwrap();
        let drops = Arc::new(AtomicUsize::new(0));
        let late = Arc::new(Mutex::new(None));
        // Never polled by the loop: only the run queue holds it at shutdown.
        let mut first = rt.spawn(pending::<()>());
        let waker = std::task::Waker::from(std::sync::Arc::new(SpawnOnDrop {
            drops: drops.clone(),
            late: late.clone(),
        }));
        let mut cx = std::task::Context::from_waker(&waker);
        assert!(std::pin::Pin::new(&mut first).poll(&mut cx).is_pending());
        drop((waker, first));

        let (handle, counted) = (rt.handle(), Counted(drops.clone()));
        let spawner = crate::loom::thread::spawn(move || {
            let task = handle.spawn(async move {
                let _counted = counted;
                pending::<()>().await
            });
            task.join_blocking()
        });
        drop(rt);

        assert!(spawner.join().unwrap().unwrap_err().is_cancelled());
        let late = late.lock().take().expect("shutdown freed the join waker");
        assert!(late.is_finished(), "the task spawned while draining");
        assert_eq!(drops.load(Ordering::SeqCst), 2, "each future once");
    });
}
