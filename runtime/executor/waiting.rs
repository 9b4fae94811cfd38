//! What each waiting task waits on, worked out when a snapshot is taken
//! ([`TaskSnapshot::waiting_on`](crate::task::TaskSnapshot::waiting_on)),
//! never while the loop runs.
//!
//! The loop does not record where a task leaves its waker: that would cost
//! every poll a write. Instead a snapshot makes each waiting task's waker
//! (the same value the loop polls it with, `waker_ref`: no reference-count
//! change) and looks for it, with [`Waker::will_wake`], in the three places
//! the runtime owns:
//!
//! ```text
//!   Core::timers    pending timers          deadline     ─► Timer { deadline }
//!   Core::io        each source's waiters   read / write ─► Io { readable, writable }
//!   Core::owned     each task's join waker  that task    ─► Task(its id)
//! ```
//!
//! Cost, paid by `Runtime::tasks` only: one comparison per (waiting task,
//! stored waker) pair, and one lock per registered socket. (A `Waker`'s
//! data pointer, which would allow a hash map instead, is stable only since
//! Rust 1.83; coop's MSRV is 1.80.)

use std::mem::ManuallyDrop;
use std::task::Waker;

use super::Core;
use crate::task::{waker_ref, WaitingOn};

/// The waiting tasks' wakers, and what has been found for each.
struct Search {
    /// `(index in the snapshot list, the task's waker)`.
    wakers: Vec<(usize, ManuallyDrop<Waker>)>,
    found: Vec<Option<WaitingOn>>,
}

impl Search {
    /// Notes that `waker`, found somewhere, stands for `what`.
    fn note(&mut self, waker: &Waker, what: WaitingOn) {
        let Some(&(i, _)) = self.wakers.iter().find(|(_, w)| w.will_wake(waker)) else {
            return;
        };
        let slot = &mut self.found[i];
        *slot = Some(slot.map_or(what, |seen| seen.merge(what)));
    }
}

impl Core {
    /// For the tasks in owned-list order, what each waits on; `waiting[i]`
    /// says whether task `i` is waiting (the others get `None`). Runs no
    /// user code: it compares wakers, it does not wake, clone or drop any.
    pub(super) fn waiting_on(&self, waiting: &[bool]) -> Vec<Option<WaitingOn>> {
        let mut search = Search {
            wakers: Vec::new(),
            found: vec![None; waiting.len()],
        };
        self.owned.with_each(|i, task| {
            if waiting.get(i) == Some(&true) {
                // Valid while the owned list holds the task: for this whole
                // call, since nothing here can finish or free a task.
                search.wakers.push((i, waker_ref(task)));
            }
        });
        if search.wakers.is_empty() {
            return search.found;
        }
        // A snapshot taken from inside a timer call-out finds the heap
        // borrowed: it then leaves timers out rather than panic.
        if let Ok(timers) = self.timers.try_borrow() {
            for (deadline, waker) in timers.pending() {
                search.note(waker, WaitingOn::Timer { deadline });
            }
        }
        #[cfg(not(loom))]
        {
            use crate::reactor::Direction;
            let sources = self.io.sources();
            for io in &sources {
                io.for_each_waiter(|direction, waker| {
                    let what = WaitingOn::Io {
                        readable: direction == Direction::Read,
                        writable: direction == Direction::Write,
                    };
                    search.note(waker, what);
                });
            }
        }
        self.owned.with_each(|_, task| {
            let id = task.header().id;
            task.peek_join_waker(|waker| search.note(waker, WaitingOn::Task(id)));
        });
        search.found
    }
}
