//! The registered sources: a slab of [`ScheduledIo`] records keyed by the
//! low bits of their token, with a generation in the high bits.
//!
//! ```text
//!   token = [ generation (40 bits) | slab key (24 bits) ]
//!   insert ─► key = slab.vacant_key(), generation += 1
//!   get(token)     ─► slab[key], only if its token is this one (same generation)
//!   release(&io)   ─► slab.remove(key), only if the slot still holds `io`
//! ```
//!
//! A socket dropped on another thread frees its slot while the loop may
//! hold an event for it and register a new socket in the same slot. The
//! generation keeps that old event off the new socket (`get`), and
//! `release` frees a slot only for the record in it, so a late second
//! release (a `Registration` dropped after its `deregister`) cannot free
//! the new socket's. The slab is mio-free and built under loom; the
//! models are in `loom_tests.rs`. `driver.rs` keeps it behind the
//! `IoHandle`'s lock.

use std::io;

use slab::Slab;

use super::scheduled_io::ScheduledIo;
use crate::loom::sync::Arc;

/// Slab keys use the low bits of a token; the rest is the generation.
const KEY_BITS: u32 = 24;
pub(crate) const KEY_MASK: usize = (1 << KEY_BITS) - 1;

/// The token of the `mio::Waker` that other threads use to unpark the
/// loop (`driver.rs`); never handed to a source.
pub(crate) const WAKER_TOKEN: usize = usize::MAX;

/// The sources of one reactor (behind `IoHandle`'s lock).
pub(super) struct Sources {
    slab: Slab<Arc<ScheduledIo>>,
    generation: usize,
    /// The reactor was dropped: no source may register any more.
    pub(super) shut_down: bool,
}

impl Sources {
    pub(super) fn new() -> Sources {
        Sources {
            slab: Slab::new(),
            generation: 0,
            shut_down: false,
        }
    }

    /// A record for a new source, with a token no live source has.
    pub(super) fn insert(&mut self) -> io::Result<Arc<ScheduledIo>> {
        let key = self.slab.vacant_key();
        if key > KEY_MASK {
            return Err(io::Error::other(
                "too many I/O sources registered with one coop runtime (16M)",
            ));
        }
        self.generation = self.generation.wrapping_add(1) & (usize::MAX >> KEY_BITS);
        let token = (self.generation << KEY_BITS) | key;
        // `usize::MAX` is the waker's token; never hand it out.
        let token = if token == WAKER_TOKEN { key } else { token };
        let io = Arc::new(ScheduledIo::new(token));
        let inserted = self.slab.insert(io.clone());
        debug_assert_eq!(inserted, key);
        Ok(io)
    }

    /// The record an event with `token` is for; `None` if that source is
    /// gone (a stale event: its slot may hold a newer source by now).
    #[inline]
    pub(super) fn get(&self, token: usize) -> Option<&Arc<ScheduledIo>> {
        self.slab
            .get(token & KEY_MASK)
            .filter(|io| io.token == token)
    }

    /// Frees `io`'s slot if it still holds `io` (idempotent). Returns
    /// whether it did.
    pub(super) fn release(&mut self, io: &Arc<ScheduledIo>) -> bool {
        let key = io.token & KEY_MASK;
        let held = self.slab.get(key).is_some_and(|s| Arc::ptr_eq(s, io));
        if held {
            self.slab.remove(key);
        }
        held
    }

    pub(super) fn len(&self) -> usize {
        self.slab.len()
    }

    /// Every record, for snapshots.
    pub(super) fn iter(&self) -> impl Iterator<Item = &Arc<ScheduledIo>> {
        self.slab.iter().map(|(_, io)| io)
    }

    /// Takes every record out (the reactor is dropped).
    pub(super) fn drain(&mut self) -> impl Iterator<Item = Arc<ScheduledIo>> + '_ {
        self.slab.drain()
    }
}
