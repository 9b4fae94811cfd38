//! The timeline: a picture of what ran when, and who woke whom.
//!
//! Built with the cargo feature `timeline`. With `COOP_TIMELINE=path` in
//! the environment, a runtime records every poll, wake and park it does,
//! and when it is dropped writes
//!
//! * `path.json`: Chrome trace events (open it in <https://ui.perfetto.dev>
//!   or `chrome://tracing`): one thread lane per task, a slice per poll,
//!   parks on the loop's lane, an instant event per wake plus a flow arrow
//!   from the poll that woke a task to that task's next poll;
//! * `path.svg`: the same as a self-contained picture (`svg.rs`).
//!
//! ```text
//!   the loop ──► observe seam (observe/mod.rs) ──► Timeline (this file)
//!                 task_spawned, poll_started,        events: Vec<Event>
//!                 poll_ended, woke, parked                 │ at runtime drop
//!                                                          ▼
//!                                       json.rs ──► path.json   svg.rs ──► path.svg
//! ```
//!
//! The recorder only appends to a `Vec`: the loop pays one push per hook.
//! Pairing poll starts with their ends, giving lanes their order and
//! labels, and laying out the picture all happen once, at the end. A long
//! program stops recording after [`MAX_EVENTS`] events (the beginning is
//! kept, and both files say how many were left out).
//!
//! Every runtime in the process writes to the same `path`: with several
//! runtimes (a test binary), the last one dropped wins.

mod json;
mod svg;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::panic::Location;
use std::path::PathBuf;
use std::time::Instant;

use crate::task::{TaskId, WakeSource};

/// The environment variable that switches the recorder on: its value is
/// the path the files are written to, without the extension.
pub(crate) const ENV: &str = "COOP_TIMELINE";

/// Events recorded before the recorder stops (about 50 bytes each).
pub(crate) const MAX_EVENTS: usize = 250_000;

/// The recorder. One per runtime, owned by the observe seam.
#[derive(Debug)]
pub(crate) struct Timeline {
    /// Where to write, without the extension.
    path: PathBuf,
    /// Every event, in the order the loop reported them.
    events: Vec<Event>,
    /// Every task seen, in spawn order: the order of the lanes.
    tasks: Vec<TaskInfo>,
    /// Index into `tasks` by id.
    task_index: HashMap<TaskId, usize>,
    /// The lane whose poll is running right now, if any.
    polling: Option<Lane>,
    /// Events not recorded because `MAX_EVENTS` was reached.
    dropped: u64,
}

/// A row of the picture: the loop itself (parks), the `block_on` future,
/// or one task.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Lane {
    Loop,
    BlockOn,
    Task(TaskId),
}

/// One thing the loop did, as reported through the seam.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Event {
    PollStart {
        lane: Lane,
        at: Instant,
    },
    PollEnd {
        lane: Lane,
        at: Instant,
        ready: bool,
    },
    Wake {
        source: WakeSource,
        /// The lane the arrow starts from (see [`Timeline::woke`]).
        from: Lane,
        target: Lane,
        at: Instant,
        /// True when `from`'s poll was running as the wake happened, so
        /// the wake lies inside one of `from`'s poll slices.
        in_poll: bool,
    },
    Park {
        from: Instant,
        to: Instant,
        events: usize,
        timers_fired: usize,
    },
}

impl Event {
    /// When the event began and ended (the same instant but for a park).
    pub(crate) fn span(&self) -> (Instant, Instant) {
        match *self {
            Event::PollStart { at, .. } | Event::PollEnd { at, .. } | Event::Wake { at, .. } => {
                (at, at)
            }
            Event::Park { from, to, .. } => (from, to),
        }
    }
}

/// What is known about a task: for its lane's label.
#[derive(Clone, Debug)]
pub(crate) struct TaskInfo {
    pub(crate) id: TaskId,
    pub(crate) name: Option<String>,
    /// `None` for a task first seen in a wake or poll (spawned before the
    /// recorder existed).
    pub(crate) spawned_at: Option<&'static Location<'static>>,
}

/// A poll, its start paired with its end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PollSpan {
    pub(crate) lane: Lane,
    pub(crate) start: Instant,
    pub(crate) end: Instant,
    /// `None` when the poll never ended (still running at the last event).
    pub(crate) ready: Option<bool>,
    /// Indexes of the start and end events in `Timeline::events`.
    pub(crate) start_event: usize,
    pub(crate) end_event: usize,
}

impl Timeline {
    /// A recorder writing to `path.json` and `path.svg` when `COOP_TIMELINE`
    /// is set (and not empty); `None` otherwise.
    pub(crate) fn from_env() -> Option<Timeline> {
        let path = std::env::var_os(ENV).filter(|path| !path.is_empty())?;
        Some(Timeline::new(path.into()))
    }

    /// A recorder writing to `path.json` and `path.svg`.
    pub(crate) fn new(path: PathBuf) -> Timeline {
        Timeline {
            path,
            events: Vec::new(),
            tasks: Vec::new(),
            task_index: HashMap::new(),
            polling: None,
            dropped: 0,
        }
    }

    /// A task was spawned: it gets a lane, labelled with its name or id.
    pub(crate) fn task_spawned(
        &mut self,
        id: TaskId,
        name: Option<&str>,
        at: &'static Location<'static>,
        _now: Instant,
    ) {
        let index = self.task(id);
        let task = &mut self.tasks[index];
        task.name = name.map(str::to_owned);
        task.spawned_at = Some(at);
    }

    /// The loop starts polling a task (`None`: the `block_on` future).
    pub(crate) fn poll_started(&mut self, id: Option<TaskId>, now: Instant) {
        let lane = self.lane(id);
        self.polling = Some(lane);
        self.push(Event::PollStart { lane, at: now });
    }

    /// The poll returned: `ready` is true for `Ready`.
    pub(crate) fn poll_ended(&mut self, id: Option<TaskId>, now: Instant, ready: bool) {
        let lane = self.lane(id);
        self.polling = None;
        self.push(Event::PollEnd {
            lane,
            at: now,
            ready,
        });
    }

    /// `source` woke `target` (`None`: the `block_on` future).
    ///
    /// The arrow starts on the lane of the task that did it (`Task`), the
    /// `block_on` lane (`BlockOn`), the lane being polled at the time
    /// (`Spawn`: whoever spawned), or the loop's lane (timers, I/O, other
    /// threads and the blocking pool all reach a task through the loop).
    pub(crate) fn woke(&mut self, source: WakeSource, target: Option<TaskId>, now: Instant) {
        let target = self.lane(target);
        let from = match source {
            WakeSource::Task(id) => self.lane(Some(id)),
            WakeSource::BlockOn => Lane::BlockOn,
            WakeSource::Spawn => self.polling.unwrap_or(Lane::Loop),
            _ => Lane::Loop,
        };
        let in_poll = self.polling == Some(from);
        self.push(Event::Wake {
            source,
            from,
            target,
            at: now,
            in_poll,
        });
    }

    /// The loop slept in the reactor (or on its condition variable) from
    /// `from` to `to`, then found `events` I/O events and fired
    /// `timers_fired` timers.
    pub(crate) fn parked(
        &mut self,
        from: Instant,
        to: Instant,
        events: usize,
        timers_fired: usize,
    ) {
        // The seam reports a park once its timers have fired, so the wakes
        // they caused are already recorded. The park goes in before them,
        // and ends no later than the first of them: the picture shows the
        // park, then the wakes it led to.
        let mut at = self.events.len();
        while at > 0 && matches!(self.events[at - 1], Event::Wake { at: woke, .. } if woke >= from)
        {
            at -= 1;
        }
        let to = match self.events.get(at) {
            Some(first) => to.min(first.span().0).max(from),
            None => to.max(from),
        };
        let park = Event::Park {
            from,
            to,
            events,
            timers_fired,
        };
        if self.events.len() < MAX_EVENTS {
            self.events.insert(at, park);
        } else {
            self.dropped += 1;
        }
    }

    /// Writes `path.json` and `path.svg`. Called when the runtime drops.
    pub(crate) fn write_files(&self) -> io::Result<()> {
        let mut file = BufWriter::new(File::create(self.path_with("json"))?);
        serde_json::to_writer(&mut file, &json::trace(self))?;
        file.flush()?;
        let mut file = BufWriter::new(File::create(self.path_with("svg"))?);
        file.write_all(svg::picture(self).as_bytes())?;
        file.flush()
    }

    /// `path` with `.extension` appended (not replacing: `COOP_TIMELINE=a.b`
    /// writes `a.b.json`).
    pub(crate) fn path_with(&self, extension: &str) -> PathBuf {
        let mut path = OsString::from(self.path.as_os_str());
        path.push(".");
        path.push(extension);
        path.into()
    }

    fn push(&mut self, event: Event) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(event);
        } else {
            self.dropped += 1;
        }
    }

    /// The lane of a task (giving it one if it is new) or of `block_on`.
    fn lane(&mut self, id: Option<TaskId>) -> Lane {
        match id {
            Some(id) => {
                self.task(id);
                Lane::Task(id)
            }
            None => Lane::BlockOn,
        }
    }

    /// The index of a task in `tasks`, adding it if it is new.
    fn task(&mut self, id: TaskId) -> usize {
        let tasks = &mut self.tasks;
        *self.task_index.entry(id).or_insert_with(|| {
            tasks.push(TaskInfo {
                id,
                name: None,
                spawned_at: None,
            });
            tasks.len() - 1
        })
    }

    // What the writers read.

    pub(crate) fn events(&self) -> &[Event] {
        &self.events
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.dropped
    }

    /// The lanes top to bottom: the loop, `block_on` (if it was polled or
    /// woken), then the tasks in spawn order.
    pub(crate) fn lanes(&self) -> Vec<Lane> {
        let block_on = self.events.iter().any(|event| match *event {
            Event::PollStart { lane, .. } | Event::PollEnd { lane, .. } => lane == Lane::BlockOn,
            Event::Wake { from, target, .. } => from == Lane::BlockOn || target == Lane::BlockOn,
            Event::Park { .. } => false,
        });
        let mut lanes = vec![Lane::Loop];
        if block_on {
            lanes.push(Lane::BlockOn);
        }
        lanes.extend(self.tasks.iter().map(|task| Lane::Task(task.id)));
        lanes
    }

    /// What a task is known by, for a `Task` lane.
    pub(crate) fn task_info(&self, id: TaskId) -> Option<&TaskInfo> {
        self.task_index.get(&id).map(|&index| &self.tasks[index])
    }

    /// A lane's label: `loop`, `block_on`, `task 3` or `worker (id 3)`.
    pub(crate) fn label(&self, lane: Lane) -> String {
        match lane {
            Lane::Loop => "loop".to_owned(),
            Lane::BlockOn => "block_on".to_owned(),
            Lane::Task(id) => match self.task_info(id).and_then(|task| task.name.as_deref()) {
                Some(name) => format!("{name} (id {id})"),
                None => format!("task {id}"),
            },
        }
    }

    /// The earliest instant recorded: time zero of both files.
    pub(crate) fn origin(&self) -> Option<Instant> {
        self.events.iter().map(|event| event.span().0).min()
    }

    /// The latest instant recorded.
    pub(crate) fn end(&self) -> Option<Instant> {
        self.events.iter().map(|event| event.span().1).max()
    }

    /// Every poll, its start paired with its end, in start order. A poll
    /// still running at the last event ends there, with `ready: None`.
    pub(crate) fn polls(&self) -> Vec<PollSpan> {
        let mut open: HashMap<Lane, usize> = HashMap::new();
        let mut polls: Vec<PollSpan> = Vec::new();
        for (index, event) in self.events.iter().enumerate() {
            match *event {
                Event::PollStart { lane, at } => {
                    open.insert(lane, polls.len());
                    polls.push(PollSpan {
                        lane,
                        start: at,
                        end: at,
                        ready: None,
                        start_event: index,
                        end_event: index,
                    });
                }
                Event::PollEnd { lane, at, ready } => {
                    if let Some(open) = open.remove(&lane) {
                        let poll = &mut polls[open];
                        poll.end = at.max(poll.start);
                        poll.ready = Some(ready);
                        poll.end_event = index;
                    }
                }
                Event::Wake { .. } | Event::Park { .. } => {}
            }
        }
        let (last_event, end) = (self.events.len().saturating_sub(1), self.end());
        for &index in open.values() {
            let poll = &mut polls[index];
            poll.end = end.unwrap_or(poll.start).max(poll.start);
            poll.end_event = last_event;
        }
        polls
    }
}

/// A short name for a wake source: `task 3`, `timer`, `io`, ...
pub(crate) fn source_name(source: WakeSource) -> String {
    match source {
        WakeSource::Task(id) => format!("task {id}"),
        WakeSource::Timer => "timer".to_owned(),
        WakeSource::Io => "io".to_owned(),
        WakeSource::Remote => "remote".to_owned(),
        WakeSource::Blocking => "blocking".to_owned(),
        WakeSource::BlockOn => "block_on".to_owned(),
        WakeSource::Spawn => "spawn".to_owned(),
    }
}

/// The kind of a wake source, for colours and the legend.
pub(crate) fn source_kind(source: WakeSource) -> &'static str {
    match source {
        WakeSource::Task(_) => "task",
        WakeSource::Timer => "timer",
        WakeSource::Io => "io",
        WakeSource::Remote => "remote",
        WakeSource::Blocking => "blocking",
        WakeSource::BlockOn => "block_on",
        WakeSource::Spawn => "spawn",
    }
}
