//! Observability: the one seam through which the loop reports what it does.
//!
//! The executor calls an [`Observer`] hook at each step of its cycle, and
//! nothing else of metrics, wake sources, snapshots, slow-poll warnings or
//! the timeline enters the loop: every `cfg` and every counter lives here.
//!
//! ```text
//!   spawn ───────────► bound(task, at, name)    header: woken = Spawn, site
//!   pick + poll ─────► poll_started(task)        source = Task(id), polls += 1
//!        │  wakes inside the poll ──► woke(task)  header: woken = source
//!        └─ return ──► poll_ended(id, outcome)   one clock read: longest poll,
//!                                                slow-poll WARN
//!   block_on's poll ─► block_on_started/ended     source = BlockOn
//!   park ────────────► parking()                 source = Io (the reactor wakes)
//!        └─ timers ──► timers_firing()           source = Timer
//!                      unparked(events, fired)   parks, io_events, timers_fired
//!   remote queue pop ► arrived(task, origin)     Remote / Blocking / Spawn
//!   complete ────────► released(id)              tasks_completed += 1
//! ```
//!
//! "Who is waking right now" is one loop-local cell ([`Observer::source`])
//! that the loop sets as it moves from one step to the next; a wake on the
//! loop's thread reads it once (the wake already looks up the current
//! runtime, so this costs no extra thread-local read). A wake from another
//! thread travels with its origin in the remote queue and is counted when
//! the loop pops it, so remote wakes cost no shared counter.
//!
//! Per-task facts (polls, last wake source, spawn site) live in the task's
//! header, in two words this module alone reads and writes
//! (`records.rs`); a snapshot reads them back from the owned-task list.
//! Files: `metrics.rs` ([`Metrics`]), `records.rs` (the per-task words,
//! spawn sites and names), `snapshot.rs` ([`TaskSnapshot`]), `slow_poll.rs` (the
//! warning), `timeline/` (feature `timeline`, the recorder).

mod clock;
mod metrics;
mod records;
mod slow_poll;
mod snapshot;
#[cfg(feature = "timeline")]
pub(crate) mod timeline;

pub use metrics::Metrics;
pub(crate) use records::unpack as unpack_source;
pub(crate) use slow_poll::DEFAULT_SLOW_POLL;
pub use snapshot::{TaskSnapshot, TaskState};

use std::cell::Cell;
#[cfg(feature = "timeline")]
use std::cell::RefCell;
use std::panic::Location;
use std::time::{Duration, Instant};

use crate::task::{TaskId, TaskRef, WakeSource};
use metrics::Counters;
pub(crate) use records::{Record, Records};

/// How a task reached the remote queue: woken from another thread, or
/// spawned there (`Handle::spawn`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin {
    /// Woken by another thread: [`WakeSource::Remote`] or
    /// [`WakeSource::Blocking`].
    Woken(WakeSource),
    /// Spawned on another thread, at this line.
    Spawned(&'static Location<'static>),
}

/// How a task's poll ended, as the seam needs to know it.
#[derive(Clone, Copy)]
pub(crate) enum Polled<'a> {
    /// Pending, and not woken meanwhile.
    Pending,
    /// Pending, but woken while it ran (a yield, a budget stop): queued
    /// again at once, counted as a local wake by the task itself.
    Rescheduled(&'a TaskRef),
    /// Finished.
    Ready,
}

/// The loop's observer: counters, spawn sites and names, the poll clock
/// and (feature `timeline`) the timeline recorder. Loop-thread only.
pub(crate) struct Observer {
    /// Who a wake on the loop's thread comes from right now, packed as in
    /// the task header (`records::pack`): setting it per poll is one store.
    source: Cell<u64>,
    counters: Counters,
    records: Records,
    /// When the current poll started (`clock::now`, ns): the end of the
    /// previous one, or the moment the loop last woke up or was resumed.
    mark: Cell<u64>,
    /// The slow-poll threshold in ns (`u64::MAX`: off).
    slow_poll: u64,
    /// The shorter of `longest_poll` and the slow-poll threshold: a poll
    /// longer than this takes the (cold) path that updates one or warns.
    bar: Cell<u64>,
    #[cfg(feature = "timeline")]
    timeline: RefCell<Option<timeline::Timeline>>,
}

/// When a park began, for the timeline (nothing without it).
#[derive(Clone, Copy)]
pub(crate) struct ParkStart {
    #[cfg(feature = "timeline")]
    at: Instant,
}

impl Observer {
    pub(crate) fn new(slow_poll: Option<Duration>) -> Observer {
        let slow_poll = slow_poll.map_or(u64::MAX, |d| d.as_nanos().min(u64::MAX as u128) as u64);
        Observer {
            source: Cell::new(0),
            counters: Counters::default(),
            records: Records::default(),
            mark: Cell::new(clock::now()),
            slow_poll,
            bar: Cell::new(0),
            #[cfg(feature = "timeline")]
            timeline: RefCell::new(timeline::Timeline::from_env()),
        }
    }

    /// Forwards one event to the timeline recorder, if one records.
    #[inline(always)]
    #[allow(unused_variables)]
    fn timeline(&self, event: impl FnOnce(&mut dyn TimelineSink)) {
        #[cfg(feature = "timeline")]
        if let Ok(mut timeline) = self.timeline.try_borrow_mut() {
            if let Some(timeline) = timeline.as_mut() {
                event(timeline);
            }
        }
    }

    /// A task is about to join the loop's task list: its header gets its
    /// spawn site and first wake source. If the list refuses it (shutdown),
    /// nothing else is recorded.
    #[inline(always)]
    pub(crate) fn binding(
        &self,
        task: &TaskRef,
        at: &'static Location<'static>,
        first: WakeSource,
    ) {
        self.records.bound(task, at, records::pack(Some(first)));
    }

    /// The task `binding` stamped joined the loop's task list. `first`: how
    /// it was first scheduled.
    #[inline]
    pub(crate) fn bound(
        &self,
        id: TaskId,
        at: &'static Location<'static>,
        name: Option<&str>,
        first: WakeSource,
    ) {
        add(&self.counters.tasks_spawned, 1);
        if let Some(name) = name {
            self.records.name(id, name.into());
        }
        self.timeline(|t| {
            let now = Instant::now();
            t.task_spawned(id, name, at, now);
            t.woke(first, Some(id), now);
        });
    }

    /// Task `id` finished and left the task list.
    #[inline]
    pub(crate) fn released(&self, id: TaskId) {
        add(&self.counters.tasks_completed, 1);
        self.records.remove(id);
    }

    /// Every task was dropped at shutdown.
    pub(crate) fn cleared(&self) {
        self.records.clear();
    }

    /// The loop (re)starts after a pause the polls must not be charged
    /// with: `block_on` begins, or a `Runtime::turn`.
    pub(crate) fn resumed(&self) {
        self.mark.set(clock::now());
    }

    /// The loop is about to poll `task` (bound). Wakes from here until the
    /// next step are this task's doing, its completion's included. Counts
    /// the poll in the task's header.
    #[inline(always)]
    pub(crate) fn poll_started(&self, task: &TaskRef, id: TaskId) {
        self.source.set(records::pack_task(id));
        add(&self.counters.polls, 1);
        records::polled(task);
        self.timeline(|t| t.poll_started(Some(id), Instant::now()));
    }

    /// The poll of task `id` returned. One clock read: the poll's length
    /// feeds `longest_poll` and the slow-poll warning, and the reading is
    /// the next poll's start. A task that woke itself has that wake stored
    /// in its header. `site` finds the task's spawn site, for the (cold)
    /// slow-poll warning only.
    #[inline(always)]
    pub(crate) fn poll_ended(
        &self,
        id: TaskId,
        outcome: Polled<'_>,
        site: impl FnOnce(&Records) -> Option<&'static Location<'static>>,
    ) {
        self.clock_poll(Some(id), site);
        if let Polled::Rescheduled(task) = outcome {
            add(&self.counters.wakes_local, 1);
            // `source` still says `Task(id)`, set by `poll_started`.
            records::woken(task, self.source.get());
        }
        self.timeline(|t| {
            let now = Instant::now();
            t.poll_ended(Some(id), now, matches!(outcome, Polled::Ready));
            if let Polled::Rescheduled(_) = outcome {
                t.woke(WakeSource::Task(id), Some(id), now);
            }
        });
    }

    /// The loop is about to poll the future given to `block_on`.
    #[inline]
    pub(crate) fn block_on_started(&self) {
        self.source.set(records::pack(Some(WakeSource::BlockOn)));
        self.timeline(|t| t.poll_started(None, Instant::now()));
    }

    /// The `block_on` future's poll returned.
    #[inline]
    pub(crate) fn block_on_ended(&self, ready: bool) {
        self.clock_poll(None, |_| None);
        self.timeline(|t| t.poll_ended(None, Instant::now(), ready));
    }

    #[inline(always)]
    fn clock_poll(
        &self,
        task: Option<TaskId>,
        site: impl FnOnce(&Records) -> Option<&'static Location<'static>>,
    ) {
        let now = clock::now();
        // The clock is monotonic and `mark` one of its earlier readings.
        let took = now.wrapping_sub(self.mark.replace(now));
        if took > self.bar.get() {
            let at = if took >= self.slow_poll {
                site(&self.records)
            } else {
                None
            };
            self.long_poll(task, at, took);
        }
    }

    /// A poll longer than every one before it, or than the slow-poll
    /// threshold: out of line, it is rare.
    #[cold]
    #[inline(never)]
    fn long_poll(&self, id: Option<TaskId>, at: Option<&'static Location<'static>>, took: u64) {
        let longest = self.counters.longest_poll.get().max(took);
        self.counters.longest_poll.set(longest);
        self.bar.set(longest.min(self.slow_poll));
        if took >= self.slow_poll {
            // The name is copied out: the subscriber is user code and may
            // spawn a named task.
            let name = id.and_then(|id| self.records.name_of(id));
            slow_poll::warn(id, name.as_deref(), at, Duration::from_nanos(took));
        }
    }

    /// A task about to be pushed on the local queue, woken on the loop's
    /// thread: records who woke it. Returns the source, for the trace event.
    #[inline(always)]
    pub(crate) fn woke(&self, task: &TaskRef) -> u64 {
        add(&self.counters.wakes_local, 1);
        let source = self.source.get();
        records::woken(task, source);
        self.timeline(|t| {
            if let Some(source) = records::unpack(source) {
                t.woke(source, Some(task.header().id), Instant::now());
            }
        });
        source
    }

    /// The loop popped a woken task (already bound) from the remote queue.
    pub(crate) fn woke_remotely(&self, task: &TaskRef, source: WakeSource) {
        add(&self.counters.wakes_remote, 1);
        records::woken(task, records::pack(Some(source)));
        self.timeline(|t| t.woke(source, Some(task.header().id), Instant::now()));
    }

    /// A task used up its budget and is made to yield.
    pub(crate) fn budget_yield(&self) {
        add(&self.counters.budget_yields, 1);
    }

    /// The loop is about to park: wakes from here on come from the reactor.
    #[inline(always)]
    pub(crate) fn parking(&self) -> ParkStart {
        self.source.set(records::pack(Some(WakeSource::Io)));
        ParkStart {
            #[cfg(feature = "timeline")]
            at: Instant::now(),
        }
    }

    /// The park returned; due timers fire next.
    #[inline(always)]
    pub(crate) fn timers_firing(&self) {
        self.source.set(records::pack(Some(WakeSource::Timer)));
    }

    /// The park and the timers are done: the loop runs tasks again.
    #[allow(unused_variables)]
    pub(crate) fn unparked(&self, from: ParkStart, events: usize, timers_fired: usize) {
        self.source.set(0);
        let c = &self.counters;
        add(&c.parks, 1);
        add(&c.io_events, events as u64);
        add(&c.timers_fired, timers_fired as u64);
        self.mark.set(clock::now());
        #[cfg(feature = "timeline")]
        self.timeline(|t| t.parked(from.at, Instant::now(), events, timers_fired));
    }

    /// The metrics so far; `max_queue_depth` comes from the run queue.
    pub(crate) fn metrics(&self, max_queue_depth: usize) -> Metrics {
        self.counters.snapshot(max_queue_depth)
    }

    /// Spawn sites and names, for snapshots.
    pub(crate) fn records(&self) -> &Records {
        &self.records
    }

    /// What task `task` holds: polls, last wake source (snapshots).
    pub(crate) fn record(&self, task: &TaskRef) -> Record {
        records::get(task)
    }

    /// Writes the timeline's files, if one records (at runtime drop).
    pub(crate) fn finish(&self) {
        #[cfg(feature = "timeline")]
        if let Some(timeline) = self.timeline.borrow_mut().take() {
            if let Err(e) = timeline.write_files() {
                tracing::warn!(target: "coop::executor", "COOP_TIMELINE: could not write the timeline: {e}");
            }
        }
    }
}

/// The waker of `block_on`'s future was woken: the timeline draws the
/// arrow (source to the `block_on` lane); without the feature this is
/// nothing at all. The source is the loop's current one. `runtime` is the
/// id of the runtime whose `block_on` was woken: a wake from inside another
/// runtime's loop on this thread is not that loop's to draw.
#[inline(always)]
pub(crate) fn block_on_woken(runtime: u64) {
    // Off the loop the runtime's observer is out of reach: the timeline
    // then shows the wake only as the loop's unpark.
    #[cfg(not(feature = "timeline"))]
    let _ = runtime;
    #[cfg(feature = "timeline")]
    let _ = crate::context::try_with_core(|core| {
        if core.id() != runtime {
            return;
        }
        let observe = core.observe();
        if let Some(source) = records::unpack(observe.source.get()) {
            observe.timeline(|t| t.woke(source, None, Instant::now()));
        }
    });
}

/// Adds `n` to a loop-local counter.
#[inline(always)]
fn add(counter: &Cell<u64>, n: u64) {
    counter.set(counter.get() + n);
}

/// The timeline recorder's hooks, so [`Observer::timeline`] compiles to
/// nothing without the feature.
#[allow(dead_code)]
trait TimelineSink {
    fn task_spawned(
        &mut self,
        id: TaskId,
        name: Option<&str>,
        at: &'static Location<'static>,
        now: Instant,
    );
    fn poll_started(&mut self, id: Option<TaskId>, now: Instant);
    fn poll_ended(&mut self, id: Option<TaskId>, now: Instant, ready: bool);
    fn woke(&mut self, source: WakeSource, target: Option<TaskId>, now: Instant);
    fn parked(&mut self, from: Instant, to: Instant, events: usize, timers_fired: usize);
}

#[cfg(feature = "timeline")]
impl TimelineSink for timeline::Timeline {
    fn task_spawned(
        &mut self,
        id: TaskId,
        name: Option<&str>,
        at: &'static Location<'static>,
        now: Instant,
    ) {
        timeline::Timeline::task_spawned(self, id, name, at, now)
    }
    fn poll_started(&mut self, id: Option<TaskId>, now: Instant) {
        timeline::Timeline::poll_started(self, id, now)
    }
    fn poll_ended(&mut self, id: Option<TaskId>, now: Instant, ready: bool) {
        timeline::Timeline::poll_ended(self, id, now, ready)
    }
    fn woke(&mut self, source: WakeSource, target: Option<TaskId>, now: Instant) {
        timeline::Timeline::woke(self, source, target, now)
    }
    fn parked(&mut self, from: Instant, to: Instant, events: usize, timers_fired: usize) {
        timeline::Timeline::parked(self, from, to, events, timers_fired)
    }
}
