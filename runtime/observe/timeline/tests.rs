//! The recorder and both writers on synthetic recordings: the files parse
//! (JSON with `serde_json`, SVG with `roxmltree`) and hold the polls, wakes,
//! parks and lanes that were recorded.

use std::panic::Location;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{json, svg, Timeline, MAX_EVENTS};
use crate::task::{TaskId, WakeSource};

fn us(n: u64) -> Duration {
    Duration::from_micros(n)
}

/// The execution-order lesson in miniature: `block_on` spawns three tasks
/// (the second named "worker"), each polls once and sleeps; after a
/// one-second park a timer wakes the worker, which finishes and wakes
/// `block_on`.
fn lesson() -> (Timeline, [TaskId; 3]) {
    let mut t = Timeline::new(PathBuf::from("unused"));
    let t0 = Instant::now();
    let ids = [TaskId::next(), TaskId::next(), TaskId::next()];
    let here = Location::caller();

    t.poll_started(None, t0);
    for (i, &id) in ids.iter().enumerate() {
        let name = (i == 1).then_some("worker");
        t.task_spawned(id, name, here, t0 + us(1 + i as u64));
        t.woke(WakeSource::Spawn, Some(id), t0 + us(2 + i as u64));
    }
    t.poll_ended(None, t0 + us(10), false);
    for (i, &id) in ids.iter().enumerate() {
        t.poll_started(Some(id), t0 + us(20 + 10 * i as u64));
        t.poll_ended(Some(id), t0 + us(25 + 10 * i as u64), false);
    }
    let park_end = t0 + us(60) + Duration::from_secs(1);
    t.parked(t0 + us(60), park_end, 0, 1);
    t.woke(WakeSource::Timer, Some(ids[1]), park_end + us(5));
    t.poll_started(Some(ids[1]), park_end + us(10));
    t.woke(WakeSource::Task(ids[1]), None, park_end + us(12));
    t.poll_ended(Some(ids[1]), park_end + us(14), true);
    t.poll_started(None, park_end + us(20));
    t.poll_ended(None, park_end + us(22), true);
    (t, ids)
}

fn json_of(t: &Timeline) -> Value {
    // Through text, as a reader of the file sees it.
    serde_json::from_str(&json::trace(t).to_string()).expect("the JSON parses")
}

fn phase<'a>(trace: &'a Value, ph: &str) -> Vec<&'a Value> {
    trace["traceEvents"]
        .as_array()
        .expect("traceEvents is an array")
        .iter()
        .filter(|event| event["ph"] == ph)
        .collect()
}

/// `tid` -> lane name, from the `thread_name` metadata.
fn lane_names(trace: &Value) -> Vec<(u64, String)> {
    phase(trace, "M")
        .into_iter()
        .filter(|event| event["name"] == "thread_name")
        .map(|event| {
            (
                event["tid"].as_u64().unwrap(),
                event["args"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn tid_of(trace: &Value, lane: &str) -> u64 {
    lane_names(trace)
        .into_iter()
        .find(|(_, name)| name == lane)
        .unwrap_or_else(|| panic!("no lane {lane}"))
        .0
}

#[test]
fn json_has_one_lane_per_task_and_block_on_and_the_loop() {
    let (t, ids) = lesson();
    let names: Vec<String> = lane_names(&json_of(&t))
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    assert_eq!(
        names,
        [
            "loop".to_owned(),
            "block_on".to_owned(),
            format!("task {}", ids[0]),
            format!("worker (id {})", ids[1]),
            format!("task {}", ids[2]),
        ]
    );
}

#[test]
fn json_has_every_poll_on_its_lane_with_its_outcome() {
    let (t, ids) = lesson();
    let trace = json_of(&t);
    let polls: Vec<&Value> = phase(&trace, "X")
        .into_iter()
        .filter(|event| event["cat"] == "poll")
        .collect();
    assert_eq!(polls.len(), 6);
    let on = |lane: &str| {
        let tid = tid_of(&trace, lane);
        polls
            .iter()
            .filter(|poll| poll["tid"] == tid)
            .map(|poll| poll["args"]["outcome"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(on("block_on"), ["pending", "ready"]);
    assert_eq!(on(&format!("worker (id {})", ids[1])), ["pending", "ready"]);
    assert_eq!(on(&format!("task {}", ids[0])), ["pending"]);
    // Microseconds since the first event.
    let first = polls.iter().find(|poll| poll["tid"] == 1).unwrap();
    assert_eq!(first["ts"], 0.0);
    assert_eq!(first["dur"], 10.0);
    assert_eq!(polls[1]["args"]["task"], ids[0].as_u64());
    assert!(polls[1]["args"]["spawned_at"]
        .as_str()
        .unwrap()
        .contains("tests.rs"));
}

#[test]
fn json_has_every_wake_and_flows_from_the_polls_that_woke() {
    let (t, ids) = lesson();
    let trace = json_of(&t);
    let wakes: Vec<(String, String)> = phase(&trace, "i")
        .into_iter()
        .map(|wake| {
            (
                wake["args"]["source"].as_str().unwrap().to_owned(),
                wake["args"]["target"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let worker = format!("worker (id {})", ids[1]);
    assert_eq!(
        wakes,
        [
            ("spawn".to_owned(), format!("task {}", ids[0])),
            ("spawn".to_owned(), worker.clone()),
            ("spawn".to_owned(), format!("task {}", ids[2])),
            ("timer".to_owned(), worker.clone()),
            (format!("task {}", ids[1]), "block_on".to_owned()),
        ]
    );
    // Wakes made inside a poll (the spawns, the worker's completion) get a
    // flow from the waker's lane to the target's; the timer's does not.
    let (starts, ends) = (phase(&trace, "s"), phase(&trace, "f"));
    assert_eq!(starts.len(), 4);
    assert_eq!(ends.len(), 4);
    let last = (starts[3], ends[3]);
    assert_eq!(last.0["id"], last.1["id"]);
    assert_eq!(last.0["tid"], tid_of(&trace, &worker));
    assert_eq!(last.1["tid"], tid_of(&trace, "block_on"));
}

#[test]
fn json_has_parks_on_the_loop_lane() {
    let (t, _) = lesson();
    let trace = json_of(&t);
    let parks: Vec<&Value> = phase(&trace, "X")
        .into_iter()
        .filter(|event| event["cat"] == "park")
        .collect();
    assert_eq!(parks.len(), 1);
    assert_eq!(parks[0]["tid"], tid_of(&trace, "loop"));
    assert_eq!(parks[0]["ts"], 60.0);
    assert_eq!(parks[0]["dur"], 1e6);
    assert_eq!(parks[0]["args"]["timers_fired"], 1);
}

/// The SVG's `<g class=...>` groups, as (class, element) pairs.
fn groups<'a>(doc: &'a roxmltree::Document<'a>, class: &str) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|node| node.has_tag_name("g") && node.attribute("class") == Some(class))
        .collect()
}

#[test]
fn svg_parses_and_has_lanes_polls_wakes_and_parks() {
    let (t, ids) = lesson();
    let text = svg::picture(&t);
    let doc = roxmltree::Document::parse(&text).expect("the SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    assert_eq!(
        doc.root_element().tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );

    let lanes: Vec<&str> = groups(&doc, "lane")
        .iter()
        .map(|lane| lane.attribute("data-lane").unwrap())
        .collect();
    let worker = format!("worker (id {})", ids[1]);
    assert_eq!(lanes[..2], ["loop", "block_on"]);
    assert_eq!(lanes[3], worker);
    assert_eq!(lanes.len(), 5);
    // Each lane shows its label.
    for lane in groups(&doc, "lane") {
        let label = lane.descendants().find(|n| n.has_tag_name("text")).unwrap();
        assert_eq!(label.text(), lane.attribute("data-lane"));
    }

    let polls = groups(&doc, "poll");
    assert_eq!(polls.len(), 6);
    let worker_polls: Vec<&str> = polls
        .iter()
        .filter(|poll| poll.attribute("data-lane") == Some(worker.as_str()))
        .map(|poll| poll.attribute("data-outcome").unwrap())
        .collect();
    assert_eq!(worker_polls, ["pending", "ready"]);

    let wakes: Vec<(&str, &str, &str)> = groups(&doc, "wake")
        .iter()
        .map(|wake| {
            (
                wake.attribute("data-kind").unwrap(),
                wake.attribute("data-from").unwrap(),
                wake.attribute("data-target").unwrap(),
            )
        })
        .collect();
    assert_eq!(wakes.len(), 5);
    assert_eq!(
        wakes[0],
        ("spawn", "block_on", &*format!("task {}", ids[0]))
    );
    assert_eq!(wakes[3], ("timer", "loop", &*worker));
    assert_eq!(wakes[4], ("task", &*worker, "block_on"));
    // Every wake is an arrow.
    for wake in groups(&doc, "wake") {
        let path = wake.descendants().find(|n| n.has_tag_name("path")).unwrap();
        assert!(path
            .attribute("marker-end")
            .unwrap()
            .starts_with("url(#arrow-"));
    }

    let parks = groups(&doc, "park");
    assert_eq!(parks.len(), 1);
    assert_eq!(parks[0].attribute("data-duration-us"), Some("1000000.000"));
    let ticks: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("tick"))
        .filter_map(|n| n.text())
        .collect();
    assert!(ticks.contains(&"0"), "{ticks:?}");
    assert!(ticks.contains(&"1.000 s"), "{ticks:?}");
}

#[test]
fn svg_bars_follow_each_other_even_when_time_stands_still() {
    // Under paused time every event may carry the same instant: the bars
    // must still come one after another, not on top of each other.
    let mut t = Timeline::new(PathBuf::from("unused"));
    let now = Instant::now();
    let (a, b) = (TaskId::next(), TaskId::next());
    for id in [a, b, a, b] {
        t.poll_started(Some(id), now);
        t.poll_ended(Some(id), now, false);
    }
    let text = svg::picture(&t);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let xs: Vec<f64> = groups(&doc, "poll")
        .iter()
        .map(|poll| {
            let rect = poll.descendants().find(|n| n.has_tag_name("rect")).unwrap();
            rect.attribute("x").unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(xs.len(), 4);
    assert!(xs.windows(2).all(|w| w[1] > w[0]), "{xs:?}");
}

#[test]
fn names_that_look_like_markup_stay_text() {
    let mut t = Timeline::new(PathBuf::from("unused"));
    let id = TaskId::next();
    let name = r#"<b>"fish" & 'chips'</b>"#;
    t.task_spawned(id, Some(name), Location::caller(), Instant::now());
    t.poll_started(Some(id), Instant::now());
    t.poll_ended(Some(id), Instant::now(), true);

    let text = svg::picture(&t);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let label = format!("{name} (id {id})");
    assert!(groups(&doc, "lane")
        .iter()
        .any(|lane| lane.attribute("data-lane") == Some(label.as_str())));
    assert!(lane_names(&json_of(&t)).iter().any(|(_, n)| *n == label));
}

#[test]
fn a_poll_that_never_ended_is_drawn_to_the_last_event() {
    let mut t = Timeline::new(PathBuf::from("unused"));
    let (t0, id) = (Instant::now(), TaskId::next());
    t.poll_started(Some(id), t0);
    t.woke(WakeSource::Task(id), Some(id), t0 + us(3));
    let trace = json_of(&t);
    let polls = phase(&trace, "X");
    assert_eq!(polls.len(), 1);
    assert_eq!(polls[0]["args"]["outcome"], "unfinished");
    assert_eq!(polls[0]["dur"], 3.0);
    // A task that woke itself (a yield) hops over its own lane.
    let doc_text = svg::picture(&t);
    let doc = roxmltree::Document::parse(&doc_text).unwrap();
    let wake = &groups(&doc, "wake")[0];
    assert_eq!(wake.attribute("data-from"), wake.attribute("data-target"));
}

#[test]
fn recording_stops_at_the_cap_and_says_so() {
    let mut t = Timeline::new(PathBuf::from("unused"));
    let (now, id) = (Instant::now(), TaskId::next());
    for _ in 0..MAX_EVENTS / 2 + 5 {
        t.poll_started(Some(id), now);
        t.poll_ended(Some(id), now, false);
    }
    assert_eq!(t.events().len(), MAX_EVENTS);
    assert_eq!(t.dropped(), 10);
    let text = svg::picture(&t);
    assert!(text.contains(&format!("of {} events", MAX_EVENTS + 10)));
    roxmltree::Document::parse(&text).unwrap();
}

#[test]
fn write_files_appends_the_extensions() {
    let dir = std::env::temp_dir().join(format!("coop-timeline-unit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (mut t, _) = lesson();
    t.path = dir.join("run.v1");
    t.write_files().unwrap();
    let json = std::fs::read_to_string(dir.join("run.v1.json")).unwrap();
    let svg = std::fs::read_to_string(dir.join("run.v1.svg")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let trace: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(phase(&trace, "X").len(), 7);
    roxmltree::Document::parse(&svg).unwrap();
}

#[test]
fn a_park_reported_after_its_timers_fired_comes_before_their_wakes() {
    // The seam reports the park once the timers it waited for have fired:
    // the wake is recorded first, but happened after the park.
    let mut t = Timeline::new(PathBuf::from("unused"));
    let (t0, id) = (Instant::now(), TaskId::next());
    t.poll_started(Some(id), t0);
    t.poll_ended(Some(id), t0 + us(1), false);
    let woke = t0 + us(1_000_010);
    t.woke(WakeSource::Timer, Some(id), woke);
    t.parked(t0 + us(2), woke + us(5), 0, 1);
    let order: Vec<&str> = t
        .events()
        .iter()
        .map(|e| match e {
            super::Event::PollStart { .. } => "start",
            super::Event::PollEnd { .. } => "end",
            super::Event::Wake { .. } => "wake",
            super::Event::Park { .. } => "park",
        })
        .collect();
    assert_eq!(order, ["start", "end", "park", "wake"]);
    let super::Event::Park { from, to, .. } = t.events()[2] else {
        unreachable!()
    };
    assert_eq!((from, to), (t0 + us(2), woke), "ends at the first wake");
}

#[test]
fn a_thousand_tasks_draw_a_bounded_picture() {
    let mut t = Timeline::new(PathBuf::from("unused"));
    let now = Instant::now();
    let ids: Vec<TaskId> = (0..1000).map(|_| TaskId::next()).collect();
    for &id in &ids {
        t.woke(WakeSource::Spawn, Some(id), now);
        t.poll_started(Some(id), now);
        t.poll_ended(Some(id), now, true);
    }
    let text = svg::picture(&t);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let lanes = groups(&doc, "lane").len();
    assert!(lanes <= 64, "{lanes} lanes drawn");
    assert!(
        text.contains("of 1001 lanes"),
        "the picture says lanes were left out"
    );
    let height: f64 = doc
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    assert!(height < 3000.0, "{height} px tall");
    // Every drawn poll and wake is on a drawn lane.
    let drawn: Vec<&str> = groups(&doc, "lane")
        .iter()
        .map(|l| l.attribute("data-lane").unwrap())
        .collect();
    for poll in groups(&doc, "poll") {
        assert!(drawn.contains(&poll.attribute("data-lane").unwrap()));
    }
    for wake in groups(&doc, "wake") {
        assert!(drawn.contains(&wake.attribute("data-target").unwrap()));
    }
    // The JSON keeps every lane.
    let trace = json_of(&t);
    assert_eq!(lane_names(&trace).len(), 1001);
}
