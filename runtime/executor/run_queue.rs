//! The run queues: where a woken task waits for its turn.
//!
//! ```text
//!   wake on the loop's thread ──► LocalQueue  (VecDeque, no locks)  ──┐
//!                                                                     ├──► loop pops
//!   wake from another thread ──► RemoteQueue (Mutex<VecDeque>)  ─────┘
//!                                  + unpark the loop if it sleeps
//! ```
//!
//! Both are FIFO: a task that yields goes to the back and every other
//! runnable task gets a turn before it runs again. The loop alternates
//! between them fairly (see `executor/mod.rs`), so neither a flood of local
//! work nor a flood of remote wakes can starve the other.

use std::cell::RefCell;
use std::collections::VecDeque;

use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::loom::sync::Mutex;
use crate::task::TaskRef;

/// Above this capacity, an empty [`LocalQueue`] gives its buffer back.
const SHRINK_ABOVE: usize = 4096;
/// What an empty [`LocalQueue`] keeps when it shrinks.
const SHRINK_TO: usize = 1024;

/// Tasks woken on the loop's own thread. Loop-thread only.
///
/// A burst (a million tasks spawned at once) grows the buffer to a million
/// slots; once the burst has drained, `pop` finds the queue empty and
/// shrinks it back to [`SHRINK_TO`], so idle tasks do not keep paying 8
/// bytes each for a slot they no longer sit in. Checked only when `pop`
/// finds nothing, so the hot path pays nothing.
#[derive(Default)]
pub(crate) struct LocalQueue {
    queue: RefCell<VecDeque<TaskRef>>,
}

impl LocalQueue {
    pub(crate) fn push(&self, task: TaskRef) {
        self.queue.borrow_mut().push_back(task);
    }

    pub(crate) fn pop(&self) -> Option<TaskRef> {
        let mut queue = self.queue.borrow_mut();
        let task = queue.pop_front();
        if task.is_none() && queue.capacity() > SHRINK_ABOVE {
            queue.shrink_to(SHRINK_TO);
        }
        task
    }

    /// The buffer's capacity, in tasks (for tests).
    #[cfg(test)]
    fn capacity(&self) -> usize {
        self.queue.borrow().capacity()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.borrow().is_empty()
    }

    /// Empties the queue (at shutdown), releasing the queue references.
    pub(crate) fn clear(&self) {
        let drained: Vec<TaskRef> = self.queue.borrow_mut().drain(..).collect();
        drop(drained);
    }
}

/// Tasks woken (or spawned) from other threads.
pub(crate) struct RemoteQueue {
    inner: Mutex<Remote>,
    /// Mirror of the queue's length, so the loop can see "empty" without
    /// taking the lock on every turn.
    len: AtomicUsize,
}

struct Remote {
    queue: VecDeque<TaskRef>,
    /// Set at runtime shutdown: later pushes are refused.
    closed: bool,
}

impl RemoteQueue {
    pub(crate) fn new() -> RemoteQueue {
        RemoteQueue {
            inner: Mutex::new(Remote {
                queue: VecDeque::new(),
                closed: false,
            }),
            len: AtomicUsize::new(0),
        }
    }

    /// Pushes `task`, or hands it back if the runtime has shut down.
    pub(crate) fn push(&self, task: TaskRef) -> Result<(), TaskRef> {
        let mut remote = self.inner.lock();
        if remote.closed {
            return Err(task);
        }
        remote.queue.push_back(task);
        // SeqCst: pairs with the loop's `sleeping` store-then-check in
        // `Shared::prepare_park`, so one of the two always sees the other.
        self.len.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    pub(crate) fn pop(&self) -> Option<TaskRef> {
        if self.is_empty() {
            return None;
        }
        let mut remote = self.inner.lock();
        let task = remote.queue.pop_front();
        if task.is_some() {
            self.len.fetch_sub(1, Ordering::SeqCst);
        }
        task
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::SeqCst) == 0
    }

    /// Refuses further pushes and returns what was queued.
    pub(crate) fn close(&self) -> VecDeque<TaskRef> {
        let mut remote = self.inner.lock();
        remote.closed = true;
        self.len.store(0, Ordering::SeqCst);
        std::mem::take(&mut remote.queue)
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::{LocalQueue, SHRINK_ABOVE};
    use crate::blocking::PoolConfig;
    use crate::executor::Shared;
    use crate::loom::sync::Arc;
    use crate::park::Driver;
    use crate::task::{TaskId, TaskRef};

    /// `n` queue references to fresh tasks, with their other references
    /// (owned list, join side) to drop at the end.
    fn tasks(n: usize) -> (Vec<TaskRef>, Vec<TaskRef>) {
        let (_driver, unparker) = Driver::new().unwrap();
        let config = PoolConfig {
            max_threads: 1,
            keep_alive: std::time::Duration::ZERO,
            thread_name: Default::default(),
        };
        let shared = Arc::new(Shared::new(unparker, config));
        let (mut queued, mut rest) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let (owned, queue, join) = TaskRef::allocate(async {}, shared.clone(), TaskId::next());
            queued.push(queue);
            rest.extend([owned, join]);
        }
        (queued, rest)
    }

    #[test]
    fn a_drained_burst_gives_its_buffer_back_and_order_survives() {
        let queue = LocalQueue::default();
        let (queued, rest) = tasks(3 * SHRINK_ABOVE);
        let ids: Vec<TaskId> = queued.iter().map(|t| t.header().id).collect();
        for task in queued {
            queue.push(task);
        }
        assert!(queue.capacity() >= 3 * SHRINK_ABOVE);
        let mut popped = Vec::new();
        while let Some(task) = queue.pop() {
            // Not shrunk while tasks are still queued.
            assert!(queue.capacity() >= 3 * SHRINK_ABOVE || queue.is_empty());
            popped.push(task);
        }
        assert_eq!(
            popped.iter().map(|t| t.header().id).collect::<Vec<_>>(),
            ids
        );
        assert!(
            queue.capacity() <= SHRINK_ABOVE,
            "an empty queue kept {} slots",
            queue.capacity()
        );
        // Still FIFO after the shrink, across a regrowth.
        for task in popped {
            queue.push(task);
        }
        let again: Vec<TaskId> = std::iter::from_fn(|| queue.pop())
            .map(|t| t.header().id)
            .collect();
        assert_eq!(again, ids);
        drop(rest);
    }

    #[test]
    fn a_small_queue_keeps_its_buffer() {
        let queue = LocalQueue::default();
        let (queued, rest) = tasks(SHRINK_ABOVE);
        for task in queued {
            queue.push(task);
        }
        let cap = queue.capacity();
        let popped: Vec<TaskRef> = std::iter::from_fn(|| queue.pop()).collect();
        assert_eq!(popped.len(), SHRINK_ABOVE);
        assert_eq!(
            queue.capacity(),
            cap,
            "at the threshold, nothing is given back"
        );
        drop((popped, rest));
    }
}
