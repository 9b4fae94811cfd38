//! The loop's list of every live task bound to it, so that shutdown can
//! drop them all (a task nobody will ever wake would otherwise leak).
//!
//! ```text
//!   tasks: [ t0 | t1 | t2 | t3 ]        each task's header keeps its key
//!   release(t1): swap-remove key 1 ──►  [ t0 | t3 | t2 ]   t3.owned_key = 1
//!   close():     limit = 0, take [ t0 | t3 | t2 ]        bind(t4) ──► Err(t4)
//! ```
//!
//! One word per task (a counted reference), no free list, O(1) insert and
//! remove: removal moves the last task into the hole and updates that
//! task's key. The words live in fixed-size chunks (`chunks.rs`), not one
//! `Vec`, so the list never copies itself and its slack stays one chunk
//! whatever the count: memory per task is flat from 10k to 10M tasks.
//! Loop-thread only (a `RefCell`, so the compiler keeps it there).
//!
//! Shutdown *closes* the list before it cancels what it holds. A task bound
//! after that (spawned from a destructor that shutdown runs, say) is handed
//! back and the caller cancels it on the spot, on the loop's thread: nothing
//! can join the list after the drain and outlive it uncancelled.

use std::cell::{Cell, RefCell};

use super::chunks::{Chunks, Drained};
use crate::task::{TaskId, TaskRef, UNBOUND};

/// Tasks per chunk: 1024 words, 8 KiB. Small enough that the slack of one
/// chunk is under 1 B per task from 10k tasks up, large enough that the
/// table of chunks is negligible (3 words per 1024 tasks).
const CHUNK_SHIFT: u32 = 10;

pub(crate) struct OwnedTasks {
    tasks: RefCell<Chunks<TaskRef, CHUNK_SHIFT>>,
    /// `bind` refuses once the list holds this many tasks: `UNBOUND` (a
    /// key must fit the header's 32 bits), or 0 from shutdown on. One
    /// compare on every spawn checks both.
    limit: Cell<usize>,
}

impl Default for OwnedTasks {
    fn default() -> Self {
        OwnedTasks {
            tasks: RefCell::default(),
            limit: Cell::new(UNBOUND),
        }
    }
}

impl OwnedTasks {
    /// Adds `task` (a counted reference the list now holds), or hands it
    /// back if the list is closed: the caller must then cancel the task.
    #[inline(always)]
    pub(crate) fn bind(&self, task: TaskRef) -> Result<(), TaskRef> {
        let mut tasks = self.tasks.borrow_mut();
        if tasks.len() >= self.limit.get() {
            return self.refuse(task);
        }
        tasks.push(task, |task, key| task.set_owned_key(key));
        Ok(())
    }

    /// `bind` past the limit: the list is closed (the task goes back to be
    /// cancelled), or full.
    #[cold]
    #[inline(never)]
    fn refuse(&self, task: TaskRef) -> Result<(), TaskRef> {
        assert!(
            self.limit.get() == 0,
            "coop: a loop holds at most {UNBOUND} live tasks; spawn fewer at once \
             (await some before spawning more)"
        );
        Err(task)
    }

    /// Removes a finished task and returns the list's reference to it, for
    /// the caller to drop outside the borrow. `None` if it was not bound.
    #[inline]
    pub(crate) fn release(&self, task: &TaskRef) -> Option<TaskRef> {
        let key = task.owned_key();
        if key == UNBOUND {
            return None;
        }
        task.set_owned_key(UNBOUND);
        let mut tasks = self.tasks.borrow_mut();
        let (removed, moved) = tasks.swap_remove(key);
        if let Some(moved) = moved {
            moved.set_owned_key(key);
        }
        Some(removed)
    }

    /// Closes the list (at shutdown) and empties it, marking every task
    /// unbound: later binds are refused. The caller iterates what it gets
    /// (`for task in &drained`) and drops it to release the references.
    pub(crate) fn close(&self) -> Drained<TaskRef> {
        self.limit.set(0);
        let tasks = self.tasks.borrow_mut().take();
        for task in &tasks {
            task.set_owned_key(UNBOUND);
        }
        tasks
    }

    /// Calls `f` with each task and its key, collecting the results.
    pub(crate) fn with_each<T>(&self, mut f: impl FnMut(usize, &TaskRef) -> T) -> Vec<T> {
        let tasks = self.tasks.borrow();
        tasks
            .iter()
            .enumerate()
            .map(|(key, task)| f(key, task))
            .collect()
    }

    /// Calls `f` with the task whose id is `id`, if it is in the list. A
    /// walk of the list: only the (rare) slow-poll warning asks.
    #[cold]
    pub(crate) fn find<T>(&self, id: TaskId, f: impl FnOnce(&TaskRef) -> T) -> Option<T> {
        let tasks = self.tasks.borrow();
        let found = tasks.iter().find(|task| task.header().id == id);
        found.map(f)
    }

    pub(crate) fn len(&self) -> usize {
        self.tasks.borrow().len()
    }
}
