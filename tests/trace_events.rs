//! The loop's `tracing` events, as `trace_loop` shows them: a learner (or a
//! tool) can rely on these names and on their order.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

/// Records each event's name, with its `outcome` field if it has one
/// (`task.poll.end:pending`).
#[derive(Clone, Default)]
struct Names(Arc<Mutex<Vec<String>>>);

struct Outcome(Option<String>);

impl Visit for Outcome {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "outcome" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

impl<S: Subscriber> Layer<S> for Names {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut outcome = Outcome(None);
        event.record(&mut outcome);
        let name = event.metadata().name();
        let entry = match outcome.0 {
            Some(outcome) => format!("{name}:{outcome}"),
            None => name.to_owned(),
        };
        self.0.lock().unwrap().push(entry);
    }
}

/// The events of a run of the sleep demo (as a spawned task sleeping for
/// `nap`), in order.
fn trace_sleep_demo(nap: Duration) -> Vec<String> {
    let names = Names::default();
    let subscriber = tracing_subscriber::registry().with(names.clone());
    tracing::subscriber::with_default(subscriber, || {
        coop::block_on(async {
            coop::spawn(coop::time::sleep(nap)).await.unwrap();
        });
    });
    let seen = names.0.lock().unwrap().clone();
    seen
}

#[test]
fn the_sleep_demo_traces_pick_poll_pending_park_wake_ready_in_order() {
    let seen = trace_sleep_demo(Duration::from_millis(20));
    let expected = [
        "task.spawn",
        "loop.pick",
        "task.poll.start",
        "task.poll.end:pending",
        "loop.park",
        "timer.fired",
        "task.wake",
        "loop.pick",
        "task.poll.start",
        "task.poll.end:ready",
        "task.complete",
    ];
    // Each expected event appears, in this order (others may come between).
    let mut rest = seen.iter();
    for want in expected {
        assert!(
            rest.any(|name| name == want),
            "missing {want:?} (in order) in {seen:#?}"
        );
    }
}

#[test]
fn a_loop_waiting_on_a_timer_parks_instead_of_spinning() {
    let seen = trace_sleep_demo(Duration::from_millis(200));
    let parks = seen.iter().filter(|name| *name == "loop.park").count();
    // One park until the deadline, plus a few zero-timeout turns around
    // the wake-ups; a spinning loop would park thousands of times.
    assert!(parks <= 10, "the loop parked {parks} times in 200 ms");
}

/// A span's name and its fields as `name=value`.
type SpanRecord = (String, Vec<String>);

/// Records every new span.
#[derive(Clone, Default)]
struct Spans(Arc<Mutex<Vec<SpanRecord>>>);

struct Fields(Vec<String>);

impl Visit for Fields {
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.push(format!("{}={value}", field.name()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={value:?}", field.name()));
    }
}

impl<S: Subscriber> Layer<S> for Spans {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: Context<'_, S>,
    ) {
        let mut fields = Fields(Vec::new());
        attrs.record(&mut fields);
        let name = attrs.metadata().name().to_owned();
        self.0.lock().unwrap().push((name, fields.0));
    }
}

#[test]
fn each_task_has_one_span_with_its_id_and_spawn_site() {
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    let (id, line) = tracing::subscriber::with_default(subscriber, || {
        coop::block_on(async {
            let line = line!() + 1;
            let handle = coop::spawn(async {
                coop::yield_now().await;
                coop::yield_now().await;
            });
            let id = handle.id();
            handle.await.unwrap();
            (id, line)
        })
    });
    let spans = spans.0.lock().unwrap().clone();
    let tasks: Vec<_> = spans.iter().filter(|(name, _)| name == "task").collect();
    // Three polls, one span: the span belongs to the task, not to a poll.
    assert_eq!(tasks.len(), 1, "{spans:#?}");
    let fields = &tasks[0].1;
    assert!(
        fields.contains(&format!("task.id={}", id.as_u64())),
        "{fields:?}"
    );
    let site = format!("tests/trace_events.rs:{line}");
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("spawned.at=") && f.contains(&site)),
        "spawn site {site} not in {fields:?}"
    );
}
