//! The task allocation: one heap block per task holding the header, the
//! future and, once it finishes, its output.
//!
//! ```text
//!  Box<Cell<F>> ──► ┌──────────────────────────────┐
//!                   │ Header                       │ ◄── every TaskRef, Waker and
//!                   │   state (flags + refcount)   │     JoinHandle points here
//!                   │   vtable ─► poll / cancel /  │
//!                   │             read_output / …  │
//!                   │   scheduler, id              │
//!                   │   join_waker, owned_key      │
//!                   │   polls, loop word (pool,    │
//!                   │     claim, observe/ facts)   │
//!                   ├──────────────────────────────┤
//!                   │ stage: Running(F)            │  the future while it runs,
//!                   │     | Finished(Result<T,_>)  │  then its output,
//!                   │     | Consumed               │  then nothing
//!                   └──────────────────────────────┘
//! ```
//!
//! Code that holds a `NonNull<Header>` does not know `F`. The vtable, made
//! once per future type, holds the functions that do know it, so the run
//! queue can hold tasks of every type side by side as plain pointers.
//!
//! This file and `waker.rs` are where coop's task `unsafe` lives. Who may
//! touch each cell, and when, is decided by the state machine in `state.rs`.

use std::future::Future;
use std::mem::ManuallyDrop;
use std::panic::{self, AssertUnwindSafe};
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

use super::error::JoinError;
use super::id::TaskId;
use super::ref_pool::RefPool;
use super::state::State;
use crate::catch::drop_payload;
use crate::executor::Shared;
use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU32, Ordering};
use crate::loom::sync::Arc;

/// `owned_key` of a task not (or no longer) in the loop's owned-task list.
/// Keys are stored in 32 bits (beside the poll count), so a loop holds at
/// most `UNBOUND` tasks; `OwnedTasks::bind` says so if that is ever reached.
pub(crate) const UNBOUND: usize = u32::MAX as usize;

/// The type-erased front of every task.
///
/// `#[repr(C)]` on [`Cell`] puts the header first, so a pointer to the cell
/// is a pointer to its header and back.
pub(crate) struct Header {
    /// Flags and the reference count (see `state.rs`).
    pub(crate) state: State,
    /// Functions that know the future's concrete type.
    vtable: &'static Vtable,
    /// Where a wake sends the task: the runtime's shared half. Keeps it alive
    /// so that a waker that outlives the runtime stays a safe no-op.
    /// `ManuallyDrop`: `dealloc` hands it back to the loop
    /// (`executor::release_scheduler`) rather than dropping it in place.
    pub(crate) scheduler: ManuallyDrop<Arc<Shared>>,
    /// The task's id, unique in this process.
    pub(crate) id: TaskId,
    /// The key of this task in the loop's owned-task list, or `UNBOUND`.
    /// Only the loop's thread uses it; an atomic (relaxed, so free on common
    /// hardware) keeps that free of `unsafe`.
    owned_key: AtomicU32,
    /// How many times the loop polled this task (saturating), for
    /// snapshots. It shares a word with `owned_key`. Loop-thread only, read
    /// and written with relaxed loads and stores (plain moves, no locked
    /// instruction), like `owned_key`.
    pub(crate) polls: AtomicU32,
    /// The waker of whoever awaits the `JoinHandle`.
    ///
    /// # Invariant
    /// Owned by the `JoinHandle` while `JOIN_WAKER` is unset, by the task
    /// side while it is set (see `state.rs`).
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
    /// The loop word: references to this task that its loop holds on its
    /// behalf (counted in `state` but moved in and out with no atomic
    /// operation), the claim flag, and the observer's facts (its last
    /// wake source and its spawn site, `observe/records.rs`, kept here
    /// beside the state the loop touches anyway rather than in a side table,
    /// so recording a poll or a wake costs no lookup). `ref_pool.rs` has
    /// its layout.
    ///
    /// # Invariant
    /// Touched only on the thread that runs the task's loop.
    pub(crate) pool: RefPool,
}

impl Header {
    /// Whether the task is in its loop's owned-task list (read on that
    /// loop's thread: `owned_key` is the loop's).
    #[inline(always)]
    pub(crate) fn is_bound(&self) -> bool {
        self.owned_key.load(Ordering::Relaxed) != UNBOUND as u32
    }

    /// Whether the task is claimed and still queued, not being polled (see
    /// the field). Only meaningful on the task's loop thread.
    #[inline(always)]
    pub(crate) fn is_claim_queued(&self) -> bool {
        self.pool.is_claim_queued()
    }

    /// Marks a claim queued (`true`, by the claim) or popped (`false`). On
    /// the task's loop thread only.
    #[inline(always)]
    pub(crate) fn set_claim_queued(&self, queued: bool) {
        self.pool.set_claim_queued(queued)
    }
}

/// A task's future or its result.
enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

#[repr(C)]
struct Cell<F: Future> {
    header: Header,
    /// # Invariant
    /// While the task is not `COMPLETE`, only the thread holding `RUNNING`
    /// touches this: the loop's thread, or, when `F: Send` (blocking jobs,
    /// `Handle::spawn` tasks cancelled after shutdown), another thread. After `COMPLETE`, the output belongs
    /// to the `JoinHandle` if `JOIN_INTEREST` was set then, else to the loop,
    /// which drops it at once.
    stage: UnsafeCell<Stage<F>>,
}

/// The functions that know a task's concrete future type.
struct Vtable {
    poll: unsafe fn(NonNull<Header>, &mut Context<'_>) -> Poll<()>,
    cancel: unsafe fn(NonNull<Header>),
    read_output: unsafe fn(NonNull<Header>, *mut ()),
    drop_output: unsafe fn(NonNull<Header>),
    /// Frees the task and returns its reference to the runtime's shared
    /// half, for the caller to release (`executor::release_scheduler`) or,
    /// on the loop, to keep for the next spawn.
    dealloc: unsafe fn(NonNull<Header>) -> Arc<Shared>,
}

/// A counted reference to a task: dropping it releases one reference. The
/// run queue, the owned-task list and the `JoinHandle` each hold one.
pub(crate) struct TaskRef(NonNull<Header>);

impl TaskRef {
    /// Allocates a task. The state starts with three references, returned
    /// as three values: the loop's owned-task list, the first queue entry and
    /// the `JoinHandle`. (A task spawned from another thread drops the first
    /// and the loop adds it again, with `clone_ref`, when it binds the task.)
    #[inline(always)]
    pub(crate) fn allocate<F>(
        future: F,
        scheduler: Arc<Shared>,
        id: TaskId,
    ) -> (TaskRef, TaskRef, TaskRef)
    where
        F: Future + 'static,
    {
        let cell = Box::new(Cell {
            header: Header {
                state: State::new(),
                vtable: vtable::<F>(),
                scheduler: ManuallyDrop::new(scheduler),
                id,
                owned_key: AtomicU32::new(UNBOUND as u32),
                polls: AtomicU32::new(0),
                join_waker: UnsafeCell::new(None),
                pool: RefPool::new(),
            },
            stage: UnsafeCell::new(Stage::Running(future)),
        });
        let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
        (TaskRef(ptr), TaskRef(ptr), TaskRef(ptr))
    }

    /// Takes over one reference that was counted but not yet owned by a
    /// value (a waker turned into a queue entry, say).
    ///
    /// # Safety
    /// `ptr` points to a live task and the caller gives up one counted
    /// reference to it.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> TaskRef {
        TaskRef(ptr)
    }

    /// A second counted reference to the same task.
    pub(crate) fn clone_ref(&self) -> TaskRef {
        self.header().state.ref_inc();
        TaskRef(self.0)
    }

    /// The task's key in the owned-task list, or [`UNBOUND`].
    #[inline(always)]
    pub(crate) fn owned_key(&self) -> usize {
        self.header().owned_key.load(Ordering::Relaxed) as usize
    }

    /// Sets the key; `key` is at most [`UNBOUND`] (the owned list checks).
    #[inline(always)]
    pub(crate) fn set_owned_key(&self, key: usize) {
        debug_assert!(key <= UNBOUND);
        self.header().owned_key.store(key as u32, Ordering::Relaxed)
    }

    /// Whether the task is in its loop's owned-task list.
    #[inline(always)]
    pub(crate) fn is_bound(&self) -> bool {
        self.header().is_bound()
    }

    /// Opens the task's reference pool: the loop has bound the task.
    ///
    /// # Safety
    /// Called on the task's loop thread (a method of its `Core`).
    #[inline(always)]
    pub(crate) unsafe fn open_pool(&self) {
        // SAFETY: forwarded from the caller.
        unsafe { self.header().pool.open() }
    }

    /// Gives this counted reference to the task's reference pool, or
    /// releases it if the pool is closed (the task finished) or full: what
    /// the loop does with a reference it no longer needs (a waker dropped
    /// on the loop, the queue reference of a poll that returned `Pending`).
    ///
    /// # Safety
    /// Called on the task's loop thread (see `ref_pool.rs`).
    #[inline(always)]
    pub(crate) unsafe fn into_pool(self) {
        // SAFETY: forwarded from the caller.
        if unsafe { self.header().pool.put() } {
            // The pool owns the reference now.
            let _ = self.into_raw();
        } else {
            drop(self);
        }
    }

    /// Closes the task's reference pool for good and releases what it held
    /// (one atomic subtraction, none if it was empty). The caller holds a
    /// reference of its own, so this is never the last.
    ///
    /// # Safety
    /// Called on the task's loop thread (a method of its `Core`), once the
    /// task is complete or about to be freed.
    #[inline(always)]
    pub(crate) unsafe fn close_pool(&self) {
        let header = self.header();
        // SAFETY: forwarded from the caller.
        let pooled = unsafe { header.pool.close() };
        if pooled > 0 {
            let last = header.state.ref_dec_n(pooled);
            debug_assert!(!last, "the caller holds a reference");
        }
    }

    /// Gives up this reference after the state machine has already taken it
    /// off the count (in the same step as a transition); frees the task if
    /// that was the last reference.
    pub(crate) fn forget_released(self, last: bool) {
        let ptr = self.into_raw();
        if last {
            // SAFETY: the count reached zero with the transition that
            // released this reference; nothing else can reach the task.
            let shared = unsafe { (ptr.as_ref().vtable.dealloc)(ptr) };
            crate::executor::release_scheduler(shared);
        }
    }

    /// Drops this reference and `other`, a second one to the same task, in
    /// one atomic step rather than two (a finished task's queue and
    /// owned-list references). If they were the last, frees the task and
    /// returns its reference to the runtime's shared half: the loop, which
    /// calls this, keeps it for its next spawn.
    #[must_use]
    pub(crate) fn release_with(self, other: TaskRef) -> Option<Arc<Shared>> {
        debug_assert_eq!(self.0, other.0, "two references to one task");
        let _ = other.into_raw();
        let ptr = self.into_raw();
        // SAFETY: `ptr` was this live reference, not yet taken off the count.
        let state = &unsafe { ptr.as_ref() }.state;
        // The two are the only ones (a detached task with no waker left, the
        // common end): nobody else can see the count again, so it is not
        // updated: a plain load, no locked instruction.
        let last = state.is_sole_owner(2) || state.ref_dec_two();
        // SAFETY: those were the last two references; nothing else can
        // reach the task.
        last.then(|| unsafe { (ptr.as_ref().vtable.dealloc)(ptr) })
    }

    /// Gives up ownership of this reference without dropping it.
    pub(crate) fn into_raw(self) -> NonNull<Header> {
        ManuallyDrop::new(self).0
    }

    pub(crate) fn as_ptr(&self) -> NonNull<Header> {
        self.0
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: a TaskRef holds a counted reference, so the allocation is
        // alive for as long as `self` is.
        unsafe { self.0.as_ref() }
    }

    /// Polls the future once. `Ready` means its result now sits in the
    /// output cell.
    ///
    /// # Safety
    /// With `RUNNING` set by this thread, which must be allowed to touch the
    /// future: the loop's thread, or any thread if the future is `Send`.
    pub(crate) unsafe fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the caller holds RUNNING, which grants the stage cell.
        unsafe { (self.header().vtable.poll)(self.0, cx) }
    }

    /// Drops the future and stores "cancelled" as the result.
    ///
    /// # Safety
    /// As for [`poll`](Self::poll).
    pub(crate) unsafe fn cancel(&self) {
        // SAFETY: the caller holds RUNNING, which grants the stage cell.
        unsafe { (self.header().vtable.cancel)(self.0) }
    }

    /// Drops the stored output.
    ///
    /// # Safety
    /// The task is `COMPLETE` and the caller owns the output (see
    /// [`Cell::stage`]).
    pub(crate) unsafe fn drop_output(&self) {
        // SAFETY: forwarded from the caller.
        unsafe { (self.header().vtable.drop_output)(self.0) }
    }

    /// Moves the output into `*dst`, which must be a
    /// `Poll<Result<F::Output, JoinError>>`.
    ///
    /// # Safety
    /// The task is `COMPLETE`, the caller owns the output, `dst` has the
    /// right type, and the output has not been read before.
    pub(crate) unsafe fn read_output(&self, dst: *mut ()) {
        // SAFETY: forwarded from the caller.
        unsafe { (self.header().vtable.read_output)(self.0, dst) }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        if self.header().state.ref_dec() {
            // SAFETY: that was the last reference; nothing else can reach the
            // allocation any more.
            let shared = unsafe { (self.header().vtable.dealloc)(self.0) };
            crate::executor::release_scheduler(shared);
        }
    }
}

fn vtable<F: Future + 'static>() -> &'static Vtable {
    // A constant promoted to 'static: one vtable per future type.
    &Vtable {
        poll: poll::<F>,
        cancel: cancel::<F>,
        read_output: read_output::<F>,
        drop_output: drop_output::<F>,
        dealloc: dealloc::<F>,
    }
}

/// # Safety
/// `ptr` is the header of a live `Cell<F>`.
unsafe fn cell<'a, F: Future>(ptr: NonNull<Header>) -> &'a Cell<F> {
    // SAFETY: Cell is repr(C) with the header first, so the header pointer
    // is the cell pointer; the caller vouches that the cell is alive and `F`
    // is its type (the vtable that calls this was made for `F`).
    unsafe { ptr.cast::<Cell<F>>().as_ref() }
}

unsafe fn poll<F: Future>(ptr: NonNull<Header>, cx: &mut Context<'_>) -> Poll<()> {
    // SAFETY: called through F's vtable on a live task.
    let cell = unsafe { cell::<F>(ptr) };
    let id = cell.header.id;
    let result = cell.stage.with_mut(|stage| {
        // SAFETY: the caller holds RUNNING: this thread is the only one
        // touching the stage (see `Cell::stage`).
        let stage = unsafe { &mut *stage };
        let Stage::Running(future) = stage else {
            unreachable!("a task is only polled while its future is alive");
        };
        // SAFETY: the future lives inside the heap cell and is never moved
        // out of it until it is dropped in place below.
        let future = unsafe { std::pin::Pin::new_unchecked(future) };
        panic::catch_unwind(AssertUnwindSafe(|| future.poll(cx)))
    });
    let result = match result {
        Ok(Poll::Pending) => return Poll::Pending,
        Ok(Poll::Ready(output)) => Ok(output),
        Err(payload) => Err(JoinError::panic(id, payload)),
    };
    // SAFETY: still RUNNING on this thread.
    unsafe { finish::<F>(cell, result) };
    Poll::Ready(())
}

unsafe fn cancel<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: called through F's vtable on a live task.
    let cell = unsafe { cell::<F>(ptr) };
    let result = Err(JoinError::cancelled(cell.header.id));
    // SAFETY: the caller holds RUNNING.
    unsafe { finish::<F>(cell, result) };
}

/// Replaces the future with its result. Dropping the future runs user code
/// that may panic; that panic is caught and becomes the result, and the
/// result it replaces (an output, or the payload of an earlier panic: user
/// values too) is dropped under a guard. Nothing here unwinds, so the
/// caller always goes on to publish `COMPLETE`.
///
/// # Safety
/// The caller holds `RUNNING` on a thread allowed to touch the future.
unsafe fn finish<F: Future>(cell: &Cell<F>, result: Result<F::Output, JoinError>) {
    let id = cell.header.id;
    cell.stage.with_mut(|stage| {
        // Dropped in place, not moved out first: moving copies the whole
        // future just written by its last poll, and on x86 that copy
        // stalls (its wide loads cannot be forwarded from the narrow
        // stores that wrote it).
        // SAFETY: RUNNING grants exclusive access to the stage, which holds
        // the live future (`Running`). While it drops, nothing else reads
        // the stage: `COMPLETE` is not set (no `read_output` or
        // `drop_output`), `RUNNING` is held (no `poll`, `cancel` or
        // shutdown claim), and the caller's reference keeps the cell alive.
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
            std::ptr::drop_in_place(stage)
        }));
        let finished = match dropped {
            Ok(()) => Stage::Finished(result),
            Err(payload) => {
                drop_caught(result);
                Stage::Finished(Err(JoinError::panic(id, payload)))
            }
        };
        // SAFETY: the old value is dropped (wholly, or as far as its
        // unwinding drop glue went), so it is overwritten, not dropped
        // again; nothing above unwinds between the two.
        unsafe { std::ptr::write(stage, finished) };
    });
}

unsafe fn read_output<F: Future>(ptr: NonNull<Header>, dst: *mut ()) {
    // SAFETY: called through F's vtable on a live task.
    let cell = unsafe { cell::<F>(ptr) };
    let output = cell.stage.with_mut(|stage| {
        // SAFETY: the task is COMPLETE and the caller owns the output.
        let stage = unsafe { &mut *stage };
        match std::mem::replace(stage, Stage::Consumed) {
            Stage::Finished(output) => output,
            _ => unreachable!("JoinHandle polled after it returned Ready"),
        }
    });
    let dst = dst.cast::<Poll<Result<F::Output, JoinError>>>();
    // SAFETY: the caller passes a valid `*mut Poll<Result<F::Output, _>>`;
    // assigning drops the `Pending` it held.
    unsafe { *dst = Poll::Ready(output) };
}

unsafe fn drop_output<F: Future>(ptr: NonNull<Header>) {
    // SAFETY: called through F's vtable on a live task.
    let cell = unsafe { cell::<F>(ptr) };
    cell.stage.with_mut(|stage| {
        // The output is user data: a panic in its destructor (or in the
        // destructor of a panic payload it holds) must not unwind into the
        // loop. Dropped in place, as in `finish`.
        // SAFETY: the task is COMPLETE and the caller owns the output; the
        // caller's reference keeps the cell alive while it drops.
        let dropped = panic::catch_unwind(AssertUnwindSafe(|| unsafe {
            std::ptr::drop_in_place(stage)
        }));
        // SAFETY: the old value is dropped; overwritten, not dropped again.
        unsafe { std::ptr::write(stage, Stage::Consumed) };
        if let Err(payload) = dropped {
            drop_payload(payload);
        }
    });
}

unsafe fn dealloc<F: Future>(ptr: NonNull<Header>) -> Arc<Shared> {
    // SAFETY: the last reference is gone; the cell was made by `Box::new` in
    // `allocate` with this `F`. By then the future has been dropped by the
    // thread that held RUNNING (completion or shutdown), so only `Send`
    // parts remain.
    let mut cell = unsafe { Box::from_raw(ptr.cast::<Cell<F>>().as_ptr()) };
    // SAFETY: taken once, here, as the header goes away; nothing reads
    // the field after this.
    let scheduler = unsafe { ManuallyDrop::take(&mut cell.header.scheduler) };
    // What is left is user data: the join waker (the awaiter's), or an
    // output nobody took if a call-out unwound between `COMPLETE` and
    // dropping it. A panic in their `Drop` stops here; the unwind still
    // drops the other fields and frees the allocation.
    drop_caught(cell);
    scheduler
}

// SAFETY: a TaskRef crosses threads (remote queue, wakers, JoinHandle,
// blocking pool) but from another thread only the state word (atomic), the
// scheduler (`Arc`) and the join-waker cell (handed over by the JOIN_WAKER
// protocol) are touched. The future is touched only by the RUNNING holder,
// on the loop's thread unless the future is `Send` (only `Handle::spawn`
// and `spawn_blocking` hand a task to other threads, and both require
// `F: Send`, `F::Output: Send`); the output by that holder or by a
// `JoinHandle<T>` that is itself `Send` only when `T` is.
unsafe impl Send for TaskRef {}

/// Drops a user value (a future, an output, a waker) without letting a
/// panic in its `Drop` unwind into coop (see `catch.rs`). Inlined: on the
/// path every task takes, a call to the generic `catch::catch` costs more
/// than the landing pad, which is free until something panics.
#[inline(always)]
pub(super) fn drop_caught<T>(value: T) {
    if let Err(payload) = panic::catch_unwind(AssertUnwindSafe(move || drop(value))) {
        drop_payload(payload);
    }
}
