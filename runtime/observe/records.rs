//! Per-task facts for [`TaskSnapshot`]s: how often a task was polled, what
//! woke it last and where it was spawned.
//!
//! ```text
//!   task header (task/raw.rs):  polls: u32        += 1 per poll
//!                               loop word: u64 = [ site: 16 | task/: 8 | source: 40 ]
//!   here:                       sites: [ Location, … ]   (site → Location)
//!                               names: { TaskId → name }  (named tasks only)
//! ```
//!
//! The counts live in the task's own header, beside the state word the
//! loop touches on every poll anyway, so recording a poll or a wake is a
//! load and a store on a line already in cache: no table lookup, no borrow
//! flag, no bounds check. The header word packs the last wake source (a
//! task id, or a tag above every id, in the low 40 bits; see [`pack`]) and
//! the spawn site (an index into a small table of the spawn sites seen,
//! which are few: one per `spawn` call in the source) in the top 16. The
//! 8 bits between belong to the task module (its reference pool and claim
//! flag, `task/ref_pool.rs`), which shares the word; nothing here changes them.
//! Snapshots are the cold path: they walk the owned-task list and read each
//! header. Loop-thread only.
//!
//! [`TaskSnapshot`]: super::TaskSnapshot

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::panic::Location;

use crate::loom::sync::atomic::Ordering::Relaxed;
use crate::task::{TaskId, TaskRef, WakeSource};

/// One task's facts, read from its header.
#[derive(Clone, Copy)]
pub(crate) struct Record {
    woken: u64,
    polls: u32,
}

/// Tags sit above every task id that fits in the 40 source bits; an id
/// that does not (2^39 spawns in one process) is recorded as "unknown".
const TAG: u64 = 1 << 39;
const SITE_SHIFT: u32 = 48;
const SOURCE: u64 = (1 << 40) - 1;
/// The site index that says "more sites than fit; unknown".
const NO_SITE: u64 = 0xFFFF;

/// `Some(Task(id))`, packed: the id itself.
#[inline(always)]
pub(crate) fn pack_task(id: TaskId) -> u64 {
    let id = id.as_u64();
    if id < TAG {
        id
    } else {
        0
    }
}

/// A wake source packed into the low 40 bits of a word.
pub(crate) fn pack(source: Option<WakeSource>) -> u64 {
    match source {
        None => 0,
        Some(WakeSource::Task(id)) => pack_task(id),
        Some(WakeSource::Timer) => TAG + 1,
        Some(WakeSource::Io) => TAG + 2,
        Some(WakeSource::Remote) => TAG + 3,
        Some(WakeSource::Blocking) => TAG + 4,
        Some(WakeSource::BlockOn) => TAG + 5,
        Some(WakeSource::Spawn) => TAG + 6,
    }
}

/// The wake source a packed word stands for (its site bits ignored).
pub(crate) fn unpack(word: u64) -> Option<WakeSource> {
    Some(match word & SOURCE {
        0 => return None,
        id if id < TAG => WakeSource::Task(TaskId::from_u64(NonZeroU64::new(id)?)),
        w if w == TAG + 1 => WakeSource::Timer,
        w if w == TAG + 2 => WakeSource::Io,
        w if w == TAG + 3 => WakeSource::Remote,
        w if w == TAG + 4 => WakeSource::Blocking,
        w if w == TAG + 5 => WakeSource::BlockOn,
        _ => WakeSource::Spawn,
    })
}

impl Record {
    pub(crate) fn polls(self) -> u64 {
        u64::from(self.polls)
    }

    pub(crate) fn woken_by(self) -> Option<WakeSource> {
        unpack(self.woken)
    }
}

/// Task `task` was polled once more (saturating at `u32::MAX`).
#[inline(always)]
pub(crate) fn polled(task: &TaskRef) {
    let polls = &task.header().polls;
    polls.store(polls.load(Relaxed).saturating_add(1), Relaxed);
}

/// Task `task` was woken by `source` (packed); its site bits stay.
#[inline(always)]
pub(crate) fn woken(task: &TaskRef, source: u64) {
    let word = task.header().pool.word();
    word.store((word.load(Relaxed) & !SOURCE) | source, Relaxed);
}

/// The facts task `task` holds.
pub(crate) fn get(task: &TaskRef) -> Record {
    let header = task.header();
    Record {
        woken: header.pool.word().load(Relaxed),
        polls: header.polls.load(Relaxed),
    }
}

/// The loop's spawn sites and task names.
pub(crate) struct Records {
    /// Spawn sites seen, and their index in `sites`.
    sites: RefCell<Vec<&'static Location<'static>>>,
    site_index: RefCell<HashMap<*const Location<'static>, u64>>,
    /// Names given through `coop::task::Builder`, kept apart so that an
    /// unnamed task pays nothing for them.
    names: RefCell<HashMap<TaskId, Box<str>>>,
    /// Whether any task was ever named: until then a completion skips the
    /// map (no borrow).
    named: Cell<bool>,
    /// The last site looked up and its index: a loop that spawns from one
    /// line in a row (the common case) skips the map.
    last_site: Cell<*const Location<'static>>,
    last_index: Cell<u64>,
}

impl Default for Records {
    fn default() -> Records {
        Records {
            sites: RefCell::default(),
            site_index: RefCell::default(),
            names: RefCell::default(),
            named: Cell::new(false),
            last_site: Cell::new(std::ptr::null()),
            last_index: Cell::new(NO_SITE),
        }
    }
}

impl Records {
    /// A task joins the loop: spawned at `at`, first woken by `first`
    /// (packed). Sets the observer's bits of its loop word; the task
    /// module's bits stay.
    #[inline(always)]
    pub(crate) fn bound(&self, task: &TaskRef, at: &'static Location<'static>, first: u64) {
        let ptr = at as *const Location<'static>;
        let site = if self.last_site.get() == ptr {
            self.last_index.get()
        } else {
            self.site(at)
        };
        let word = task.header().pool.word();
        let task_bits = word.load(Relaxed) & !(SOURCE | u64::MAX << SITE_SHIFT);
        word.store(task_bits | site << SITE_SHIFT | first, Relaxed);
    }

    #[cold]
    fn site(&self, at: &'static Location<'static>) -> u64 {
        let ptr = at as *const Location<'static>;
        let index = *self.site_index.borrow_mut().entry(ptr).or_insert_with(|| {
            let mut sites = self.sites.borrow_mut();
            if (sites.len() as u64) < NO_SITE {
                sites.push(at);
                sites.len() as u64 - 1
            } else {
                NO_SITE
            }
        });
        self.last_site.set(ptr);
        self.last_index.set(index);
        index
    }

    pub(crate) fn name(&self, id: TaskId, name: Box<str>) {
        self.named.set(true);
        self.names.borrow_mut().insert(id, name);
    }

    /// A copy of the name of task `id`, if it has one.
    pub(crate) fn name_of(&self, id: TaskId) -> Option<Box<str>> {
        self.names.borrow().get(&id).cloned()
    }

    /// Drops a finished task's name; one branch on a runtime that never
    /// named a task.
    #[inline(always)]
    pub(crate) fn remove(&self, id: TaskId) {
        if self.named.get() {
            self.names.borrow_mut().remove(&id);
        }
    }

    pub(crate) fn clear(&self) {
        self.names.borrow_mut().clear();
    }

    /// The spawn site of a record.
    pub(crate) fn site_of(&self, record: Record) -> Option<&'static Location<'static>> {
        let index = record.woken >> SITE_SHIFT;
        self.sites.borrow().get(index as usize).copied()
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn every_source_round_trips_through_its_packed_word() {
        let id = TaskId::from_u64(NonZeroU64::new(7).unwrap());
        for source in [
            None,
            Some(WakeSource::Task(id)),
            Some(WakeSource::Timer),
            Some(WakeSource::Io),
            Some(WakeSource::Remote),
            Some(WakeSource::Blocking),
            Some(WakeSource::BlockOn),
            Some(WakeSource::Spawn),
        ] {
            assert_eq!(unpack(pack(source)), source);
        }
    }

    #[test]
    fn a_tasks_word_keeps_its_site_across_wakes_and_counts_its_polls() {
        let rt = crate::Runtime::new().unwrap();
        let records = Records::default();
        let (a, b) = (Location::caller(), Location::caller());
        let tasks: Vec<_> = (0..3)
            .map(|_| {
                let handle = rt.spawn(std::future::pending::<()>());
                rt.run_until_stalled();
                handle
            })
            .collect();
        let refs = rt.test_task_refs();
        assert_eq!(refs.len(), tasks.len());
        let spawn = pack(Some(WakeSource::Spawn));
        records.bound(&refs[0], a, spawn);
        records.bound(&refs[1], b, spawn);
        records.bound(&refs[2], a, spawn);
        let before = get(&refs[1]).polls();
        polled(&refs[1]);
        polled(&refs[1]);
        woken(&refs[1], pack(Some(WakeSource::Timer)));
        let one = get(&refs[1]);
        assert_eq!(one.polls(), before + 2);
        assert_eq!(one.woken_by(), Some(WakeSource::Timer));
        assert!(std::ptr::eq(records.site_of(one).unwrap(), b));
        assert!(std::ptr::eq(records.site_of(get(&refs[2])).unwrap(), a));
        assert_eq!(get(&refs[2]).woken_by(), Some(WakeSource::Spawn));
        refs[0].header().polls.store(u32::MAX, Relaxed);
        polled(&refs[0]);
        assert_eq!(get(&refs[0]).polls(), u64::from(u32::MAX), "saturates");
    }
}
