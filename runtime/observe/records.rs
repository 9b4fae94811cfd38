//! The per-task side table: where each live task was spawned, how often it
//! was polled and what woke it last, for [`TaskSnapshot`]s.
//!
//! ```text
//!   owned list (executor/owned.rs):  [ t0 | t1 | t2 ]   t.owned_key = index
//!   records (here):                  [ r0 | r1 | r2 ]   same index, same moves
//! ```
//!
//! It lives beside the task, not in its allocation, so an idle task's
//! memory grows by one record only: 16 bytes. A record packs the last wake
//! source into one word (a task id, or a tag above every id) and the poll
//! count and the spawn site into the other (the site as an index into a
//! small table of the spawn sites seen, which are few: one per `spawn`
//! call in the source). Both lists push at the end and `swap_remove` at
//! the same key, so they stay in step. Loop-thread only.
//!
//! [`TaskSnapshot`]: super::TaskSnapshot

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::num::NonZeroU64;
use std::panic::Location;

use crate::task::{TaskId, WakeSource};

/// One task's record, packed into two words.
#[derive(Clone, Copy)]
pub(crate) struct Record {
    /// 0: never woken; below `TAG`: `Task(id)`; else `TAG + n` for the
    /// other sources (see [`pack`]).
    woken_by: u64,
    /// Polls in the low 48 bits (saturating), spawn site index in the top 16.
    polls_site: u64,
}

const TAG: u64 = 1 << 63;
const POLL_BITS: u32 = 48;
const POLLS: u64 = (1 << POLL_BITS) - 1;
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

/// A wake source packed into one word.
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

/// The wake source a packed word stands for.
pub(crate) fn unpack(word: u64) -> Option<WakeSource> {
    Some(match word {
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
        self.polls_site & POLLS
    }

    pub(crate) fn woken_by(self) -> Option<WakeSource> {
        unpack(self.woken_by)
    }
}

/// The table, indexed like the owned-task list.
pub(crate) struct Records {
    records: RefCell<Vec<Record>>,
    /// Spawn sites seen, and their index in `sites`.
    sites: RefCell<Vec<&'static Location<'static>>>,
    site_index: RefCell<HashMap<*const Location<'static>, u64>>,
    /// Names given through `coop::task::Builder`, kept apart so that an
    /// unnamed task pays nothing for them.
    names: RefCell<HashMap<TaskId, Box<str>>>,
    /// The last site looked up and its index: a loop that spawns from one
    /// line in a row (the common case) skips the map.
    last_site: Cell<*const Location<'static>>,
    last_index: Cell<u64>,
}

impl Default for Records {
    fn default() -> Records {
        Records {
            records: RefCell::default(),
            sites: RefCell::default(),
            site_index: RefCell::default(),
            names: RefCell::default(),
            last_site: Cell::new(std::ptr::null()),
            last_index: Cell::new(NO_SITE),
        }
    }
}

impl Records {
    /// A new task's record, first woken by `first` (packed).
    #[inline(always)]
    pub(crate) fn push(&self, at: &'static Location<'static>, first: u64) {
        let ptr = at as *const Location<'static>;
        let site = if self.last_site.get() == ptr {
            self.last_index.get()
        } else {
            self.site(at)
        };
        self.records.borrow_mut().push(Record {
            woken_by: first,
            polls_site: site << POLL_BITS,
        });
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
        self.names.borrow_mut().insert(id, name);
    }

    /// A copy of the name of task `id`, if it has one.
    pub(crate) fn name_of(&self, id: TaskId) -> Option<Box<str>> {
        self.names.borrow().get(&id).cloned()
    }

    /// Drops a finished task's record (at `key`) and name; one branch for
    /// the name on a runtime that names no task.
    pub(crate) fn remove(&self, key: usize, id: TaskId) {
        if !self.names.borrow().is_empty() {
            self.names.borrow_mut().remove(&id);
        }
        self.swap_remove(key);
    }

    fn swap_remove(&self, key: usize) {
        let mut records = self.records.borrow_mut();
        if key < records.len() {
            records.swap_remove(key);
        }
    }

    pub(crate) fn clear(&self) {
        self.records.borrow_mut().clear();
        self.names.borrow_mut().clear();
    }

    /// Task at `key` was polled once more (and, if `woken` is a packed
    /// source, woken during that poll).
    #[inline(always)]
    pub(crate) fn polled(&self, key: usize, woken: Option<u64>) {
        if let Some(record) = self.records.borrow_mut().get_mut(key) {
            if record.polls_site & POLLS != POLLS {
                record.polls_site += 1;
            }
            if let Some(source) = woken {
                record.woken_by = source;
            }
        }
    }

    /// Task at `key` was woken by `source` (packed).
    #[inline(always)]
    pub(crate) fn woken(&self, key: usize, source: u64) {
        if let Some(record) = self.records.borrow_mut().get_mut(key) {
            record.woken_by = source;
        }
    }

    /// The record at `key`.
    pub(crate) fn get(&self, key: usize) -> Option<Record> {
        self.records.borrow().get(key).copied()
    }

    /// The spawn site of a record.
    pub(crate) fn site_of(&self, record: Record) -> Option<&'static Location<'static>> {
        let index = record.polls_site >> POLL_BITS;
        self.sites.borrow().get(index as usize).copied()
    }

    /// The spawn site of the task at `key`.
    pub(crate) fn location_of(&self, key: usize) -> Option<&'static Location<'static>> {
        self.get(key).and_then(|record| self.site_of(record))
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
    fn records_follow_the_owned_lists_swap_remove_and_keep_their_sites() {
        let records = Records::default();
        let (a, b) = (Location::caller(), Location::caller());
        let spawn = pack(Some(WakeSource::Spawn));
        records.push(a, spawn);
        records.push(b, spawn);
        records.push(a, spawn);
        records.polled(1, None);
        records.polled(1, None);
        records.woken(1, pack(Some(WakeSource::Timer)));
        records.swap_remove(0);
        // The record of slot 1 stayed; slot 2's moved to 0.
        let moved = records.get(1).unwrap();
        assert_eq!(moved.polls(), 2);
        assert_eq!(moved.woken_by(), Some(WakeSource::Timer));
        assert!(std::ptr::eq(records.site_of(moved).unwrap(), b));
        assert!(std::ptr::eq(records.location_of(0).unwrap(), a));
        assert_eq!(records.get(0).unwrap().polls(), 0);
    }
}
