//! The timeline as Chrome trace events: the JSON that Perfetto
//! (<https://ui.perfetto.dev>) and `chrome://tracing` open.
//!
//! One process (`pid` 1, "coop runtime"), one thread lane (`tid`) per
//! [`Lane`], in the timeline's lane order:
//!
//! | event | phase | lane | what |
//! |---|---|---|---|
//! | poll | `X` (complete) | the task's | `poll (pending)` / `poll (ready)`, args `task`, `outcome` |
//! | park | `X` | `loop` | args `events`, `timers_fired` |
//! | wake | `i` (instant) | the target's | `woken by timer`, args `source`, `from` |
//! | wake | `s` → `f` (flow) | source → target | an arrow from the poll that woke the task to the task's next poll |
//!
//! Times are microseconds since the first event (`ts`, `dur`).

use std::time::Instant;

use serde_json::{json, Value};

use super::{source_kind, source_name, Event, Lane, Timeline};

/// The whole trace, `{"traceEvents": [...], ...}`.
pub(super) fn trace(timeline: &Timeline) -> Value {
    let lanes = timeline.lanes();
    let tid = |lane: Lane| lanes.iter().position(|&l| l == lane).unwrap_or(0);
    let origin = timeline.origin().unwrap_or_else(Instant::now);
    let us = |at: Instant| at.saturating_duration_since(origin).as_secs_f64() * 1e6;

    let mut events = vec![json!({
        "ph": "M", "pid": 1, "tid": 0, "name": "process_name",
        "args": { "name": "coop runtime" },
    })];
    for (index, &lane) in lanes.iter().enumerate() {
        events.push(json!({
            "ph": "M", "pid": 1, "tid": index, "name": "thread_name",
            "args": { "name": timeline.label(lane) },
        }));
        events.push(json!({
            "ph": "M", "pid": 1, "tid": index, "name": "thread_sort_index",
            "args": { "sort_index": index },
        }));
    }

    for poll in timeline.polls() {
        let outcome = match poll.ready {
            Some(true) => "ready",
            Some(false) => "pending",
            None => "unfinished",
        };
        let mut args = json!({ "outcome": outcome });
        if let Lane::Task(id) = poll.lane {
            args["task"] = json!(id.as_u64());
            if let Some(at) = timeline.task_info(id).and_then(|task| task.spawned_at) {
                args["spawned_at"] = json!(at.to_string());
            }
        }
        events.push(json!({
            "ph": "X", "pid": 1, "tid": tid(poll.lane), "cat": "poll",
            "name": format!("poll ({outcome})"),
            "ts": us(poll.start),
            "dur": us(poll.end) - us(poll.start),
            "args": args,
        }));
    }

    let mut flow_id = 0u64;
    for event in timeline.events() {
        match *event {
            Event::Park {
                from,
                to,
                events: io_events,
                timers_fired,
            } => events.push(json!({
                "ph": "X", "pid": 1, "tid": tid(Lane::Loop), "cat": "park",
                "name": "park",
                "ts": us(from),
                "dur": us(to) - us(from),
                "args": { "events": io_events, "timers_fired": timers_fired },
            })),
            Event::Wake {
                source,
                from,
                target,
                at,
                in_poll,
            } => {
                events.push(json!({
                    "ph": "i", "s": "t", "pid": 1, "tid": tid(target), "cat": "wake",
                    "name": format!("woken by {}", source_name(source)),
                    "ts": us(at),
                    "args": {
                        "source": source_name(source),
                        "kind": source_kind(source),
                        "from": timeline.label(from),
                        "target": timeline.label(target),
                    },
                }));
                // A flow must start inside a slice: only wakes made during
                // a poll of the source lane get an arrow.
                if in_poll {
                    flow_id += 1;
                    events.push(json!({
                        "ph": "s", "pid": 1, "tid": tid(from), "cat": "wake",
                        "name": "wake", "id": flow_id, "ts": us(at),
                    }));
                    // No `"bp": "e"`: the arrow binds to the target's next
                    // slice, the poll the wake caused.
                    events.push(json!({
                        "ph": "f", "pid": 1, "tid": tid(target), "cat": "wake",
                        "name": "wake", "id": flow_id, "ts": us(at),
                    }));
                }
            }
            Event::PollStart { .. } | Event::PollEnd { .. } => {}
        }
    }

    json!({
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "producer": "coop timeline (COOP_TIMELINE)",
            "events_recorded": timeline.events().len(),
            "events_dropped": timeline.dropped(),
        },
    })
}
