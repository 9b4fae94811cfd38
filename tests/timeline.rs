//! `COOP_TIMELINE=path` (feature `timeline`): a real program's timeline
//! files parse and hold its polls, wakes, parks and lanes.
//!
//! `cargo test --features timeline --test timeline`
//!
//! The runtime reads `COOP_TIMELINE` when it is built, and setting an
//! environment variable in a multi-threaded test process is a race, so the
//! test re-runs this test binary as a child with the variable set; the
//! child runs the execution-order lesson in small (three named tasks sleep
//! 30, 10 and 20 ms) and drops its runtime, which writes the files.
#![cfg(feature = "timeline")]

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

const CHILD_ENV: &str = "COOP_TIMELINE_TEST_CHILD";
const TEST_NAME: &str = "a_program_run_with_coop_timeline_writes_both_files";
const NAMES: [&str; 3] = ["sleeper 1", "sleeper 2", "sleeper 3"];

/// The program the timeline records (in the child process only).
fn child() {
    let rt = coop::Runtime::new().unwrap();
    let order = rt.block_on(async {
        let mut handles = Vec::new();
        for (name, ms) in NAMES.into_iter().zip([30, 10, 20]) {
            handles.push(coop::task::Builder::new().name(name).spawn(async move {
                coop::time::sleep(Duration::from_millis(ms)).await;
                name
            }));
        }
        let mut order = Vec::new();
        for handle in handles {
            order.push(handle.await.unwrap());
        }
        order
    });
    assert_eq!(order, NAMES);
    drop(rt); // writes the files
}

#[test]
#[cfg_attr(miri, ignore)]
fn a_program_run_with_coop_timeline_writes_both_files() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return child();
    }
    let dir = std::env::temp_dir().join(format!("coop-timeline-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("order");
    support::run_as_child(
        TEST_NAME,
        CHILD_ENV,
        &[("COOP_TIMELINE", Some(base.as_os_str()))],
    );
    let json = read(&base, "json");
    let svg = read(&base, "svg");
    std::fs::remove_dir_all(&dir).unwrap();

    check_json(&json);
    check_svg(&svg);
}

fn read(base: &Path, extension: &str) -> String {
    let mut path = PathBuf::from(base).into_os_string();
    path.push(".");
    path.push(extension);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", Path::new(&path).display()))
}

fn events<'a>(trace: &'a Value, ph: &str) -> impl Iterator<Item = &'a Value> + 'a {
    let ph = ph.to_owned();
    trace["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .iter()
        .filter(move |e| e["ph"] == *ph.as_str())
}

fn check_json(text: &str) {
    let trace: Value = serde_json::from_str(text).expect("order.json parses");
    // Lanes: the loop, block_on, and one per task, labelled with its name.
    let lanes: Vec<(u64, String)> = events(&trace, "M")
        .filter(|e| e["name"] == "thread_name")
        .map(|e| {
            (
                e["tid"].as_u64().unwrap(),
                e["args"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let names: Vec<&str> = lanes.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names[..2], ["loop", "block_on"], "{names:?}");
    for name in NAMES {
        assert!(
            names.iter().any(|n| n.starts_with(&format!("{name} (id "))),
            "no lane for {name}: {names:?}"
        );
    }
    let tid = |name: &str| {
        lanes
            .iter()
            .find(|(_, n)| n.starts_with(name))
            .map(|(tid, _)| *tid)
            .unwrap()
    };

    // Each sleeper: polled once to Pending (it starts its sleep), once to
    // Ready (the sleep is over).
    let polls: Vec<&Value> = events(&trace, "X").filter(|e| e["cat"] == "poll").collect();
    for name in NAMES {
        let outcomes: Vec<&str> = polls
            .iter()
            .filter(|p| p["tid"] == tid(name))
            .map(|p| p["args"]["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(outcomes, ["pending", "ready"], "{name}");
    }
    // block_on: first Pending (it waits for sleeper 1), last Ready.
    let main: Vec<&str> = polls
        .iter()
        .filter(|p| p["tid"] == tid("block_on"))
        .map(|p| p["args"]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(main.first(), Some(&"pending"));
    assert_eq!(main.last(), Some(&"ready"));

    // Wakes: each sleeper was spawned, then woken by its timer.
    let wakes: Vec<(&str, u64)> = events(&trace, "i")
        .filter(|e| e["cat"] == "wake")
        .map(|e| {
            (
                e["args"]["kind"].as_str().unwrap(),
                e["tid"].as_u64().unwrap(),
            )
        })
        .collect();
    for name in NAMES {
        let kinds: Vec<&str> = wakes
            .iter()
            .filter(|(_, t)| *t == tid(name))
            .map(|(k, _)| *k)
            .collect();
        assert_eq!(kinds, ["spawn", "timer"], "{name}");
    }
    // The timers fired in deadline order: sleeper 2, 3, then 1.
    let timer_order: Vec<u64> = wakes
        .iter()
        .filter(|(k, _)| *k == "timer")
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(
        timer_order,
        [tid("sleeper 2"), tid("sleeper 3"), tid("sleeper 1")]
    );

    // block_on awaits sleeper 1 first, the last to finish: its completion
    // is the one wake of the main future (2 and 3 were done by then).
    let to_main: Vec<(&str, &str)> = events(&trace, "i")
        .filter(|e| e["tid"] == tid("block_on"))
        .map(|e| {
            (
                e["args"]["kind"].as_str().unwrap(),
                e["args"]["from"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(to_main.len(), 1, "{to_main:?}");
    assert_eq!(to_main[0].0, "task");
    assert!(to_main[0].1.starts_with("sleeper 1"), "{to_main:?}");

    // Parks on the loop's lane, which fired the three timers between them.
    let parks: Vec<&Value> = events(&trace, "X").filter(|e| e["cat"] == "park").collect();
    assert!(parks.iter().all(|p| p["tid"] == tid("loop")));
    let fired: u64 = parks
        .iter()
        .map(|p| p["args"]["timers_fired"].as_u64().unwrap())
        .sum();
    assert_eq!(fired, 3, "three timers fired after parks");
    let longest = parks
        .iter()
        .map(|p| p["dur"].as_f64().unwrap())
        .fold(0.0, f64::max);
    assert!(
        longest >= 5_000.0,
        "a park of milliseconds, in µs: {longest}"
    );
}

fn check_svg(text: &str) {
    let doc = roxmltree::Document::parse(text).expect("order.svg parses");
    let groups = |class: &str| {
        doc.descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some(class))
            .collect::<Vec<_>>()
    };
    let lanes: Vec<&str> = groups("lane")
        .iter()
        .map(|g| g.attribute("data-lane").unwrap())
        .collect();
    assert_eq!(lanes[..2], ["loop", "block_on"], "{lanes:?}");
    assert_eq!(lanes.len(), 5, "{lanes:?}");
    for name in NAMES {
        let lane = lanes
            .iter()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no lane for {name}: {lanes:?}"));
        let outcomes: Vec<&str> = groups("poll")
            .iter()
            .filter(|g| g.attribute("data-lane") == Some(lane))
            .map(|g| g.attribute("data-outcome").unwrap())
            .collect();
        assert_eq!(outcomes, ["pending", "ready"], "{name}");
        let timer_arrows = groups("wake")
            .iter()
            .filter(|g| {
                g.attribute("data-target") == Some(lane)
                    && g.attribute("data-kind") == Some("timer")
            })
            .count();
        assert_eq!(timer_arrows, 1, "{name}");
    }
    assert!(!groups("park").is_empty());
    let to_main: Vec<_> = groups("wake")
        .into_iter()
        .filter(|g| g.attribute("data-target") == Some("block_on"))
        .collect();
    assert_eq!(to_main.len(), 1);
    assert!(to_main[0]
        .attribute("data-from")
        .unwrap()
        .starts_with("sleeper 1"));
}
