//! Running a task: one step of the loop's "poll it until it awaits".
//!
//! The executor pops a [`TaskRef`] and calls [`TaskRef::run_on_loop`] (a
//! blocking-pool thread calls [`TaskRef::run`]); everything that needs the
//! task's `unsafe` entry points happens here, with the state machine
//! deciding at each step who owns what. On the loop, a task only the loop
//! holds (no handle, no waker out) takes each transition as a plain store,
//! and a task claimed by a wake on the loop (`SCHEDULED | RUNNING`) is
//! popped with a load and no write (`state.rs`):
//!
//! ```text
//!  run(task)
//!   ├─ transition_to_running ─ Done ────────────► drop the queue ref
//!   │                        ─ Cancel ──────────► cancel ─► complete
//!   │                        ─ Poll ─► poll the future with a borrowed waker
//!   │                                   ├─ Ready ─────► complete
//!   │                                   └─ Pending ─► transition_to_idle
//!   │                                                  ├─ Released ────► (queue ref dropped with it)
//!   │                                                  ├─ Reschedule ──► back on the queue (claimed, on the loop)
//!   │                                                  └─ Cancel ──────► cancel ─► complete
//!  complete: COMPLETE set; no JoinHandle? drop the output; else wake it.
//! ```
//!
//! No step unwinds: `poll`, the drops of the future, the output and panic
//! payloads, and the join waker's `wake` all run under `catch_unwind` (see
//! `catch.rs`), so a task that starts a step always ends it `COMPLETE` or
//! idle, never stuck `RUNNING`.

use std::panic::{self, AssertUnwindSafe};
use std::task::{Context, Poll};

use super::raw::{TaskRef, UNBOUND};
use super::state::{Idle, Run};
use super::waker::waker_ref;
use crate::catch::drop_payload;
use crate::trace;

/// What the loop must do after [`TaskRef::run`].
#[must_use]
pub(crate) enum Ran {
    /// Still pending, or nothing to do; the queue reference was released.
    Idle,
    /// Woken while it ran: push this queue reference on the run queue again.
    Reschedule(TaskRef),
    /// The task is finished: release its owned-list slot, then drop this.
    Complete(TaskRef),
}

impl TaskRef {
    /// Runs one step of the task, with the queue reference just popped from
    /// a queue. Call it on a thread allowed to touch the future: the loop's
    /// thread for a task of the loop, a pool thread for a blocking job (its
    /// future is `Send`; see the ownership table in `task/mod.rs`).
    pub(crate) fn run(self, budget: u32) -> Ran {
        self.run_as(budget, false)
    }

    /// [`run`](Self::run) on the loop's thread, for a task of that loop:
    /// if the task is bound to the owned list, the loop holds two of its
    /// references, and when those are all there are (a detached task that
    /// gave out no waker), its transitions are plain stores (`state.rs`).
    ///
    /// Every task the loop runs is bound: a local spawn binds it before it
    /// is queued, a remote one is bound when the loop pops it, and a task
    /// the closed list refuses is never queued.
    ///
    /// The plain stores' soundness rests on that, so it is checked anyway,
    /// but only once the state word says loop-only: a task with a
    /// `JoinHandle` or a waker never pays for the look.
    pub(crate) fn run_on_loop(self, budget: u32) -> Ran {
        debug_assert_ne!(self.owned_key(), UNBOUND, "the loop runs bound tasks");
        self.run_as(budget, true)
    }

    /// `bound`: the caller is the loop, running a task of its own (whose
    /// owned-list reference `is_bound` confirms).
    #[inline(always)]
    fn run_as(self, budget: u32, bound: bool) -> Ran {
        let header = self.header();
        let run = if bound {
            let run = header
                .state
                .transition_to_running_on_loop(|| self.is_bound());
            // A claim (if this was one) is no longer queued: a wake on the
            // loop from here on marks the poll `NOTIFIED`.
            header.set_claim_queued(false);
            run
        } else {
            header.state.transition_to_running()
        };
        match run {
            Run::Done => return Ran::Idle,
            Run::Cancel => {
                // SAFETY: RUNNING was just set by this thread, which may touch
                // the future (see the contract of `run`).
                unsafe { self.cancel() };
                self.complete();
                return Ran::Complete(self);
            }
            Run::Poll => {}
        }

        let waker = waker_ref(&self);
        let mut cx = Context::from_waker(&waker);
        let result = crate::budget::with_budget(budget, || {
            // SAFETY: RUNNING was just set by this thread, which may touch
            // the future (see the contract of `run`).
            unsafe { self.poll(&mut cx) }
        });

        match result {
            Poll::Ready(()) => {
                if bound && header.state.complete_if_loop_only(|| self.is_bound()) {
                    trace::task_complete(header.id);
                    // SAFETY: COMPLETE is set and there is no JoinHandle, so
                    // the output belongs to the loop.
                    unsafe { self.drop_output() };
                } else {
                    self.complete();
                }
                Ran::Complete(self)
            }
            Poll::Pending => {
                // On the loop, the queue reference goes into the task's
                // reference pool rather than off the count, for the next
                // clone of its waker to take back (`ref_pool.rs`).
                match header.state.transition_to_idle(bound) {
                    Idle::Kept => {
                        // Released after all only if the pool is full (a
                        // task woken by reference over and over; rare).
                        // SAFETY: `Kept` answers only `bound`, which says
                        // this is the loop's thread.
                        unsafe { self.into_pool() };
                        Ran::Idle
                    }
                    Idle::Released { last } => {
                        self.forget_released(last);
                        Ran::Idle
                    }
                    Idle::Reschedule => {
                        if bound {
                            // Re-queued claimed (`transition_to_idle`).
                            header.set_claim_queued(true);
                        }
                        Ran::Reschedule(self)
                    }
                    Idle::Cancel => {
                        // SAFETY: RUNNING is still held by this thread.
                        unsafe { self.cancel() };
                        self.complete();
                        Ran::Complete(self)
                    }
                }
            }
        }
    }

    /// Cancels a task at runtime shutdown, unless it already finished.
    /// Returns `true` if this call finished it. Called on the loop's thread,
    /// or, for a task whose future is `Send` (spawned through a `Handle` or
    /// `spawn_blocking`), on whichever thread finds the runtime shut down.
    pub(crate) fn shutdown(&self) -> bool {
        self.shutdown_as(false)
    }

    /// [`shutdown`](Self::shutdown) on the task's loop thread, which is not
    /// polling it: a task claimed by a wake on the loop (`state.rs`,
    /// `wake_on_loop`) is queued, not running, and is cancelled too.
    pub(crate) fn shutdown_on_loop(&self) -> bool {
        self.shutdown_as(true)
    }

    fn shutdown_as(&self, on_loop: bool) -> bool {
        let header = self.header();
        let claim_queued = on_loop && header.is_claim_queued();
        if !header
            .state
            .transition_to_running_for_shutdown(claim_queued)
        {
            return false;
        }
        if claim_queued {
            // Its RUNNING is shutdown's now; the entry left in the queue
            // finds the task complete.
            header.set_claim_queued(false);
        }
        // SAFETY: RUNNING was just set by this thread, which may drop the
        // future (the loop's, or any thread for a `Send` future).
        unsafe { self.cancel() };
        self.complete();
        true
    }

    /// The result is in the output cell: publish COMPLETE, then either drop
    /// the output (nobody will read it) or wake the `JoinHandle`.
    fn complete(&self) {
        let header = self.header();
        let prev = header.state.transition_to_complete();
        trace::task_complete(header.id);
        if !prev.is_join_interested() {
            // SAFETY: COMPLETE is set and the JoinHandle was already gone, so
            // the output belongs to the loop.
            unsafe { self.drop_output() };
        } else if prev.is_join_waker_set() {
            header.join_waker.with(|waker| {
                // SAFETY: JOIN_WAKER was set when COMPLETE was published, so
                // the cell belongs to the task side and the handle no longer
                // writes it (its `unset_join_waker` now fails).
                if let Some(waker) = unsafe { &*waker } {
                    // The awaiter's waker is user code; a panic in it must
                    // not undo a completion that is already published.
                    let woken = panic::catch_unwind(AssertUnwindSafe(|| waker.wake_by_ref()));
                    if let Err(payload) = woken {
                        drop_payload(payload);
                    }
                }
            });
        }
    }
}
