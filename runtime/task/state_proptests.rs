//! The task state word (`state.rs`) checked against a model, with
//! proptest: random interleavings of what the actors around a task do.
//!
//! ```text
//!   ops ──► State (the code: bits + count, one CAS per transition) ──► answers, Snapshot ┐
//!      └──► Model (who holds what: queue entries, wakers, handle, loop) ──► expected     ┴─ equal?
//! ```
//!
//! The model does not know about bits. It tracks the actors: the owned-task
//! list, the `JoinHandle` (and whether it gave its waker cell to the task),
//! the wakers, the queue entries and the loop (popped, polling, done). From
//! that it says what each transition must answer ("push it", "already
//! queued", "drop the future instead", "that was the last reference") and
//! what the snapshot must show. Each op is one transition of one actor, so a
//! sequence of ops is one interleaving of actors on several threads; loom
//! (`loom_tests.rs`) checks the memory orderings, this checks the logic over
//! far more interleavings than loom can enumerate.
//!
//! Checked after every step: the flags and the reference count match the
//! model; a task is never queued twice; a completed task is never polled
//! again; "last reference" is reported exactly when the count reaches
//! zero, and nothing touches the task after that.
//!
//! `PROPTEST_CASES` overrides the case count (256 here).

use proptest::prelude::*;

use super::ref_pool::{RefPool, CAP};
use super::state::{DropJoin, Idle, Run, Schedule, State, WakeByVal};

#[derive(Debug, Clone, Copy)]
enum Op {
    /// The polled future clones its waker (or a held waker is cloned).
    CloneWaker,
    /// `wake_by_ref` on a held waker.
    WakeByRef,
    /// `wake` on a held waker (gives up its reference).
    WakeByVal,
    /// A held waker is dropped.
    DropWaker,
    /// A waker is cloned on the loop's thread: a reference from the
    /// loop's pool if it has one (`ref_pool.rs`).
    CloneWakerOnLoop,
    /// A held waker is dropped on the loop's thread: its reference goes
    /// into the pool unless that is closed or full.
    DropWakerOnLoop,
    /// `wake_by_ref` on the loop's thread: claims an idle task
    /// (`State::wake_on_loop`).
    WakeByRefOnLoop,
    /// `wake` on the loop's thread: claims an idle task with the waker's
    /// reference, or puts that reference in the pool.
    WakeByValOnLoop,
    /// The loop pops a queue entry.
    Pop,
    /// The poll returns `Pending`.
    PollPending,
    /// The poll returns `Ready`, or the loop drops a cancelled future.
    Complete,
    /// `JoinHandle::abort` (from any thread).
    Abort,
    /// Shutdown claims the task to drop its future.
    ShutdownClaim,
    /// The `JoinHandle` stores a waker and hands the cell to the task.
    SetJoinWaker,
    /// The `JoinHandle` takes its waker cell back to replace the waker.
    UnsetJoinWaker,
    /// A snapshot peeks at the join-waker cell (`join_peek.rs`): begins
    /// and ends, as the loop does with nothing in between.
    PeekJoinWaker,
    /// The `JoinHandle` is dropped.
    DropHandle,
    /// The owned-task list lets go of a finished task.
    ReleaseOwned,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::CloneWaker),
        3 => Just(Op::WakeByRef),
        2 => Just(Op::WakeByVal),
        2 => Just(Op::DropWaker),
        2 => Just(Op::CloneWakerOnLoop),
        2 => Just(Op::DropWakerOnLoop),
        3 => Just(Op::WakeByRefOnLoop),
        2 => Just(Op::WakeByValOnLoop),
        4 => Just(Op::Pop),
        3 => Just(Op::PollPending),
        1 => Just(Op::Complete),
        1 => Just(Op::Abort),
        1 => Just(Op::ShutdownClaim),
        1 => Just(Op::SetJoinWaker),
        1 => Just(Op::UnsetJoinWaker),
        1 => Just(Op::PeekJoinWaker),
        1 => Just(Op::DropHandle),
        1 => Just(Op::ReleaseOwned),
    ]
}

/// What the loop is doing with the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Loop {
    /// Not touching it.
    Away,
    /// Polling it (it holds the popped queue entry's reference).
    Polling,
    /// Dropping its future: aborted, or claimed at shutdown. `holds_ref`:
    /// it came from a queue entry (not a shutdown claim).
    Cancelling { holds_ref: bool },
}

/// The actors around one task.
#[derive(Debug)]
struct Model {
    owned: bool,
    handle: bool,
    /// The handle's waker cell is with the task side.
    join_waker: bool,
    wakers: usize,
    /// References in the loop's pool (`ref_pool.rs`); the pool is open
    /// while the task is bound (`owned`).
    pooled: usize,
    /// Queue entries (each holds a reference). Never more than one.
    queued: usize,
    /// The queue entry, or the poll that popped it, was claimed by a wake
    /// on the loop (or the idle step that re-queued it): the word shows
    /// `SCHEDULED | RUNNING` until the poll ends.
    claimed: bool,
    run: Loop,
    /// The loop's flag `Header::claim_queued`: set by a claim, cleared by
    /// the pop and by shutdown's claim.
    claim_queued: bool,
    /// Woken while running or claimed: the loop re-queues the task when
    /// the poll ends (`NOTIFIED`).
    notified: bool,
    cancelled: bool,
    complete: bool,
}

impl Model {
    fn new() -> Model {
        Model {
            owned: true,
            handle: true,
            join_waker: false,
            wakers: 0,
            pooled: 0,
            queued: 1,
            claimed: false,
            claim_queued: false,
            run: Loop::Away,
            notified: false,
            cancelled: false,
            complete: false,
        }
    }

    fn refs(&self) -> usize {
        let loop_ref = matches!(
            self.run,
            Loop::Polling | Loop::Cancelling { holds_ref: true }
        );
        usize::from(self.owned)
            + usize::from(self.handle)
            + self.wakers
            + self.pooled
            + self.queued
            + usize::from(loop_ref)
    }

    /// RUNNING: the loop holds the task (polling or cancelling it), or a
    /// claimed entry waits in its queue.
    fn running(&self) -> bool {
        !self.complete && (self.run != Loop::Away || (self.queued > 0 && self.claimed))
    }

    /// SCHEDULED: a queue entry exists, or a claimed one is being polled.
    fn scheduled(&self) -> bool {
        self.queued > 0 || self.claimed
    }

    /// The answer a wake from another thread must give, and its effect on
    /// the model. It cannot tell a claimed entry still queued from its
    /// poll: either way it sets `NOTIFIED` (at worst one extra poll).
    fn wake(&mut self) -> Schedule {
        if self.complete || self.notified {
            Schedule::Nothing
        } else if self.running() {
            self.notified = true;
            Schedule::Nothing
        } else if self.queued > 0 {
            Schedule::Nothing
        } else {
            self.queued += 1;
            Schedule::Push
        }
    }

    /// A wake on the loop's thread of a bound task: an idle task is
    /// claimed; a claimed entry still queued needs nothing more (its poll
    /// is to come); a task being polled is `NOTIFIED`.
    fn wake_on_loop(&mut self) -> Schedule {
        if self.complete || self.notified || (self.queued > 0 && !self.running()) {
            Schedule::Nothing
        } else if self.queued > 0 && self.claimed && self.run == Loop::Away {
            // Claimed, still queued: its poll is to come.
            Schedule::Nothing
        } else if self.running() {
            self.notified = true;
            Schedule::Nothing
        } else {
            self.queued += 1;
            self.claimed = true;
            self.claim_queued = true;
            Schedule::Push
        }
    }
}

/// The loop gives up a reference on its thread (the model has already
/// taken it off its actor): into the pool if it is open and has room, else
/// off the count. Returns whether that freed the task.
fn pool_or_release(state: &State, pool: &RefPool, m: &mut Model) -> Result<bool, TestCaseError> {
    // SAFETY: the loop's thread (see `run`'s start).
    let put = unsafe { pool.put() };
    prop_assert_eq!(put, m.owned && m.pooled < CAP as usize);
    if put {
        m.pooled += 1;
        return Ok(false);
    }
    let last = state.ref_dec();
    prop_assert_eq!(last, m.refs() == 0);
    Ok(last)
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let state = State::new();
    let pool = RefPool::new();
    // The task starts bound. Every pool call below is on this one thread,
    // which plays the loop's.
    // SAFETY: the loop's thread (see above).
    unsafe { pool.open() };
    let mut m = Model::new();
    let mut freed = false;
    for op in ops {
        if freed {
            break;
        }
        match op {
            Op::CloneWaker if m.wakers > 0 || m.run == Loop::Polling => {
                state.ref_inc();
                m.wakers += 1;
            }
            Op::CloneWakerOnLoop if m.wakers > 0 || m.run == Loop::Polling => {
                // SAFETY: the loop's thread (see `run`'s start).
                let took = unsafe { pool.take() };
                prop_assert_eq!(took, m.owned && m.pooled > 0);
                if took {
                    m.pooled -= 1;
                } else {
                    state.ref_inc();
                }
                m.wakers += 1;
            }
            Op::DropWakerOnLoop if m.wakers > 0 => {
                m.wakers -= 1;
                freed = pool_or_release(&state, &pool, &mut m)?;
            }
            Op::WakeByRefOnLoop if m.wakers > 0 && m.owned => {
                let flag = m.claim_queued;
                let expected = m.wake_on_loop();
                prop_assert_eq!(state.wake_on_loop(false, flag), expected);
            }
            Op::WakeByValOnLoop if m.wakers > 0 && m.owned => {
                let got = state.wake_on_loop(true, m.claim_queued);
                m.wakers -= 1;
                let expected = m.wake_on_loop();
                let kept = expected == Schedule::Nothing;
                prop_assert_eq!(got, expected);
                if kept {
                    // The waker's reference is the loop's to give up.
                    freed = pool_or_release(&state, &pool, &mut m)?;
                }
            }
            Op::WakeByRef if m.wakers > 0 => {
                let expected = m.wake();
                prop_assert_eq!(state.transition_to_scheduled(), expected);
            }
            Op::WakeByVal if m.wakers > 0 => {
                let got = state.transition_to_scheduled_by_val();
                m.wakers -= 1;
                // The waker's reference becomes the queue entry, or goes.
                let expected = match m.wake() {
                    // `wake` counted a queue entry: the waker's reference.
                    Schedule::Push => WakeByVal::Push,
                    Schedule::Nothing => WakeByVal::Released {
                        last: m.refs() == 0,
                    },
                };
                if let WakeByVal::Released { last: true } = expected {
                    freed = true;
                }
                prop_assert_eq!(got, expected);
            }
            Op::DropWaker if m.wakers > 0 => {
                m.wakers -= 1;
                let last = state.ref_dec();
                prop_assert_eq!(last, m.refs() == 0);
                freed = last;
            }
            Op::Pop if m.queued > 0 && m.run == Loop::Away => {
                // The loop's own path for a bound task (plain store when it
                // holds the only references); the general one otherwise.
                let got = if m.owned {
                    state.transition_to_running_on_loop(|| true)
                } else {
                    state.transition_to_running()
                };
                m.queued -= 1;
                m.claim_queued = false;
                if m.complete {
                    prop_assert_eq!(got, Run::Done);
                    // The loop releases the entry's reference.
                    let last = state.ref_dec();
                    prop_assert_eq!(last, m.refs() == 0);
                    freed = last;
                } else if m.cancelled {
                    prop_assert_eq!(got, Run::Cancel);
                    m.run = Loop::Cancelling { holds_ref: true };
                } else {
                    prop_assert_eq!(got, Run::Poll);
                    m.run = Loop::Polling;
                }
            }
            Op::PollPending if m.run == Loop::Polling => {
                // The loop of a bound task keeps the queue reference for
                // the pool, and releases it if the pool is full
                // (`harness.rs`).
                // It re-queues a woken task claimed, so the next pop
                // writes nothing.
                let keep = m.owned;
                let got = state.transition_to_idle(keep);
                if m.cancelled {
                    prop_assert_eq!(got, Idle::Cancel);
                    m.run = Loop::Cancelling { holds_ref: true };
                } else if m.notified {
                    prop_assert_eq!(got, Idle::Reschedule);
                    m.notified = false;
                    m.run = Loop::Away;
                    m.queued += 1; // the loop's reference goes back in a queue
                    m.claimed = keep;
                    m.claim_queued = keep;
                } else if keep {
                    prop_assert_eq!(got, Idle::Kept);
                    m.run = Loop::Away;
                    m.claimed = false;
                    freed = pool_or_release(&state, &pool, &mut m)?;
                } else {
                    m.run = Loop::Away;
                    m.claimed = false;
                    let last = m.refs() == 0;
                    prop_assert_eq!(got, Idle::Released { last });
                    freed = last;
                }
            }
            Op::Complete if m.running() => {
                // A bound task's poll returning `Ready` first tries the
                // loop-only store: it must succeed exactly when the loop's
                // two references are all there are and no handle is left.
                let loop_only =
                    m.run == Loop::Polling && m.owned && state.complete_if_loop_only(|| true);
                prop_assert_eq!(
                    loop_only,
                    m.run == Loop::Polling && m.owned && !m.handle && m.refs() == 2,
                    "{:?}",
                    m
                );
                if !loop_only {
                    let prev = state.transition_to_complete();
                    prop_assert!(prev.is_running() && !prev.is_complete());
                    prop_assert_eq!(prev.is_join_interested(), m.handle);
                    prop_assert_eq!(prev.is_join_waker_set(), m.join_waker);
                }
                let held = matches!(m.run, Loop::Polling | Loop::Cancelling { holds_ref: true });
                m.complete = true;
                m.run = Loop::Away;
                // A wake during the last poll left NOTIFIED set but made no
                // queue entry: nothing will pop it. A claimed entry still
                // queued (shutdown) is popped as done.
                m.notified = false;
                if held {
                    m.claimed = false;
                }
                if held {
                    let last = state.ref_dec();
                    prop_assert_eq!(last, m.refs() == 0);
                    freed = last;
                }
            }
            Op::Abort if m.handle => {
                let expected = if m.complete || m.cancelled {
                    Schedule::Nothing
                } else if m.running() || m.scheduled() {
                    m.cancelled = true;
                    Schedule::Nothing
                } else {
                    m.cancelled = true;
                    m.queued += 1;
                    Schedule::Push
                };
                prop_assert_eq!(state.transition_to_cancelled(), expected);
            }
            Op::ShutdownClaim => {
                // On the loop's thread, with the loop's flag: a claimed
                // entry still queued is taken over, a poll is not.
                let claimed = state.transition_to_running_for_shutdown(m.claim_queued);
                let expected = !m.complete && m.run == Loop::Away;
                prop_assert_eq!(claimed, expected);
                if claimed {
                    m.claim_queued = false;
                    m.cancelled = true;
                    m.run = Loop::Cancelling { holds_ref: false };
                }
            }
            Op::SetJoinWaker if m.handle && !m.join_waker => {
                let got = state.set_join_waker();
                prop_assert_eq!(got.is_err(), m.complete);
                m.join_waker = !m.complete;
            }
            Op::UnsetJoinWaker if m.handle && m.join_waker => {
                let got = state.unset_join_waker();
                prop_assert_eq!(got.is_err(), m.complete);
                m.join_waker = m.complete;
            }
            Op::PeekJoinWaker if m.owned => {
                // The cell can be read exactly while the task side has it;
                // the peek leaves every other bit and the count alone.
                let before = state.load();
                let peeked = state.begin_join_peek();
                prop_assert_eq!(peeked, before.is_join_waker_set());
                if peeked {
                    state.end_join_peek();
                }
                prop_assert!(state.load() == before, "a peek changed the state");
            }
            Op::DropHandle if m.handle => {
                // `OwnsOutput`: complete, so the handle must drop the
                // output, then release its reference.
                // Dropped on the loop's thread while the task is bound: the
                // plain-store path when the word allows it; same answers.
                let on_loop = m.owned;
                let got = state.drop_join_handle_on_loop(|| on_loop);
                m.handle = false;
                let last = match got {
                    DropJoin::OwnsOutput => {
                        prop_assert!(m.complete);
                        state.ref_dec()
                    }
                    DropJoin::Released { last } => {
                        prop_assert!(!m.complete);
                        last
                    }
                };
                prop_assert_eq!(last, m.refs() == 0);
                freed = last;
            }
            Op::ReleaseOwned if m.owned && m.complete => {
                // The loop closes the pool first (`Core::finished`,
                // `Core::shutdown`), releasing what it held in one step;
                // the list's reference is still there, so never the last.
                // SAFETY: the loop's thread (see `run`'s start).
                let pooled = unsafe { pool.close() };
                prop_assert_eq!(pooled, m.pooled);
                m.pooled = 0;
                if pooled > 0 {
                    prop_assert!(!state.ref_dec_n(pooled));
                }
                m.owned = false;
                let last = state.ref_dec();
                prop_assert_eq!(last, m.refs() == 0);
                freed = last;
            }
            _ => continue,
        }
        prop_assert!(m.queued <= 1, "a task queued twice: {:?}", m);
        if freed {
            prop_assert_eq!(m.refs(), 0);
            break;
        }
        let s = state.load();
        prop_assert_eq!(s.ref_count(), m.refs(), "{:?}", m);
        prop_assert_eq!(s.is_running(), m.running());
        prop_assert_eq!(s.is_complete(), m.complete);
        prop_assert_eq!(s.is_cancelled(), m.cancelled);
        if !m.complete {
            // After completion these bits are stale and never read again:
            // the handle's drop leaves JOIN_INTEREST (it drops the output
            // itself), a wake during the last poll leaves SCHEDULED.
            prop_assert_eq!(s.is_join_interested(), m.handle);
            prop_assert_eq!(s.is_scheduled(), m.scheduled(), "{:?}", m);
            prop_assert_eq!(s.is_notified(), m.notified, "{:?}", m);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256)
    ))]

    #[test]
    fn the_task_state_word_matches_a_model_of_its_actors(ops in prop::collection::vec(op(), 1..200)) {
        run(ops)?;
    }
}
