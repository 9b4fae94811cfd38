//! What each waiting task waits on, worked out when a snapshot is taken
//! ([`TaskSnapshot::waiting_on`](crate::task::TaskSnapshot::waiting_on)),
//! never while the loop runs.
//!
//! The loop does not record where a task leaves its waker: that would cost
//! every poll a write. Instead a snapshot makes each waiting task's waker
//! (the same value the loop polls it with, `waker_ref`: no reference-count
//! change) and looks for it in the three places the runtime owns:
//!
//! ```text
//!   Core::timers    pending timers          deadline     ─► Timer { deadline }
//!   Core::io        each source's waiters   read / write ─► Io { readable, writable }
//!   Core::owned     each task's join waker  that task    ─► Task(its id)
//! ```
//!
//! Two wakers wake the same task when their data and vtable pointers are
//! equal (that is what [`Waker::will_wake`] compares). Built with Rust 1.83
//! or later, the snapshot reads those pointers ([`Waker::data`],
//! [`Waker::vtable`]) and finds each stored waker's task in a hash map:
//! one lookup per stored waker (a snapshot of 100,000 sleeping tasks takes
//! about 11 ms, all of it included). On older compilers (coop's MSRV is
//! 1.80) it compares each stored waker with every waiting task's,
//! `will_wake` one pair at a time: about 13 ms for 10,000 sleeping tasks,
//! and quadratic beyond. Either way the cost falls on `Runtime::tasks`,
//! plus one lock per registered socket, and on nothing else.

use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::task::Waker;

use super::Core;
use crate::task::{waker_ref, WaitingOn};

/// The pointers that make a waker's identity, where the compiler lets us
/// read them.
#[rustversion::since(1.83)]
fn identity(waker: &Waker) -> Option<(usize, usize)> {
    Some((
        waker.data() as usize,
        waker.vtable() as *const std::task::RawWakerVTable as usize,
    ))
}

#[rustversion::before(1.83)]
fn identity(_: &Waker) -> Option<(usize, usize)> {
    None
}

/// The waiting tasks' wakers, and what has been found for each.
struct Search {
    /// `(index in the snapshot list, the task's waker)`.
    wakers: Vec<(usize, ManuallyDrop<Waker>)>,
    /// A waker's identity → its place in `wakers`; `None`: compare one by
    /// one.
    by_identity: Option<HashMap<(usize, usize), usize>>,
    found: Vec<Option<WaitingOn>>,
}

impl Search {
    fn new(wakers: Vec<(usize, ManuallyDrop<Waker>)>, tasks: usize) -> Search {
        let by_identity = wakers
            .iter()
            .enumerate()
            .map(|(at, (_, waker))| identity(waker).map(|id| (id, at)))
            .collect();
        Search {
            wakers,
            by_identity,
            found: vec![None; tasks],
        }
    }

    /// The snapshot index of the task `waker` wakes, if it is waiting.
    fn task_of(&self, waker: &Waker) -> Option<usize> {
        let at = match (&self.by_identity, identity(waker)) {
            (Some(map), Some(id)) => *map.get(&id)?,
            _ => self.wakers.iter().position(|(_, w)| w.will_wake(waker))?,
        };
        Some(self.wakers[at].0)
    }

    /// Notes that `waker`, found somewhere, stands for `what`.
    fn note(&mut self, waker: &Waker, what: WaitingOn) {
        if let Some(i) = self.task_of(waker) {
            let slot = &mut self.found[i];
            *slot = Some(slot.map_or(what, |seen| seen.merge(what)));
        }
    }
}

impl Core {
    /// For the tasks in owned-list order, what each waits on; `waiting[i]`
    /// says whether task `i` is waiting (the others get `None`). Runs no
    /// user code: it compares wakers, it does not wake, clone or drop any.
    pub(super) fn waiting_on(&self, waiting: &[bool]) -> Vec<Option<WaitingOn>> {
        let mut wakers = Vec::new();
        self.owned.with_each(|i, task| {
            if waiting.get(i) == Some(&true) {
                // Valid while the owned list holds the task: for this whole
                // call, since nothing here can finish or free a task.
                wakers.push((i, waker_ref(task)));
            }
        });
        if wakers.is_empty() {
            return vec![None; waiting.len()];
        }
        let mut search = Search::new(wakers, waiting.len());
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

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use crate::Runtime;

    /// The hash map and the one-by-one comparison find the same tasks.
    #[test]
    fn both_lookups_agree() {
        let rt = Runtime::new().unwrap();
        let handles: Vec<_> = (0..3)
            .map(|_| rt.spawn(std::future::pending::<()>()))
            .collect();
        let refs = rt.test_task_refs();
        let wakers = || {
            refs.iter()
                .enumerate()
                .skip(1) // task 0 is not waiting
                .map(|(i, t)| (i, waker_ref(t)))
                .collect::<Vec<_>>()
        };
        let hashed = Search::new(wakers(), refs.len());
        let mut linear = Search::new(wakers(), refs.len());
        linear.by_identity = None;
        for (i, task) in refs.iter().enumerate() {
            // A clone, as a timer or a socket would keep.
            let stored = (*waker_ref(task)).clone();
            let expected = (i > 0).then_some(i);
            assert_eq!(linear.task_of(&stored), expected);
            if identity(&stored).is_some() {
                assert_eq!(hashed.task_of(&stored), expected);
            }
        }
        let foreign = futures_task::noop_waker();
        assert_eq!(hashed.task_of(&foreign), None);
        assert_eq!(linear.task_of(&foreign), None);
        drop(refs);
        for h in handles {
            h.abort();
        }
        rt.run_until_stalled();
    }
}
