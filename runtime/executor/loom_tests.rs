//! Loom model of the shutdown drain (`Core::shutdown`): a destructor that
//! shutdown runs spawns a task on the loop while another thread spawns one
//! through a `Handle`. What it checks, in every interleaving: both late
//! tasks are cancelled (their futures dropped exactly once, their handles
//! finished), and `join_blocking` on the other thread never hangs.

use std::future::pending;

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

/// Owned by a task's future; when shutdown drops that future, spawns a
/// task on the (still current) runtime and keeps its handle.
struct SpawnOnDrop {
    drops: Arc<AtomicUsize>,
    late: Arc<Mutex<Option<JoinHandle<()>>>>,
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
        let on_drop = SpawnOnDrop {
            drops: drops.clone(),
            late: late.clone(),
        };
        let owner = rt.spawn(async move {
            let _on_drop = on_drop;
            pending::<()>().await
        });
        let (handle, counted) = (rt.handle(), Counted(drops.clone()));
        let spawner = crate::loom::thread::spawn(move || {
            let task = handle.spawn(async move {
                let _counted = counted;
                pending::<()>().await
            });
            task.join_blocking()
        });
        rt.block_on(crate::yield_now());
        drop(rt);

        assert!(spawner.join().unwrap().unwrap_err().is_cancelled());
        let late = late.lock().take().expect("shutdown ran the destructor");
        assert!(late.is_finished(), "the task spawned while draining");
        assert!(owner.is_finished());
        assert_eq!(drops.load(Ordering::SeqCst), 2, "each future once");
    });
}
