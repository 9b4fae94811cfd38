//! The task's state word: a handful of flag bits and a reference count in
//! one atomic `usize`.
//!
//! ```text
//!  bit:  63 ....... 8 |    7     |     6     |    5       |     4         |    3     |    2     |    1    |     0
//!        reference count | NOTIFIED | JOIN_PEEK | JOIN_WAKER | JOIN_INTEREST | CANCELLED| COMPLETE | RUNNING | SCHEDULED
//! ```
//!
//! The run states, and who moves the task between them (`L`: only the
//! loop's thread; `any`: any thread with a reference):
//!
//! ```text
//!          wake elsewhere (any): one CAS             pop (L): one CAS
//!   idle ─────────────────────────────► SCHEDULED ───────────────────► RUNNING
//!    ▲ │                                (queued)                      (polled)
//!    │ │ wake on the loop (L): one CAS                                    │
//!    │ ▼                                                                  │
//!    │ SCHEDULED|RUNNING ── pop (L): a load ──► SCHEDULED|RUNNING         │
//!    │ (claimed, queued)       no write         (claimed, polled)         │
//!    │        ▲                                      │                    │
//!    │        └───── poll Pending, NOTIFIED (L) ─────┴────────────────────┤
//!    └────────────── poll Pending, not woken (L) ─────────────────────────┘
//!                    (from either polled state; a blocking-pool job
//!                    woken during its poll goes back to SCHEDULED)
//! ```
//!
//! A wake on the task's loop thread of a task bound there *claims* it: the
//! same CAS that schedules it sets `RUNNING`, so the pop (`L`) has nothing
//! to write: it loads the word for `CANCELLED`. A poll that ends woken
//! (`NOTIFIED`) re-queues the task claimed again in its idle CAS. So a
//! task woken on its loop costs two locked operations per round (the wake,
//! the idle step), not three. Claimed queued and claimed polled look the
//! same in the word; the loop tells them apart by a flag of its own
//! (`Header::claim_queued`, set by the claim, cleared by the pop), which a
//! wake on the loop (nothing to add while queued), shutdown (a claimed
//! task still queued is taken over, `transition_to_running_for_shutdown`)
//! and snapshots (`Core::tasks`: runnable, not running) read. Another
//! thread cannot read it: a wake from there that finds `RUNNING` sets
//! `NOTIFIED` whether the claimed task is queued or polled, so a remote
//! wake that lands on a claimed task still in the queue costs it one extra
//! poll (futures must tolerate spurious polls; no test or API promises
//! otherwise). Wakes on the loop never cause one. Tasks the loop did not
//! claim (spawned, woken from another thread, blocking jobs) take the
//! plain `SCHEDULED` → `RUNNING` path.
//!
//! Who may set what: `SCHEDULED` without `RUNNING`, any waker or abort
//! (with a queue reference); `SCHEDULED | RUNNING` (a claim), the loop
//! only; `RUNNING` alone, the pop (the loop, or a blocking-pool thread for
//! its jobs) or shutdown's claim; `NOTIFIED`, any waker while `RUNNING`
//! is set, cleared by the idle step; `CANCELLED`, an abort or shutdown;
//! `COMPLETE`, the `RUNNING` holder. While `RUNNING` is set only its
//! holder changes `SCHEDULED`. After `COMPLETE`, `SCHEDULED` and
//! `NOTIFIED` are stale and never read.
//!
//! Every transition is computed on a [`Snapshot`] (a plain `Copy` value) and
//! published with one compare-and-swap, so a transition either happens whole
//! or not at all. Each transition returns a `#[must_use]` enum that tells the
//! caller what it now owns and must do next. This file holds no `unsafe`: it
//! decides *who* may touch the task's cells; `raw.rs` does the touching.
//!
//! Invariants, in prose:
//! * `SCHEDULED` set (before `COMPLETE`) ⇔ exactly one queue reference
//!   exists: the task sits in a run queue, or it is claimed and the loop
//!   holds that reference while it polls. So a task woken twice before it
//!   runs is queued once.
//! * `RUNNING` set ⇔ one thread owns the future's next step: the loop's
//!   thread is inside the future's `poll` (or holds the task claimed in its
//!   queue), or shutdown is dropping it; only that thread may touch the
//!   future.
//! * `NOTIFIED` set ⇒ `RUNNING` is, and the holder re-queues the task when
//!   the poll returns.
//! * `COMPLETE` set ⇒ the future is gone. If `JOIN_INTEREST` is set the output
//!   belongs to the `JoinHandle`; otherwise it has been dropped.
//! * `JOIN_WAKER` set ⇒ the join-waker cell is owned by the task side (which
//!   may read it to wake the handle); unset ⇒ owned by the `JoinHandle`.
//! * `JOIN_PEEK` set ⇒ `JOIN_WAKER` is set and the loop is reading the
//!   join-waker cell for a snapshot (`join_peek.rs`); the handle does not
//!   take the cell back (`unset_join_waker` waits) until it is clear.
//! * The reference count counts: the owned-task list, a queue entry, the
//!   `JoinHandle`, every `Waker`, and the references the loop keeps in the
//!   task's reference pool. The allocation is freed when it hits 0.
//!
//! Two halves: this word, which every thread with a reference may update,
//! and the task's reference pool (`ref_pool.rs`), which only the loop's
//! thread touches:
//!
//! ```text
//!   ┌ State (atomic) ─────────────────────────┐   ┌ RefPool (in the loop word) ┐
//!   │ flags + count (pool's share included)   │   │ references the loop holds  │
//!   │ any thread: wakes, clones and drops     │   │ for the task; the loop's   │
//!   │ elsewhere, JoinHandle, abort            │   │ thread only: clones and    │
//!   │ the loop: poll, idle, complete          │   │ drops of wakers there, the │
//!   └─────────────────────────────────────────┘   │ queue ref of an idle step  │
//!                                                 └────────────────────────────┘
//! ```
//!
//! A reference moved between a waker on the loop and the pool leaves the
//! word alone, so a waker cloned on the loop costs no locked instruction
//! when the pool has one ([`Idle::Kept`] keeps the queue reference of a
//! poll that returns `Pending` for it).
//! * Nobody can touch the word without a reference. So when the loop holds
//!   a task's queue and owned-list references and the count is 2 (read with
//!   `Acquire`, which orders every other holder's earlier release before
//!   it), no other thread can read or write the word until the loop itself
//!   makes a new reference (a waker clone inside the poll): the loop's
//!   transitions may then be plain stores (`*_loop_only` below), with no
//!   locked instruction. A detached task that never hands out a waker (a
//!   spawn chain) pays no locked operation for its poll, its completion or
//!   its free.

use crate::loom::sync::atomic::{AtomicUsize, Ordering};

const SCHEDULED: usize = 1 << 0;
const RUNNING: usize = 1 << 1;
const COMPLETE: usize = 1 << 2;
const CANCELLED: usize = 1 << 3;
const JOIN_INTEREST: usize = 1 << 4;
const JOIN_WAKER: usize = 1 << 5;
const JOIN_PEEK: usize = 1 << 6;
const NOTIFIED: usize = 1 << 7;
const REF_SHIFT: u32 = 8;
const REF_ONE: usize = 1 << REF_SHIFT;
const REF_MASK: usize = !(REF_ONE - 1);

/// A new task has three references: the loop's owned-task list, its first
/// queue entry and its `JoinHandle`.
const INITIAL: usize = SCHEDULED | JOIN_INTEREST | (3 * REF_ONE);

/// The atomic state word of one task.
pub(crate) struct State(AtomicUsize);

/// A copy of the state word at one instant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    pub(crate) fn is_scheduled(self) -> bool {
        self.0 & SCHEDULED != 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.0 & CANCELLED != 0
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    pub(crate) fn is_notified(self) -> bool {
        self.0 & NOTIFIED != 0
    }
    /// `SCHEDULED | RUNNING`: claimed by a wake on the task's loop, queued
    /// there or (once popped) being polled; only the loop can tell which.
    pub(crate) fn is_claimed(self) -> bool {
        self.0 & (SCHEDULED | RUNNING) == SCHEDULED | RUNNING
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 >> REF_SHIFT
    }
    /// Only the loop's two references (queue and owned list, which the
    /// caller vouches for) exist, and no `JoinHandle`: nobody else can
    /// reach the task.
    fn is_loop_only(self) -> bool {
        // One mask and one compare: the count is 2 and JOIN_INTEREST clear.
        self.0 & (REF_MASK | JOIN_INTEREST) == 2 * REF_ONE
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("scheduled", &self.is_scheduled())
            .field("running", &self.is_running())
            .field("notified", &self.is_notified())
            .field("complete", &self.is_complete())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// What a waker must do after [`State::transition_to_scheduled`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Schedule {
    /// The task was idle: a queue reference was added; push it on a queue.
    Push,
    /// Already queued, running (the loop re-queues it), or finished.
    Nothing,
}

/// What the loop must do with a task it popped from a queue.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Run {
    /// `RUNNING` is now set: poll the future.
    Poll,
    /// The task was aborted before this poll: drop the future instead.
    Cancel,
    /// The task already finished (shutdown or abort raced ahead): just
    /// release the queue reference.
    Done,
}

/// What a by-value wake (one that gives up the waker's reference) must do
/// after [`State::transition_to_scheduled_by_val`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum WakeByVal {
    /// The task was idle: the waker's reference is now its queue reference;
    /// push it on a queue.
    Push,
    /// Nothing to schedule; the waker's reference was dropped. `last`: it
    /// was the last one, so the caller must free the task.
    Released { last: bool },
}

/// What a `JoinHandle` being dropped must do after
/// [`State::drop_join_handle`].
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DropJoin {
    /// Join interest and the handle's reference are gone. `last`: it was
    /// the last reference, so the caller must free the task.
    Released { last: bool },
    /// The task is complete: the handle owns the output, drops it, then
    /// releases its reference.
    OwnsOutput,
}

/// What the loop must do after a poll returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Idle {
    /// Nobody woke it: the queue reference was dropped in the same step.
    /// `last`: it was the last one, so the caller must free the task.
    Released { last: bool },
    /// It was woken during the poll: keep the reference, push it again.
    Reschedule,
    /// It was aborted during the poll: drop the future now.
    Cancel,
    /// Nobody woke it, and the caller asked to keep the queue reference
    /// (for the loop's reference pool, `ref_pool.rs`): the count is
    /// unchanged and the reference is still the caller's.
    Kept,
}

impl State {
    pub(crate) fn new() -> State {
        State(AtomicUsize::new(INITIAL))
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Ordering::Acquire))
    }

    /// Applies `f` to the current value until the compare-and-swap succeeds.
    /// `f` returns the new value (or `None` to leave it) and the answer.
    fn update<T>(&self, f: impl FnMut(Snapshot) -> (Option<Snapshot>, T)) -> T {
        self.update_from(self.0.load(Ordering::Acquire), f)
    }

    /// [`update`](State::update), starting from a value just loaded.
    #[inline(always)]
    fn update_from<T>(
        &self,
        mut current: usize,
        mut f: impl FnMut(Snapshot) -> (Option<Snapshot>, T),
    ) -> T {
        loop {
            let (next, answer) = f(Snapshot(current));
            let Some(next) = next else { return answer };
            match self
                .0
                .compare_exchange_weak(current, next.0, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return answer,
                Err(actual) => current = actual,
            }
        }
    }

    /// A wake: set `SCHEDULED` unless it is already set or the task is done.
    /// If the task is idle, take a queue reference for the caller to push.
    pub(crate) fn transition_to_scheduled(&self) -> Schedule {
        self.update(|s| {
            if s.is_complete() || s.is_notified() {
                (None, Schedule::Nothing)
            } else if s.is_running() {
                // The loop sees NOTIFIED when the poll ends and re-queues.
                // A claimed task still queued is polled once more for it:
                // from another thread, nobody can tell queued from polling.
                (Some(Snapshot(s.0 | NOTIFIED)), Schedule::Nothing)
            } else if s.is_scheduled() {
                (None, Schedule::Nothing)
            } else {
                (Some(Snapshot((s.0 | SCHEDULED) + REF_ONE)), Schedule::Push)
            }
        })
    }

    /// A wake that consumes the waker (`Waker::wake`): as
    /// [`transition_to_scheduled`](State::transition_to_scheduled), but the
    /// waker's own reference becomes the queue reference, or is dropped in
    /// the same step, so a wake costs one atomic operation, not three.
    pub(crate) fn transition_to_scheduled_by_val(&self) -> WakeByVal {
        self.update(|s| {
            if s.is_complete() || s.is_notified() || (s.is_scheduled() && !s.is_running()) {
                let last = s.ref_count() == 1;
                (Some(Snapshot(s.0 - REF_ONE)), WakeByVal::Released { last })
            } else if s.is_running() {
                // The loop holds a queue reference while it polls (or the
                // owned list's, at shutdown), so this cannot be the last.
                let next = Snapshot((s.0 | NOTIFIED) - REF_ONE);
                (Some(next), WakeByVal::Released { last: false })
            } else {
                (Some(Snapshot(s.0 | SCHEDULED)), WakeByVal::Push)
            }
        })
    }

    /// A wake on the task's own loop thread, of a task bound to that loop:
    /// an idle task is *claimed* in the same step (`SCHEDULED | RUNNING`),
    /// so that the loop's pop writes nothing. `by_val`: the caller's waker
    /// reference becomes the queue reference on `Push`; otherwise one is
    /// added. On `Nothing` the caller keeps whatever it had (a by-value
    /// waker's reference goes to the pool or off the count: `waker.rs`).
    ///
    /// A claimed task looks the same in the word queued and being polled;
    /// `claim_queued` (the loop's own flag, `Header::is_claim_queued`) says
    /// it is queued. Then a wake has nothing to add: its poll is to come.
    #[inline(always)]
    pub(crate) fn wake_on_loop(&self, by_val: bool, claim_queued: bool) -> Schedule {
        let add = if by_val { 0 } else { REF_ONE };
        self.update(|s| {
            if s.0 & (COMPLETE | NOTIFIED | RUNNING | SCHEDULED) == 0 {
                // Idle, the common case: claim it. One test, one CAS.
                let next = (s.0 | SCHEDULED | RUNNING) + add;
                (Some(Snapshot(next)), Schedule::Push)
            } else if s.is_complete() || s.is_notified() {
                (None, Schedule::Nothing)
            } else if s.is_running() {
                if s.is_scheduled() && claim_queued {
                    (None, Schedule::Nothing)
                } else {
                    (Some(Snapshot(s.0 | NOTIFIED)), Schedule::Nothing)
                }
            } else {
                // Queued, not claimed.
                (None, Schedule::Nothing)
            }
        })
    }

    /// The loop popped the task: clear `SCHEDULED`, set `RUNNING`.
    pub(crate) fn transition_to_running(&self) -> Run {
        self.update(Self::to_running)
    }

    fn to_running(s: Snapshot) -> (Option<Snapshot>, Run) {
        debug_assert!(!s.is_running(), "a task is polled by one loop at a time");
        if s.is_complete() {
            (None, Run::Done)
        } else if s.is_cancelled() {
            (Some(Snapshot((s.0 & !SCHEDULED) | RUNNING)), Run::Cancel)
        } else {
            (Some(Snapshot((s.0 & !SCHEDULED) | RUNNING)), Run::Poll)
        }
    }

    /// [`transition_to_running`](State::transition_to_running) for the loop,
    /// which holds the popped queue reference and the owned-list reference
    /// (`bound` confirms the task is in the list; asked only when the word
    /// says loop-only). If those are the only two and no `JoinHandle` is left
    /// (a detached task: its handle was dropped), nobody else can touch the
    /// word (see the module docs): a plain store, no locked instruction.
    #[inline]
    pub(crate) fn transition_to_running_on_loop(&self, bound: impl FnOnce() -> bool) -> Run {
        let s = self.load();
        // Loop-only (count 2, no JOIN_INTEREST), neither running, complete
        // nor cancelled: one mask and one compare on the poll path.
        const MASK: usize = REF_MASK | JOIN_INTEREST | RUNNING | COMPLETE | CANCELLED;
        if s.0 & MASK == 2 * REF_ONE && bound() {
            debug_assert!(s.is_loop_only());
            debug_assert!(s.is_scheduled());
            self.0
                .store((s.0 & !SCHEDULED) | RUNNING, Ordering::Release);
            return Run::Poll;
        }
        if s.is_running() {
            // Claimed by a wake on this loop (`wake_on_loop`) or by the
            // last idle step: the loop owns the poll already, so nothing is
            // written, and a load sees an abort (a later one is seen by
            // the idle step or the completion).
            debug_assert!(s.is_claimed() && !s.is_complete());
            return if s.is_cancelled() {
                Run::Cancel
            } else {
                Run::Poll
            };
        }
        self.update_from(s.0, Self::to_running)
    }

    /// [`transition_to_complete`](State::transition_to_complete) for the
    /// loop, under the same condition as
    /// [`transition_to_running_on_loop`](State::transition_to_running_on_loop)
    /// (read again now: the poll may have cloned the waker): `true` means
    /// `COMPLETE` was published with a plain store, and the output is the
    /// loop's to drop. `false`: nothing changed; use `transition_to_complete`.
    #[inline]
    pub(crate) fn complete_if_loop_only(&self, bound: impl FnOnce() -> bool) -> bool {
        let s = self.load();
        debug_assert!(s.is_running() && !s.is_complete());
        if !(s.is_loop_only() && bound()) {
            return false;
        }
        self.0.store(s.0 ^ (RUNNING | COMPLETE), Ordering::Release);
        true
    }

    /// The poll returned `Pending`: clear `RUNNING` (and a claim's
    /// `SCHEDULED`). If nobody woke the task meanwhile, its queue reference
    /// is dropped in the same step, or, `on_loop` (the loop of a bound task,
    /// which puts it in the task's reference pool), left counted and
    /// returned to the caller: [`Idle::Kept`]. If it was woken
    /// (`NOTIFIED`), it is re-queued: `on_loop`, claimed again
    /// (`SCHEDULED | RUNNING` stay), so its next pop writes nothing.
    pub(crate) fn transition_to_idle(&self, on_loop: bool) -> Idle {
        self.update(|s| {
            debug_assert!(s.is_running());
            if s.is_cancelled() {
                (None, Idle::Cancel)
            } else if s.is_notified() {
                let next = if on_loop {
                    (s.0 & !NOTIFIED) | SCHEDULED
                } else {
                    (s.0 & !(NOTIFIED | RUNNING)) | SCHEDULED
                };
                (Some(Snapshot(next)), Idle::Reschedule)
            } else if on_loop {
                (Some(Snapshot(s.0 & !(RUNNING | SCHEDULED))), Idle::Kept)
            } else {
                let last = s.ref_count() == 1;
                (
                    Some(Snapshot((s.0 & !(RUNNING | SCHEDULED)) - REF_ONE)),
                    Idle::Released { last },
                )
            }
        })
    }

    /// The future is gone (finished, panicked, cancelled or shut down), its
    /// result is in the output cell. Returns the state just before, so the
    /// caller knows whether to drop the output or wake the `JoinHandle`.
    pub(crate) fn transition_to_complete(&self) -> Snapshot {
        // RUNNING is set and COMPLETE is not, so one XOR sets COMPLETE and
        // clears RUNNING together: one atomic operation.
        let prev = Snapshot(self.0.fetch_xor(RUNNING | COMPLETE, Ordering::AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        prev
    }

    /// Claims the right to finish a task that is idle or queued (used at
    /// shutdown). Fails if the loop is polling it or it already finished.
    /// `claimed_is_queued`: the caller is the task's loop, and its flag
    /// (`Header::is_claim_queued`) says a claimed task (`SCHEDULED |
    /// RUNNING`) waits in its queue, not running: it is taken over (its
    /// claim already holds `RUNNING`).
    pub(crate) fn transition_to_running_for_shutdown(&self, claimed_is_queued: bool) -> bool {
        self.update(|s| {
            if s.is_complete() || (s.is_running() && !(claimed_is_queued && s.is_claimed())) {
                (None, false)
            } else {
                (Some(Snapshot(s.0 | RUNNING | CANCELLED)), true)
            }
        })
    }

    /// `JoinHandle::abort`: set `CANCELLED`. If the task is idle it is also
    /// scheduled, so the loop wakes up and drops the future on its own thread.
    pub(crate) fn transition_to_cancelled(&self) -> Schedule {
        self.update(|s| {
            if s.is_complete() || s.is_cancelled() {
                (None, Schedule::Nothing)
            } else if s.is_running() || s.is_scheduled() {
                (Some(Snapshot(s.0 | CANCELLED)), Schedule::Nothing)
            } else {
                (
                    Some(Snapshot((s.0 | CANCELLED | SCHEDULED) + REF_ONE)),
                    Schedule::Push,
                )
            }
        })
    }

    /// The `JoinHandle` is dropped: unless the task is complete, clear
    /// `JOIN_INTEREST` and release the handle's reference in the same step
    /// (one atomic operation, not two: a detached spawn pays it on every
    /// task). If the task is
    /// complete nothing changes: the output is the handle's to drop before
    /// it releases its reference.
    #[cfg(all(test, not(loom)))]
    pub(crate) fn drop_join_handle(&self) -> DropJoin {
        self.update(Self::to_handle_dropped)
    }

    fn to_handle_dropped(s: Snapshot) -> (Option<Snapshot>, DropJoin) {
        debug_assert!(s.is_join_interested());
        if s.is_complete() {
            (None, DropJoin::OwnsOutput)
        } else {
            let last = s.ref_count() == 1;
            (
                Some(Snapshot((s.0 & !JOIN_INTEREST) - REF_ONE)),
                DropJoin::Released { last },
            )
        }
    }

    /// [`drop_join_handle`](State::drop_join_handle), with a plain store
    /// when the handle's reference and the loop's two are all there are: the
    /// count is 3, the task is queued or claimed (so one queue reference
    /// sits in a run queue, which only the loop pops, or is the loop's
    /// while it polls the claimed task), and
    /// `on_loop` (asked only then) confirms that this is the task's loop
    /// thread, that the task is in its owned list and that shutdown has not
    /// begun (`executor::is_own_bound_task` says why each is needed). A handle dropped at
    /// once (a detached spawn) is that case: nobody else can touch the word.
    #[inline]
    pub(crate) fn drop_join_handle_on_loop(&self, on_loop: impl FnOnce() -> bool) -> DropJoin {
        let s = self.load();
        // RUNNING may be set: a claimed task (`wake_on_loop`), whose queue
        // reference is in the local queue or, while it is polled, the loop's.
        const MASK: usize = REF_MASK | COMPLETE | SCHEDULED | JOIN_INTEREST;
        if s.0 & MASK == ((3 * REF_ONE) | SCHEDULED | JOIN_INTEREST) && on_loop() {
            self.0
                .store((s.0 & !JOIN_INTEREST) - REF_ONE, Ordering::Release);
            return DropJoin::Released { last: false };
        }
        self.update_from(s.0, Self::to_handle_dropped)
    }

    /// The `JoinHandle` stored a waker in the join-waker cell and hands the
    /// cell to the task side. `Err` means the task completed first; the cell
    /// stays with the handle, which reads the output instead.
    pub(crate) fn set_join_waker(&self) -> Result<(), Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(Snapshot(s.0 | JOIN_WAKER)), Ok(()))
            }
        })
    }

    /// The `JoinHandle` wants to replace its waker: take the cell back.
    /// `Err` means the task completed; the cell stays with the task side.
    /// While a snapshot peeks at the cell (`JOIN_PEEK`, a few pointer
    /// comparisons on the loop's thread) this waits for it to finish. A
    /// snapshot runs no user code while it peeks, so on the loop's own
    /// thread the bit is never seen set here.
    pub(crate) fn unset_join_waker(&self) -> Result<(), Snapshot> {
        loop {
            let unset = self.update(|s| {
                debug_assert!(s.is_join_interested() && s.is_join_waker_set());
                if s.is_complete() {
                    (None, Some(Err(s)))
                } else if s.0 & JOIN_PEEK != 0 {
                    (None, None)
                } else {
                    (Some(Snapshot(s.0 & !JOIN_WAKER)), Some(Ok(())))
                }
            });
            match unset {
                Some(result) => return result,
                None => crate::loom::thread::yield_now(),
            }
        }
    }

    /// A snapshot wants to read the join-waker cell: `true` means
    /// `JOIN_WAKER` was set, `JOIN_PEEK` now is, and the cell may be read
    /// (shared, alongside the task side and the handle) until
    /// [`end_join_peek`](Self::end_join_peek). `false`: the handle owns the
    /// cell (or another peek is on), leave it alone.
    pub(crate) fn begin_join_peek(&self) -> bool {
        self.update(|s| {
            if s.is_join_waker_set() && s.0 & JOIN_PEEK == 0 {
                (Some(Snapshot(s.0 | JOIN_PEEK)), true)
            } else {
                (None, false)
            }
        })
    }

    /// Ends a peek begun by [`begin_join_peek`](Self::begin_join_peek).
    /// `Release`: the read happens before the handle's next write, which
    /// follows its `Acquire` of the cleared bit.
    pub(crate) fn end_join_peek(&self) {
        let prev = self.0.fetch_and(!JOIN_PEEK, Ordering::Release);
        debug_assert!(prev & JOIN_PEEK != 0, "end_join_peek without a peek");
    }

    /// Adds one reference (a cloned waker).
    pub(crate) fn ref_inc(&self) {
        let prev = self.0.fetch_add(REF_ONE, Ordering::Relaxed);
        // Like `Arc`: a count this large means references are being leaked.
        if prev > isize::MAX as usize {
            std::process::abort();
        }
    }

    /// Drops two references at once (the loop's queue and owned-list
    /// references of a task that completed); `true` means they were the
    /// last and the caller must free the task.
    #[must_use]
    pub(crate) fn ref_dec_two(&self) -> bool {
        let prev = Snapshot(self.0.fetch_sub(2 * REF_ONE, Ordering::AcqRel));
        debug_assert!(prev.ref_count() >= 2);
        prev.ref_count() == 2
    }

    /// Whether the caller's `n` references are the only ones. `Acquire`:
    /// every other holder's release (a waker dropped on another thread)
    /// happens before the caller goes on to free the task.
    pub(crate) fn is_sole_owner(&self, n: usize) -> bool {
        self.load().ref_count() == n
    }

    /// Drops `n` references at once (a reference pool closed by the loop,
    /// `ref_pool.rs`); `true` means they were the last and the caller must
    /// free the task.
    #[must_use]
    pub(crate) fn ref_dec_n(&self, n: usize) -> bool {
        let prev = Snapshot(self.0.fetch_sub(n * REF_ONE, Ordering::AcqRel));
        debug_assert!(prev.ref_count() >= n);
        prev.ref_count() == n
    }

    /// Drops one reference; `true` means it was the last and the caller
    /// must free the task.
    #[must_use]
    pub(crate) fn ref_dec(&self) -> bool {
        let prev = Snapshot(self.0.fetch_sub(REF_ONE, Ordering::AcqRel));
        debug_assert!(prev.ref_count() >= 1);
        prev.ref_count() == 1
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn a_new_task_is_scheduled_with_three_references() {
        let s = State::new().load();
        assert!(s.is_scheduled() && s.is_join_interested() && !s.is_running());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn a_task_woken_twice_is_queued_once() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(
            state.transition_to_idle(false),
            Idle::Released { last: false }
        );
        assert_eq!(state.transition_to_scheduled(), Schedule::Push);
        assert_eq!(state.transition_to_scheduled(), Schedule::Nothing);
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn a_wake_during_the_poll_reschedules_without_a_new_reference() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(state.transition_to_scheduled(), Schedule::Nothing);
        assert_eq!(state.load().ref_count(), 3);
        assert_eq!(state.transition_to_idle(false), Idle::Reschedule);
    }

    #[test]
    fn abort_of_an_idle_task_schedules_it_for_cancellation() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(
            state.transition_to_idle(false),
            Idle::Released { last: false }
        );
        assert_eq!(state.transition_to_cancelled(), Schedule::Push);
        assert_eq!(state.transition_to_running(), Run::Cancel);
    }

    #[test]
    fn going_idle_drops_the_queue_reference_in_the_same_step() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(
            state.transition_to_idle(false),
            Idle::Released { last: false }
        );
        assert_eq!(state.load().ref_count(), 2);
        assert!(!state.load().is_running());
    }

    #[test]
    fn going_idle_may_keep_the_queue_reference_for_the_pool() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(state.transition_to_idle(true), Idle::Kept);
        let now = state.load();
        assert!(!now.is_running() && !now.is_scheduled());
        assert_eq!(now.ref_count(), 3, "the reference is the caller's");
        // Woken meanwhile, it is re-queued with that reference instead.
        assert_eq!(state.transition_to_scheduled(), Schedule::Push);
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(state.transition_to_scheduled(), Schedule::Nothing);
        assert_eq!(state.transition_to_idle(true), Idle::Reschedule);
        // The pool closes: its references go in one step.
        assert!(!state.ref_dec_n(2));
        assert_eq!(state.load().ref_count(), 2);
    }

    #[test]
    fn a_by_value_wake_turns_the_waker_reference_into_the_queue_entry() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(
            state.transition_to_idle(false),
            Idle::Released { last: false }
        );
        state.ref_inc(); // a cloned waker
        assert_eq!(state.transition_to_scheduled_by_val(), WakeByVal::Push);
        assert_eq!(state.load().ref_count(), 3);
        // Already queued: a second by-value wake just drops its reference.
        state.ref_inc();
        assert_eq!(
            state.transition_to_scheduled_by_val(),
            WakeByVal::Released { last: false }
        );
        assert_eq!(state.load().ref_count(), 3);
    }

    #[test]
    fn a_by_value_wake_while_running_reschedules_and_drops_its_reference() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        state.ref_inc();
        assert_eq!(
            state.transition_to_scheduled_by_val(),
            WakeByVal::Released { last: false }
        );
        assert_eq!(state.load().ref_count(), 3);
        assert_eq!(state.transition_to_idle(false), Idle::Reschedule);
    }

    #[test]
    fn completing_clears_running_and_sets_complete_at_once() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        let prev = state.transition_to_complete();
        assert!(prev.is_running() && !prev.is_complete());
        let now = state.load();
        assert!(now.is_complete() && !now.is_running());
    }

    #[test]
    fn join_handle_drop_after_completion_must_drop_the_output() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        let prev = state.transition_to_complete();
        assert!(prev.is_join_interested());
        assert_eq!(state.drop_join_handle(), DropJoin::OwnsOutput);
        assert_eq!(
            state.load().ref_count(),
            3,
            "the handle still holds its reference"
        );
    }

    #[test]
    fn join_handle_drop_before_completion_releases_interest_and_reference_at_once() {
        let state = State::new();
        assert_eq!(state.drop_join_handle(), DropJoin::Released { last: false });
        let now = state.load();
        assert!(!now.is_join_interested());
        assert_eq!(now.ref_count(), 2);
    }

    #[test]
    fn a_peek_needs_the_join_waker_and_leaves_the_count_alone() {
        let state = State::new();
        // The handle owns the cell: no peek.
        assert!(!state.begin_join_peek());
        assert!(state.set_join_waker().is_ok());
        assert!(state.begin_join_peek());
        // One peek at a time.
        assert!(!state.begin_join_peek());
        state.end_join_peek();
        assert_eq!(state.load().0 & JOIN_PEEK, 0);
        assert!(state.load().is_join_waker_set());
        assert_eq!(state.load().ref_count(), 3);
        // With the peek over, the handle takes its cell back.
        assert!(state.unset_join_waker().is_ok());
        assert!(!state.begin_join_peek());
    }

    #[test]
    fn a_detached_task_with_no_waker_runs_and_completes_with_plain_stores() {
        let state = State::new();
        assert_eq!(state.drop_join_handle(), DropJoin::Released { last: false });
        assert!(state.load().is_loop_only());
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Poll);
        let now = state.load();
        assert!(now.is_running() && !now.is_scheduled());
        assert!(state.complete_if_loop_only(|| true));
        let now = state.load();
        assert!(now.is_complete() && !now.is_running());
        assert_eq!(now.ref_count(), 2);
        assert!(state.is_sole_owner(2));
    }

    #[test]
    fn a_cloned_waker_or_a_join_handle_keeps_the_loop_on_atomic_transitions() {
        // With the handle: the loop-only paths step aside, same answers.
        let state = State::new();
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Poll);
        assert!(!state.complete_if_loop_only(|| true));
        assert!(state.load().is_running(), "nothing changed");
        let prev = state.transition_to_complete();
        assert!(prev.is_join_interested());
        assert!(!state.is_sole_owner(2));

        // Detached, but the poll cloned its waker.
        let state = State::new();
        assert_eq!(state.drop_join_handle(), DropJoin::Released { last: false });
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Poll);
        state.ref_inc();
        assert!(!state.complete_if_loop_only(|| true));
        let _ = state.transition_to_complete();
        assert!(!state.is_sole_owner(2));
        assert!(!state.ref_dec(), "the waker lets go");
        assert!(state.is_sole_owner(2));
    }

    #[test]
    fn the_loop_only_path_still_sees_a_cancel_or_a_completion() {
        let state = State::new();
        assert_eq!(state.transition_to_cancelled(), Schedule::Nothing);
        assert_eq!(state.drop_join_handle(), DropJoin::Released { last: false });
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Cancel);

        let state = State::new();
        assert!(state.transition_to_running_for_shutdown(false));
        assert_eq!(state.drop_join_handle(), DropJoin::Released { last: false });
        let _ = state.transition_to_complete();
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Done);
    }

    #[test]
    fn a_handle_dropped_on_the_loop_before_the_first_poll_is_a_plain_store() {
        let state = State::new();
        assert_eq!(
            state.drop_join_handle_on_loop(|| true),
            DropJoin::Released { last: false }
        );
        let now = state.load();
        assert!(!now.is_join_interested() && now.is_scheduled());
        assert_eq!(now.ref_count(), 2);
    }

    #[test]
    fn a_handle_dropped_elsewhere_or_with_more_references_asks_or_updates_atomically() {
        // Not the loop's thread: same answer, by the CAS.
        let state = State::new();
        assert_eq!(
            state.drop_join_handle_on_loop(|| false),
            DropJoin::Released { last: false }
        );
        assert_eq!(state.load().ref_count(), 2);
        // A waker (count 4), or a running task: the thread is not even asked.
        let state = State::new();
        state.ref_inc();
        let asked = std::cell::Cell::new(false);
        let on_loop = || {
            asked.set(true);
            true
        };
        assert_eq!(
            state.drop_join_handle_on_loop(on_loop),
            DropJoin::Released { last: false }
        );
        assert!(!asked.get());
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        let _ = state.transition_to_complete();
        assert_eq!(
            state.drop_join_handle_on_loop(|| unreachable!()),
            DropJoin::OwnsOutput
        );
    }

    /// A bound task polled once and idle, its queue reference pooled.
    fn idle_on_its_loop() -> State {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        assert_eq!(state.transition_to_idle(true), Idle::Kept);
        state
    }

    /// That task claimed by a by-value wake on its loop, still queued.
    fn claimed_by_value() -> State {
        let state = idle_on_its_loop();
        assert_eq!(state.wake_on_loop(true, false), Schedule::Push);
        state
    }

    #[test]
    fn a_wake_on_the_loop_claims_an_idle_task_and_its_pop_writes_nothing() {
        let state = idle_on_its_loop();
        assert_eq!(state.wake_on_loop(false, false), Schedule::Push);
        let claimed = state.load();
        assert!(claimed.is_claimed() && !claimed.is_notified());
        assert_eq!(claimed.ref_count(), 4, "the queue reference was added");
        // Queued (the loop's flag says so): a second wake on the loop adds
        // nothing; the pop is a load.
        assert_eq!(state.wake_on_loop(false, true), Schedule::Nothing);
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Poll);
        assert!(state.load() == claimed, "the pop wrote nothing");
        // Polled (flag cleared): a wake on the loop notifies, and the idle
        // step re-queues it claimed again.
        assert_eq!(state.wake_on_loop(false, false), Schedule::Nothing);
        assert!(state.load().is_notified());
        assert_eq!(state.transition_to_idle(true), Idle::Reschedule);
        let again = state.load();
        assert!(again.is_claimed() && !again.is_notified());
        // Not woken this time: idle, SCHEDULED and RUNNING both cleared.
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Poll);
        assert_eq!(state.transition_to_idle(true), Idle::Kept);
        let idle = state.load();
        assert!(!idle.is_scheduled() && !idle.is_running());
    }

    #[test]
    fn a_remote_wake_notifies_a_claimed_task_and_an_abort_is_seen_by_the_pop() {
        let state = claimed_by_value();
        // From another thread, queued and polled look alike: NOTIFIED.
        assert_eq!(state.transition_to_scheduled(), Schedule::Nothing);
        assert!(state.load().is_notified());
        assert_eq!(state.transition_to_cancelled(), Schedule::Nothing);
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Cancel);
    }

    #[test]
    fn shutdown_takes_over_a_claimed_task_only_when_the_loop_says_it_is_queued() {
        let state = claimed_by_value();
        assert!(!state.transition_to_running_for_shutdown(false), "polled");
        assert!(state.transition_to_running_for_shutdown(true));
        assert!(state.load().is_cancelled());
        let prev = state.transition_to_complete();
        assert!(prev.is_running());
        assert_eq!(state.transition_to_running_on_loop(|| true), Run::Done);
    }

    #[test]
    fn wakes_after_completion_do_nothing() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), Run::Poll);
        let _ = state.transition_to_complete();
        assert_eq!(state.transition_to_scheduled(), Schedule::Nothing);
        assert_eq!(state.transition_to_cancelled(), Schedule::Nothing);
    }
}
