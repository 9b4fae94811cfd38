//! The half of the executor that other threads may touch.
//!
//! A `Waker` is `Send + Sync`, so a task can be woken from any thread. Each
//! task's header holds an `Arc<Shared>` of its runtime; a wake from a thread
//! other than the loop's lands here: the task goes on the [`RemoteQueue`],
//! and if the loop is asleep it is unparked.
//!
//! `sleeping` says where the loop sleeps: `AWAKE`, or the [`ParkOn`] it
//! chose (the reactor while I/O sources are registered, else the condvar;
//! see `park.rs`). The sleep/wake handshake, which loses no wake-up:
//!
//! ```text
//!  loop (about to park on `on`)          other thread (waking a task)
//!  sleeping.swap(on)                     remote.push(task)
//!  fence(SeqCst)                         fence(SeqCst)
//!  if remote non-empty: don't park       match sleeping.swap(AWAKE):
//!  else park on `on`                       AWAKE: nothing (the loop will look)
//!  sleeping.swap(AWAKE)                    on:    unpark(on)
//! ```
//!
//! Whichever runs second sees the other's write: either the loop finds the
//! task before parking, or the waker finds the loop asleep and unparks the
//! very thing it sleeps on. Only the first wake of a sleep signals; while
//! the loop is awake a remote wake costs one lock and no system call.

use crate::blocking::{BlockingPool, PoolConfig};
use std::panic::Location;

use crate::loom::sync::atomic::{fence, AtomicU8, Ordering};
use crate::observe::Origin;
use crate::park::{ParkOn, Unparker};
use crate::task::TaskRef;
use crate::task::WakeSource;

use super::run_queue::RemoteQueue;

/// `Shared::sleeping` while the loop is not parked.
const AWAKE: u8 = 0;

/// The thread-safe state of one runtime.
pub(crate) struct Shared {
    /// This runtime's id, unique in the process.
    pub(crate) id: u64,
    pub(crate) remote: RemoteQueue,
    /// `AWAKE`, or where the loop sleeps (a [`ParkOn`] as `u8`) while it
    /// is parked with a timeout other than zero.
    sleeping: AtomicU8,
    unparker: Unparker,
    /// The threads `spawn_blocking` runs jobs on (`blocking/`).
    pub(crate) blocking: BlockingPool,
}

impl Shared {
    pub(crate) fn new(unparker: Unparker, pool: PoolConfig) -> Shared {
        Shared {
            id: crate::loom::next_unique_id(),
            remote: RemoteQueue::new(),
            sleeping: AtomicU8::new(AWAKE),
            unparker,
            blocking: BlockingPool::new(pool),
        }
    }

    /// Queues a task woken on another thread and wakes the loop. The wake
    /// source (the blocking pool, or another thread) travels with it.
    pub(crate) fn push_remote(&self, task: TaskRef, source: WakeSource) {
        match self.remote.push(task, Origin::Woken(source)) {
            Ok(()) => self.unpark(),
            // The runtime is gone: its tasks were all cancelled, so there is
            // nothing to run. Dropping the reference is all that is left.
            Err(task) => drop(task),
        }
    }

    /// Queues a task spawned on another thread (`Handle::spawn`); the loop
    /// binds it when it first pops it. If the runtime has shut down, the
    /// task is cancelled here, so its `JoinHandle` reports that instead of
    /// waiting forever; its future is `Send`, so dropping it on this thread
    /// is fine.
    pub(crate) fn spawn_remote(&self, task: TaskRef, at: &'static Location<'static>) {
        match self.remote.push(task, Origin::Spawned(at)) {
            Ok(()) => self.unpark(),
            Err(task) => {
                task.shutdown();
            }
        }
    }

    /// Wakes the loop if it is (about to be) asleep.
    pub(crate) fn unpark(&self) {
        // The fence orders the caller's write (a queued task, a `woken`
        // flag) before the read of `sleeping`; it pairs with the fence in
        // `prepare_park`. (SeqCst accesses alone would do in C++'s model, but
        // loom checks the fence form, and on x86 the swap is a fence anyway.)
        fence(Ordering::SeqCst);
        match self.sleeping.swap(AWAKE, Ordering::SeqCst) {
            AWAKE => {}
            on if on == ParkOn::Reactor as u8 => self.unparker.unpark(ParkOn::Reactor),
            _ => self.unparker.unpark(ParkOn::Condvar),
        }
    }

    /// The loop announces it is going to sleep on `on`. Returns `false` if
    /// work arrived meanwhile (or `has_work` says so): then it must not
    /// sleep.
    pub(crate) fn prepare_park(&self, on: ParkOn, has_work: impl Fn() -> bool) -> bool {
        // Swaps rather than stores: see `Woken` in `executor/mod.rs` for why
        // loom needs every write here to be a read-modify-write.
        self.sleeping.swap(on as u8, Ordering::SeqCst);
        // Pairs with the fence in `unpark`: either this thread sees the new
        // work below, or the waker sees `sleeping` and unparks.
        fence(Ordering::SeqCst);
        if !self.remote.is_empty() || has_work() {
            self.sleeping.swap(AWAKE, Ordering::SeqCst);
            return false;
        }
        true
    }

    /// The loop is awake again.
    pub(crate) fn after_park(&self) {
        self.sleeping.swap(AWAKE, Ordering::SeqCst);
    }
}

#[cfg(all(test, loom))]
mod loom_tests {
    use super::Shared;
    use crate::blocking::PoolConfig;
    use crate::loom::sync::Arc;
    use crate::park::{Driver, ParkOn};
    use crate::task::{TaskId, TaskRef, WakeSource};

    fn shared_with_driver() -> (Driver, Arc<Shared>) {
        let (driver, unparker) = Driver::new().unwrap();
        let config = PoolConfig {
            max_threads: 1,
            keep_alive: std::time::Duration::ZERO,
            thread_name: Default::default(),
        };
        (driver, Arc::new(Shared::new(unparker, config)))
    }

    /// A task ready to be pushed from another thread (its queue reference)
    /// and its join side.
    fn task(shared: &Arc<Shared>) -> (TaskRef, TaskRef) {
        let (unbound, queued, join) = TaskRef::allocate(async {}, shared.clone(), TaskId::next());
        drop(unbound);
        (queued, join)
    }

    /// The loop going to sleep races with a wake from another thread: the
    /// loop either sees the task before parking or is unparked. A lost wake
    /// would leave the loop parked forever, which loom reports as a deadlock.
    /// Checked for both places the loop sleeps.
    #[test]
    fn a_remote_wake_racing_with_park_is_never_lost() {
        for has_sources in [false, true] {
            loom::model(move || {
                let (mut driver, shared) = shared_with_driver();
                driver.loom_has_sources = has_sources;
                let (queued, join) = task(&shared);
                let remote = shared.clone();
                let waker = crate::loom::thread::spawn(move || {
                    remote.push_remote(queued, WakeSource::Remote)
                });

                let on = driver.park_on();
                if shared.prepare_park(on, || false) {
                    driver.park(on, None);
                    shared.after_park();
                }
                let (task, _) = shared.remote.pop().expect("the woken task is in the queue");
                waker.join().unwrap();
                assert!(shared.remote.is_empty());
                // Release the references (the queue entry and the join side).
                drop(shared.remote.close());
                drop((task, join));
            });
        }
    }

    /// Two wakes in a row while the loop switches from the condvar to the
    /// reactor between its parks (a socket was registered meanwhile): a
    /// wake that signalled the condvar late must not stand in for one the
    /// reactor needs, nor the other way round.
    #[test]
    fn wakes_are_not_lost_when_the_loop_changes_where_it_sleeps() {
        loom::model(|| {
            let (mut driver, shared) = shared_with_driver();
            let (first, join1) = task(&shared);
            let (second, join2) = task(&shared);
            let remote = shared.clone();
            let waker = crate::loom::thread::spawn(move || {
                remote.push_remote(first, WakeSource::Remote);
                remote.push_remote(second, WakeSource::Remote);
            });

            let mut popped = Vec::new();
            while popped.len() < 2 {
                let on = driver.park_on();
                debug_assert_eq!(on == ParkOn::Reactor, driver.loom_has_sources);
                if shared.prepare_park(on, || false) {
                    driver.park(on, None);
                    shared.after_park();
                }
                while let Some((task, _)) = shared.remote.pop() {
                    popped.push(task);
                }
                driver.loom_has_sources = true;
            }
            waker.join().unwrap();
            drop(shared.remote.close());
            drop((popped, join1, join2));
        });
    }
}
