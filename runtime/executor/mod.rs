//! The executor: the loop that picks a task, polls it until it awaits, and
//! switches to the next.
//!
//! ```text
//!            ┌──────────────────────────────────────────────────────────┐
//!            │ block_on(main)                                            │
//!            │  1. main future woken?  poll it; Ready → return           │
//!            │  2. pick: pop up to `event_interval` tasks, one at a time │
//!            │       poll: run it until it returns Pending (or Ready)    │
//!            │       switch: on to the next task                         │
//!            │  3. turn: park in epoll, or on a condvar if no socket is  │
//!            │       registered (timeout 0 if work is left, else until   │
//!            │       the next timer), wake I/O waiters, fire due timers  │
//!            └──────────────────────── repeat ───────────────────────────┘
//! ```
//!
//! Step 2 is the whole lesson of cooperative multitasking: a task runs until
//! *it* says it cannot go on (`Pending`), and nothing preempts it. Step 3
//! only sleeps when there is nothing to run, and then only until the next
//! timer, so waiting costs no CPU.
//!
//! [`Core`] holds everything that lives on the loop's thread; [`Shared`]
//! (in `shared.rs`) the part other threads reach through wakers.

mod chunks;
#[cfg(all(test, not(loom), not(miri)))]
mod chunks_proptests;
mod owned;
mod queue_policy;
mod run_queue;
#[cfg(all(test, not(loom), not(miri)))]
mod run_queue_proptests;
mod shared;
mod turn;
mod waiting;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

pub use queue_policy::QueuePolicy;
pub(crate) use shared::Shared;
pub use turn::Turn;

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io;
use std::panic::Location;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::context;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, WakeArc};
use crate::observe::{Metrics, Observer, Origin, Polled, TaskSnapshot, TaskState};
use crate::park::Driver;
use crate::task::{new_task, IdBlock, JoinHandle, Ran, TaskId, TaskRef, WakeSource, UNBOUND};
use crate::time::heap::TimerHeap;
use crate::time::Clock;
use crate::trace;

use owned::OwnedTasks;
use run_queue::LocalQueue;

/// Tunables, set through [`Builder`](crate::Builder).
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// Tasks polled between two looks at I/O and timers while tasks keep
    /// running.
    pub(crate) event_interval: u32,
    /// Budget units per task poll (see `budget.rs`).
    pub(crate) budget: u32,
    /// Every this many picks, the remote queue goes first.
    pub(crate) remote_interval: u32,
    /// The blocking pool's cap and keep-alive.
    pub(crate) pool: crate::blocking::PoolConfig,
    /// Whether the clock starts paused (`Builder::start_paused`).
    pub(crate) start_paused: bool,
    /// Polls longer than this are reported (`Builder::slow_poll_threshold`).
    pub(crate) slow_poll: Option<Duration>,
    /// Which runnable task goes first (`Builder::queue_policy`).
    pub(crate) queue_policy: QueuePolicy,
}

/// The loop-thread half of a runtime.
pub(crate) struct Core {
    shared: Arc<Shared>,
    run_queue: LocalQueue,
    /// Every live task bound to this loop, so shutdown can drop them all.
    owned: OwnedTasks,
    timers: RefCell<TimerHeap>,
    /// The runtime's clock, real or paused (`time/clock.rs`).
    clock: Clock,
    /// Reused buffer for the wakers of timers that fired.
    fired: RefCell<Vec<(Instant, Waker)>>,
    driver: RefCell<Driver>,
    #[cfg(not(loom))]
    io: Arc<crate::reactor::IoHandle>,
    config: Config,
    /// Picks left until the remote queue goes first again.
    remote_countdown: Cell<u32>,
    /// Ids for tasks spawned on this thread.
    ids: IdBlock,
    /// The task being polled right now, for `coop::task::id()`.
    current: Cell<Option<TaskId>>,
    /// The seam to metrics, wake sources, snapshots and the timeline
    /// (`observe/`): the loop reports each step to it.
    observe: Observer,
    /// Counted references to `shared` that freed tasks handed back (see
    /// [`release_scheduler`]), for the next spawns: a task's reference to
    /// its runtime then costs no atomic operation when it is made or
    /// dropped on the loop. At most [`SPARE_REFS`] are kept.
    spare_refs: RefCell<Vec<Arc<Shared>>>,
    /// Set as shutdown begins, before the remote queue closes: from then
    /// on a waking thread that finds it closed drops its queue reference
    /// itself, so a queued task's queue reference may be another thread's
    /// (see [`is_own_bound_task`]).
    closing: Cell<bool>,
}

/// How many spare references to `Shared` the loop keeps: enough for any
/// steady spawn-and-finish churn, small enough not to matter (8 B each).
const SPARE_REFS: usize = 1024;

impl Core {
    pub(crate) fn new(config: Config) -> io::Result<Core> {
        let (driver, unparker) = Driver::new()?;
        let clock = Clock::new(config.start_paused);
        Ok(Core {
            shared: Arc::new(Shared::new(unparker, config.pool.clone())),
            run_queue: LocalQueue::new(config.queue_policy),
            owned: OwnedTasks::default(),
            timers: RefCell::new(TimerHeap::new(clock.now())),
            clock,
            fired: RefCell::new(Vec::new()),
            #[cfg(not(loom))]
            io: driver.io_handle().clone(),
            driver: RefCell::new(driver),
            observe: Observer::new(config.slow_poll),
            config,
            remote_countdown: Cell::new(0),
            ids: IdBlock::default(),
            current: Cell::new(None),
            spare_refs: RefCell::new(Vec::new()),
            closing: Cell::new(false),
        })
    }

    /// The runtime's id, unique in the process.
    pub(crate) fn id(&self) -> u64 {
        self.shared.id
    }

    /// The thread-safe half, for `Handle`s.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    pub(crate) fn timers(&self) -> &RefCell<TimerHeap> {
        &self.timers
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    #[cfg(not(loom))]
    pub(crate) fn io_handle(&self) -> &Arc<crate::reactor::IoHandle> {
        &self.io
    }

    /// Number of tasks alive on this loop.
    pub(crate) fn task_count(&self) -> usize {
        self.owned.len()
    }

    /// Allocates a task for `future`, binds it to this loop and queues it.
    /// Inlined down to the allocation, so the future is copied once, into
    /// it; what does not depend on `F` is in `bind_and_queue`.
    #[inline(always)]
    pub(crate) fn spawn<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        self.spawn_named(future, location, None)
    }

    /// [`spawn`](Self::spawn) with an optional name, kept in the observer's
    /// map of names until the task finishes.
    #[inline(always)]
    pub(crate) fn spawn_named<F>(
        &self,
        future: F,
        location: &'static Location<'static>,
        name: Option<Box<str>>,
    ) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let id = self.ids.next();
        // The task is born with its owned-list reference, so binding it
        // costs no reference-count update.
        let (owned, queued, join) = new_task(future, self.scheduler_ref(), id, location);
        self.bind_and_queue(owned, queued, location, name);
        JoinHandle::new(join)
    }

    /// The untyped half of a spawn: bind the new task, queue it.
    #[inline(never)]
    fn bind_and_queue(
        &self,
        owned: TaskRef,
        queued: TaskRef,
        location: &'static Location<'static>,
        name: Option<Box<str>>,
    ) {
        if self.bind(owned, location, name.as_deref()) {
            self.run_queue.push(queued);
        }
    }

    /// A counted reference to this loop's shared half for a new task's
    /// header: a spare one if a finished task left one behind, so that a
    /// spawn, like the task's end, costs no reference-count update.
    #[inline(always)]
    fn scheduler_ref(&self) -> Arc<Shared> {
        let spare = self
            .spare_refs
            .try_borrow_mut()
            .ok()
            .and_then(|mut s| s.pop());
        spare.unwrap_or_else(|| self.shared.clone())
    }

    /// Keeps the reference of a task freed on the loop for the next spawn
    /// (see `spare_refs`), or drops it if enough are kept.
    #[inline(always)]
    fn keep_spare(&self, shared: Arc<Shared>) {
        debug_assert!(Arc::ptr_eq(&shared, &self.shared));
        if let Ok(mut spare) = self.spare_refs.try_borrow_mut() {
            if spare.len() < SPARE_REFS {
                spare.push(shared);
            }
        }
    }

    /// The id of the task being polled, if any.
    pub(crate) fn current_task(&self) -> Option<TaskId> {
        self.current.get()
    }

    /// A counted reference to every owned task (unit tests).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn owned_refs(&self) -> Vec<TaskRef> {
        self.owned.with_each(|_, task| task.clone_ref())
    }

    /// What the loop has done so far (`Runtime::metrics`).
    pub(crate) fn metrics(&self) -> Metrics {
        self.observe.metrics(self.run_queue.max_depth())
    }

    /// The loop's observer, for the few reports made outside the loop
    /// (a budget yield inside a poll).
    pub(crate) fn observe(&self) -> &Observer {
        &self.observe
    }

    /// One snapshot per live task, in task-list order (`Runtime::tasks`).
    pub(crate) fn tasks(&self) -> Vec<TaskSnapshot> {
        let records = self.observe.records();
        let taken_at = self.clock.now();
        let mut tasks = self.owned.with_each(|_, task| {
            let header = task.header();
            let record = self.observe.record(task);
            let state = header.state.load();
            TaskSnapshot {
                id: header.id,
                name: records.name_of(header.id),
                spawned_at: records.site_of(record),
                // A claimed task (`SCHEDULED | RUNNING`) runs only if it is
                // the one being polled; otherwise it waits in the queue.
                state: if state.is_running() && !header.is_claim_queued() {
                    TaskState::Running
                } else if state.is_scheduled() {
                    TaskState::Runnable
                } else {
                    TaskState::Waiting
                },
                polls: record.polls(),
                woken_by: record.woken_by(),
                waiting_on: None,
                taken_at,
            }
        });
        // What the waiting ones wait on: looked up now, off the hot path
        // (`waiting.rs`).
        let waiting: Vec<bool> = tasks
            .iter()
            .map(|t| t.state == TaskState::Waiting)
            .collect();
        for (task, on) in tasks.iter_mut().zip(self.waiting_on(&waiting)) {
            task.waiting_on = on;
        }
        tasks
    }

    /// Binds a task to this loop's task list. After shutdown has begun the
    /// list refuses it: the task is cancelled here and now, on the loop's
    /// thread (its future dropped, its `JoinHandle` finished), and `false`
    /// says it must not be queued.
    #[inline(always)]
    fn bind(&self, owned: TaskRef, at: &'static Location<'static>, name: Option<&str>) -> bool {
        let id = owned.header().id;
        self.observe.binding(&owned, at, WakeSource::Spawn);
        // SAFETY: a method of the loop's `Core` (which is `!Send`): this is
        // the task's loop thread.
        unsafe { owned.open_pool() };
        match self.owned.bind(owned) {
            Ok(()) => {
                self.observe.bound(id, at, name, WakeSource::Spawn);
                true
            }
            Err(refused) => {
                // SAFETY: as above; nothing was pooled yet.
                unsafe { refused.close_pool() };
                cancel_refused(refused);
                false
            }
        }
    }

    /// Runs `future` to completion on this thread, running spawned tasks,
    /// I/O and timers while it waits. See the module docs for the loop.
    /// `#[track_caller]`: a nested call panics at the user's line.
    #[track_caller]
    pub(crate) fn block_on<F: Future>(self: &Rc<Self>, future: F) -> F::Output {
        let _enter = context::enter(self.clone());
        let main = WakeArc::new(MainWaker {
            woken: Woken::new(),
            shared: self.shared.clone(),
        });
        let waker = Waker::from(main.clone());
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        self.observe.resumed();

        loop {
            // 1. The future given to block_on is not a task; it has its own
            //    waker that just sets `woken`.
            if main.woken.take() {
                trace::block_on_poll();
                self.observe.block_on_started();
                let polled = crate::budget::with_budget(self.config.budget, || {
                    future.as_mut().poll(&mut cx)
                });
                self.observe.block_on_ended(polled.is_ready());
                if let Poll::Ready(output) = polled {
                    return output;
                }
            }
            // 2. Pick, poll, switch.
            for _ in 0..self.config.event_interval {
                let Some(task) = self.next_task() else { break };
                self.run_task(task);
            }
            // 3. I/O and timers.
            self.turn(|| main.woken.get());
        }
    }

    /// One step for `Runtime::turn`: poll one runnable task once, or, with
    /// none runnable, look at I/O and timers without sleeping.
    pub(crate) fn step(self: &Rc<Self>) -> Turn {
        let _enter = context::enter(self.clone());
        self.observe.resumed();
        if let Some(task) = self.next_task() {
            let id = task.header().id;
            let ready = self.run_task(task);
            return Turn::Polled { task: id, ready };
        }
        let (events, timers_fired) = self.park_with(Some(Duration::ZERO), || false);
        // The loop's own wake-up (a remote wake) counts as an event in
        // the driver; what matters here is whether anything became runnable.
        if events == 0
            && timers_fired == 0
            && self.run_queue.is_empty()
            && self.shared.remote.is_empty()
        {
            Turn::Idle
        } else {
            Turn::Parked {
                events,
                timers_fired,
            }
        }
    }

    /// Picks the next task. Local first, but every `remote_interval` picks
    /// the remote queue goes first, so neither can starve the other.
    fn next_task(&self) -> Option<TaskRef> {
        // A countdown rather than `tick % remote_interval`: a division on
        // every pick is measurable.
        let left = self.remote_countdown.get();
        if left == 0 {
            self.remote_countdown.set(self.config.remote_interval - 1);
            self.pop_remote().or_else(|| self.run_queue.pop())
        } else {
            self.remote_countdown.set(left - 1);
            self.run_queue.pop().or_else(|| self.pop_remote())
        }
    }

    /// Takes a task off the remote queue: a remote wake (reported to the
    /// observer here, on the loop, so the waking thread counts nothing), or
    /// a task spawned on another thread, which joins this loop's task list
    /// now.
    fn pop_remote(&self) -> Option<TaskRef> {
        loop {
            let (task, origin) = self.shared.remote.pop()?;
            match origin {
                Origin::Woken(source) => self.observe.woke_remotely(&task, source),
                Origin::Spawned(at) => {
                    if task.owned_key() == UNBOUND && !self.bind(task.clone_ref(), at, None) {
                        continue;
                    }
                }
            }
            return Some(task);
        }
    }

    /// Polls one task once and files it according to the outcome. Returns
    /// whether it finished.
    fn run_task(&self, task: TaskRef) -> bool {
        let id = task.header().id;
        trace::pick(id);
        // Tasks spawned on other threads were bound when popped.
        debug_assert_ne!(task.owned_key(), UNBOUND);
        self.current.set(Some(id));
        self.observe.poll_started(&task, id);
        let ran = task.run_on_loop(self.config.budget);
        let outcome = match &ran {
            Ran::Idle => Polled::Pending,
            Ran::Reschedule(task) => Polled::Rescheduled(task),
            Ran::Complete(_) => Polled::Ready,
        };
        // Whatever the outcome, the owned list still holds the task here:
        // the (rare) slow-poll warning looks its spawn site up there, so no
        // key has to be kept across the poll.
        self.observe.poll_ended(id, outcome, |records| {
            self.owned
                .find(id, |task| records.site_of(self.observe.record(task)))
                .flatten()
        });
        self.current.set(None);
        match ran {
            Ran::Idle => false,
            Ran::Reschedule(task) => {
                self.run_queue.push(task);
                false
            }
            Ran::Complete(task) => {
                self.finished(id, task);
                true
            }
        }
    }

    /// Task `id` finished: it leaves the owned list. Out of line, so the
    /// poll path above stays small for the tasks that go on (4 instructions
    /// fewer per poll of ping_pong, 15 more per task of spawn_chain).
    #[inline(never)]
    fn finished(&self, id: TaskId, task: TaskRef) {
        // The references its pool held go first (none, for a task that
        // never went idle or dropped a waker on the loop): a task that
        // finished pools nothing more.
        // SAFETY: a method of the loop's `Core`: this is the task's loop
        // thread, and the task is complete.
        unsafe { task.close_pool() };
        // Dropped outside the list's borrow: the last reference may free
        // the task, which may run user destructors. The list's reference
        // and the queue's go in one atomic step.
        match self.owned.release(&task) {
            Some(owned) => {
                self.observe.released(id);
                if let Some(shared) = task.release_with(owned) {
                    self.keep_spare(shared);
                }
            }
            None => drop(task),
        }
    }

    /// Parks in the driver (zero timeout if anything is runnable), then
    /// fires due timers.
    fn turn(&self, main_woken: impl Fn() -> bool) {
        self.run_queue.trim();
        let has_work = || !self.run_queue.is_empty() || main_woken();
        let timeout_now = || {
            if has_work() {
                Some(Duration::ZERO)
            } else {
                self.timers
                    .borrow()
                    .next_deadline()
                    .map(|deadline| deadline.saturating_duration_since(self.clock.now()))
            }
        };
        // Traced first, while nothing is borrowed and before the loop looks
        // for work: a subscriber may wake or spawn here (see `trace.rs`).
        // The timeout is computed only if a subscriber listens.
        trace::park(timeout_now);
        self.park_with(timeout_now(), has_work);
    }

    /// Parks for at most `timeout` (less if work arrives) and fires due
    /// timers. Returns the I/O events and the timers fired.
    fn park_with(
        &self,
        mut timeout: Option<Duration>,
        has_work: impl Fn() -> bool,
    ) -> (usize, usize) {
        let from = self.observe.parking();
        let mut driver = self.driver.borrow_mut();
        let on = driver.park_on();
        // Paused time: rather than sleep until the next timer, jump the
        // clock to it if the loop is idle (one branch when not paused).
        if timeout != Some(Duration::ZERO) && self.clock.is_paused() {
            timeout = self.auto_advance(&mut driver, on, &has_work);
        }
        let mut sleeping = false;
        if timeout != Some(Duration::ZERO) {
            if self.shared.prepare_park(on, &has_work) {
                sleeping = true;
            } else {
                timeout = Some(Duration::ZERO);
            }
        }
        let events = driver.park(on, timeout);
        drop(driver);
        if sleeping {
            self.shared.after_park();
        }
        trace::unpark(events);
        self.observe.timers_firing();
        let fired = self.fire_timers();
        self.observe.unparked(from, events, fired);
        (events, fired)
    }

    /// The loop would sleep with a paused clock: looks at I/O without
    /// sleeping and, if nothing is ready and no task became runnable, moves
    /// the clock to the next timer's deadline. Returns the park timeout
    /// left: zero (something to do now), or `None` with no timer at all
    /// (only a wake from outside can end that wait, paused or not).
    /// See `time/pause.rs`.
    #[cold]
    fn auto_advance(
        &self,
        driver: &mut Driver,
        on: crate::park::ParkOn,
        has_work: impl Fn() -> bool,
    ) -> Option<Duration> {
        let events = driver.park(on, Some(Duration::ZERO));
        if events > 0 || has_work() || !self.shared.remote.is_empty() {
            return Some(Duration::ZERO);
        }
        let next = self.timers.borrow().next_deadline()?;
        self.clock.advance_to(next);
        Some(Duration::ZERO)
    }

    /// Wakes every timer whose deadline has passed, in deadline order, and
    /// returns how many fired.
    fn fire_timers(&self) -> usize {
        if self.timers.borrow().len() == 0 {
            return 0;
        }
        let now = self.clock.now();
        let mut fired = self.fired.take();
        self.timers.borrow_mut().fire_due(now, &mut fired);
        let count = fired.len();
        for (deadline, waker) in fired.drain(..) {
            trace::timer_fired(deadline, now);
            // User code (whoever polled the `Sleep`): a panic in it must
            // not lose the other timers' wakes.
            let _ = crate::catch::catch(|| waker.wake());
        }
        self.fired.replace(fired);
        count
    }

    /// Cancels every task (dropping its future here, on the loop's thread),
    /// refuses further remote spawns and wakes, and empties the queues.
    ///
    /// ```text
    ///  1. close the remote queue   Handle::spawn now cancels on its own thread;
    ///                              queued remote spawns are cancelled here
    ///  2. close the task list      coop::spawn now cancels on the spot;
    ///                              every bound task is cancelled here
    ///  3. empty the local queue    until it stays empty
    /// ```
    ///
    /// Every step runs user destructors (futures, outputs, join wakers)
    /// with this runtime current, so they may spawn, wake or call
    /// `Handle::spawn`. Each step closes its door *before* it runs them, so
    /// nothing they start can join the runtime after it was drained: what
    /// they spawn is cancelled at once, with its future dropped on this
    /// thread, and its `JoinHandle` reports cancelled. (A wake can only
    /// queue a task that is not finished, and after step 2 every task is.)
    /// Called twice (`shutdown_timeout`, then the drop), the second call
    /// finds nothing to do.
    pub(crate) fn shutdown(self: &Rc<Self>) {
        context::scoped(self.clone(), || {
            self.closing.set(true);
            for task in self.shared.remote.close() {
                if task.owned_key() == UNBOUND {
                    task.shutdown();
                }
            }
            let tasks = self.owned.close();
            for task in &tasks {
                // This thread is the tasks' loop: a claimed task still in
                // the run queue is cancelled too.
                task.shutdown_on_loop();
                // SAFETY: a method of the loop's `Core`: this is the task's
                // loop thread; the task is complete now, and the list's
                // reference (in `tasks`) outlives the pool's.
                unsafe { task.close_pool() };
            }
            drop(tasks);
            self.observe.cleared();
            while !self.run_queue.is_empty() {
                self.run_queue.clear();
            }
            // Wakers still in the timer heap belong to `Sleep`s that no task
            // owns any more (leaked, or kept outside the loop). A waker's
            // `Drop` is user code: run it now, while the runtime is current
            // and its task list is closed, each under `catch`, rather than
            // when the `Core` is freed with no runtime current.
            let wakers = self.timers.borrow_mut().take_wakers();
            for waker in wakers {
                let _ = crate::catch::catch(|| drop(waker));
            }
            while !self.run_queue.is_empty() {
                self.run_queue.clear();
            }
        });
        self.observe.finish();
    }
}

/// Cancels a task the closed task list refused (see `Core::bind`). Out of
/// line and cold: it only happens during shutdown.
#[cold]
#[inline(never)]
fn cancel_refused(refused: TaskRef) {
    refused.shutdown();
}

/// Sends a task's queue reference to the run queue of its runtime: the
/// local queue when called on that runtime's loop, else the remote queue.
pub(crate) fn schedule(task: TaskRef) {
    let id = task.header().id;
    let mut task = Some(task);
    let mut source = 0;
    // The one thread-local read of a wake: the current runtime, whose
    // observer knows who is waking.
    context::try_with_core(|core| {
        let header = task.as_ref().expect("not taken yet").header();
        if Arc::ptr_eq(&core.shared, &header.scheduler) {
            let task = task.take().expect("not taken yet");
            source = core.observe.woke(&task);
            core.run_queue.push(task);
        }
    });
    // Traced outside the borrow of the current runtime, once queued.
    let Some(task) = task else {
        trace::task_wake(id, false, || crate::observe::unpack_source(source));
        return;
    };
    // Off the loop (or on another runtime's): a pool worker or another
    // thread. The source travels with the task in the remote queue.
    let source = if crate::blocking::on_worker() {
        WakeSource::Blocking
    } else {
        WakeSource::Remote
    };
    trace::task_wake(id, true, || Some(source));
    let shared = Arc::clone(&task.header().scheduler);
    shared.push_remote(task, source);
}

/// Whether this thread runs `task`'s loop, the task is in its owned list
/// (`owned_key` is read only once the thread is known to be the loop's),
/// and shutdown has not begun. Then the list's reference, and the queue
/// reference of a task that is queued and not running, are this thread's
/// (`State::drop_join_handle_on_loop`): the queue reference sits in the
/// local queue or the remote one, which only this thread pops. A waking
/// thread that has just turned its waker into the queue reference touches
/// the state word no more (it pushes, and the push cannot fail while the
/// remote queue is open, which only this thread can end: `closing`).
pub(crate) fn is_own_bound_task(task: &TaskRef) -> bool {
    context::try_with_core(|core| {
        Arc::ptr_eq(&core.shared, &task.header().scheduler)
            && task.owned_key() != UNBOUND
            && !core.closing.get()
    })
    .unwrap_or(false)
}

/// Whether this thread runs the loop of the runtime whose shared half is
/// `scheduler` (a task's header holds it): then, and only then, the task's
/// loop-owned parts (its reference pool, `task/ref_pool.rs`) may be
/// touched. The `Core` current on this thread is `!Send`, so it is this
/// thread's; the task's `Arc` keeps `scheduler` alive, so no other runtime
/// can have reused its address.
#[inline(always)]
pub(crate) fn is_own_loop(scheduler: &Arc<Shared>) -> bool {
    context::is_loop_of(scheduler)
}

/// A freed task's counted reference to its runtime's shared half: kept by
/// that runtime's loop for its next spawn if this is the loop's thread
/// (a freed task's reference costs no atomic decrement, the next spawn's no
/// increment), dropped otherwise.
pub(crate) fn release_scheduler(shared: Arc<Shared>) {
    let mut shared = Some(shared);
    context::try_with_core(|core| {
        if Arc::ptr_eq(&core.shared, shared.as_ref().expect("not taken yet")) {
            core.keep_spare(shared.take().expect("not taken yet"));
        }
    });
    drop(shared);
}

/// The waker of the future passed to `block_on`.
struct MainWaker {
    woken: Woken,
    shared: Arc<Shared>,
}

/// The main future's "woken" flag: set by its waker on any thread, taken by
/// the loop before each poll.
///
/// `set` is a `swap`, not a `store`: a read-modify-write orders itself after
/// the loop's last `take` in loom's model. Loom 0.7 keeps a *partial*
/// modification order, so a plain `store(true)` that never read the flag is
/// unordered with the loop's earlier `swap(false)`, and loom would then let
/// the loop's next `swap` read the old `false` (a lost wake that cannot
/// happen on real hardware). The same holds for `Shared::sleeping`.
struct Woken(AtomicBool);

impl Woken {
    /// Starts set: the main future is polled once at first.
    fn new() -> Woken {
        Woken(AtomicBool::new(true))
    }

    fn set(&self) {
        self.0.swap(true, Ordering::SeqCst);
    }

    /// Clears the flag, returning whether it was set.
    fn take(&self) -> bool {
        self.0.swap(false, Ordering::AcqRel)
    }

    fn get(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl std::task::Wake for MainWaker {
    fn wake(self: WakeArc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &WakeArc<Self>) {
        self.woken.set();
        crate::observe::block_on_woken(self.shared.id);
        self.shared.unpark();
    }
}
