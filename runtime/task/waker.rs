//! The only place a task's [`Waker`] is built.
//!
//! A waker is a pointer to the task's header plus this vtable. Cloning it
//! adds a reference; dropping it removes one (on the task's loop thread,
//! both move a reference out of or into the loop's pool instead, with no
//! atomic operation: `ref_pool.rs`); waking it runs
//! [`State::transition_to_scheduled`](super::state::State::transition_to_scheduled)
//! (on the task's own loop thread, [`State::wake_on_loop`](super::state::State::wake_on_loop),
//! which also claims the task so that the loop's pop writes nothing) and,
//! if the task was idle, hands a queue reference to
//! [`executor::schedule`](crate::executor::schedule), which pushes it on the
//! local run queue when called on the loop's thread, or on the remote queue
//! (and wakes the loop) from any other thread.
//!
//! Wakers are `Send + Sync` by Rust's contract, so everything they touch
//! (the state word, the scheduler's shared half) is thread-safe. They never
//! touch the future. A waker that outlives its runtime finds the remote
//! queue closed and does nothing.

use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use super::raw::{Header, TaskRef};
use super::state::{Schedule, WakeByVal};
use crate::trace;

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker for polling `task` that borrows the caller's reference instead of
/// taking one: polling a task costs no reference-count traffic unless the
/// future clones the waker to keep it.
pub(crate) fn waker_ref(task: &TaskRef) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(task.as_ptr().as_ptr() as *const (), &VTABLE);
    // SAFETY: the vtable's functions uphold RawWaker's contract (see each
    // below). ManuallyDrop keeps this borrowed waker from releasing the
    // caller's reference; clones made from it count their own.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// Whether a wake of the task behind `h` runs on its own loop's thread and
/// the task is bound there: then the wake claims the task
/// (`State::wake_on_loop`), so the loop's pop writes nothing.
#[inline(always)]
fn on_own_loop(h: &Header) -> bool {
    crate::executor::is_own_loop(&h.scheduler) && h.is_bound()
}

/// The wake of a task on its own loop (see [`on_own_loop`]). `by_val`: the
/// caller's reference becomes the queue reference if the task is pushed;
/// otherwise the caller still holds it afterwards.
#[inline(always)]
fn wake_on_loop(header: NonNull<Header>, by_val: bool) -> Schedule {
    // SAFETY: called from a waker, which holds a counted reference.
    let h = unsafe { header.as_ref() };
    let id = h.id;
    let woke = h.state.wake_on_loop(by_val, h.is_claim_queued());
    match woke {
        Schedule::Push => {
            // Queued claimed: the pop will know its RUNNING is the claim's.
            h.set_claim_queued(true);
            // SAFETY: the transition added one reference for the queue
            // entry, or (`by_val`) the caller gives up its own.
            let task = unsafe { TaskRef::from_raw(header) };
            crate::executor::schedule(task);
        }
        Schedule::Nothing => trace::task_wake_ignored(id),
    }
    woke
}

/// Schedules the task behind `header` if the wake finds it idle.
fn schedule(header: NonNull<Header>) {
    // SAFETY: called from a waker, which holds a counted reference.
    let h = unsafe { header.as_ref() };
    if on_own_loop(h) {
        let _ = wake_on_loop(header, false);
        return;
    }
    match h.state.transition_to_scheduled() {
        Schedule::Push => {
            // SAFETY: the transition added one reference for the queue entry.
            let task = unsafe { TaskRef::from_raw(header) };
            crate::executor::schedule(task);
        }
        Schedule::Nothing => trace::task_wake_ignored(h.id),
    }
}

unsafe fn clone(ptr: *const ()) -> RawWaker {
    // SAFETY: `ptr` came from a waker of a live task (RawWaker contract).
    let header = unsafe { &*(ptr as *const Header) };
    // On the task's loop, a reference from the loop's pool if it holds one
    // (`ref_pool.rs`): no atomic operation.
    // SAFETY: `is_own_loop` proved this is the task's loop thread.
    if !(crate::executor::is_own_loop(&header.scheduler) && unsafe { header.pool.take() }) {
        header.state.ref_inc();
    }
    RawWaker::new(ptr, &VTABLE)
}

unsafe fn wake(ptr: *const ()) {
    // SAFETY: RawWaker contract: `ptr` is a task header kept alive by the
    // reference this waker owns.
    let header = unsafe { NonNull::new_unchecked(ptr as *mut Header) };
    // SAFETY: as above.
    let h = unsafe { header.as_ref() };
    if on_own_loop(h) {
        if wake_on_loop(header, true) == Schedule::Nothing {
            // The waker's reference is still ours: into the pool, as a drop
            // on the loop (the wake changed nothing, or set a flag).
            // SAFETY: this waker owned one counted reference, and
            // `on_own_loop` proved this is the task's loop thread.
            unsafe { TaskRef::from_raw(header).into_pool() };
        }
        return;
    }
    // Read before the transition, after which this waker no longer keeps
    // the task alive.
    let id = h.id;
    // SAFETY: this waker owned one counted reference; the TaskRef takes it
    // over. The transition below either makes it the queue entry or takes it
    // off the count, in the same atomic step as the wake.
    let task = unsafe { TaskRef::from_raw(header) };
    match task.header().state.transition_to_scheduled_by_val() {
        WakeByVal::Push => crate::executor::schedule(task),
        WakeByVal::Released { last } => {
            task.forget_released(last);
            trace::task_wake_ignored(id);
        }
    }
}

unsafe fn wake_by_ref(ptr: *const ()) {
    // SAFETY: RawWaker contract: the waker's reference keeps the task alive.
    let header = unsafe { NonNull::new_unchecked(ptr as *mut Header) };
    schedule(header);
}

unsafe fn drop_waker(ptr: *const ()) {
    // SAFETY: this waker owned one counted reference; the TaskRef takes it.
    let task = unsafe { TaskRef::from_raw(NonNull::new_unchecked(ptr as *mut Header)) };
    if crate::executor::is_own_loop(&task.header().scheduler) {
        // On the task's loop, its reference goes into the loop's pool
        // unless that is closed (the task finished) or full (`ref_pool.rs`).
        // SAFETY: `is_own_loop` proved this is the task's loop thread.
        unsafe { task.into_pool() };
    } else {
        drop(task);
    }
}
