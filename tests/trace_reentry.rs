//! A `tracing` subscriber is user code that coop calls in the middle of its
//! own steps. Whatever it does there (panic, spawn, wake a task, make or
//! drop a socket, `block_on`), in whichever event or span callback, the
//! loop loses no task and no wake-up and does not deadlock.
//!
//! One table-driven test: for each (event, action) pair the same scenario
//! runs under a time limit, with a global subscriber (so that the events of
//! pool threads are seen too) doing `action` in every `event`.

mod support;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Poll, Waker};
use std::time::Duration;

use coop::net::UdpSocket;
use coop::time::sleep;
use coop::{Handle, JoinHandle, Runtime};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Every event the loop emits, and the callbacks of the per-task span.
const EVENTS: &[&str] = &[
    "task.spawn",
    "task.poll.start",
    "task.poll.end",
    "task.wake",
    "task.complete",
    "loop.pick",
    "loop.block_on.poll",
    "loop.park",
    "loop.unpark",
    "loop.budget_exhausted",
    "io.ready",
    "timer.fired",
    "span.new",
    "span.enter",
    "span.exit",
    "span.close",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Action {
    Panic,
    Spawn,
    Wake,
    Socket,
    BlockOn,
}

const ACTIONS: &[Action] = &[
    Action::Panic,
    Action::Spawn,
    Action::Wake,
    Action::Socket,
    Action::BlockOn,
];

/// The case being run: the subscriber acts in this event only.
static CASE: Mutex<Option<(&'static str, Action)>> = Mutex::new(None);
/// Times the subscriber acted in this case: a case it never acted in
/// would prove nothing.
static ACTED: AtomicUsize = AtomicUsize::new(0);
/// Tasks the subscriber spawned: each must have resolved once the runtime
/// is gone.
static SPAWNED: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());
/// The collector task waits for this, woken through `COLLECTOR`.
static COLLECTED: AtomicBool = AtomicBool::new(false);
static COLLECTOR: Mutex<Option<Waker>> = Mutex::new(None);

thread_local! {
    /// The subscriber's own events reach it again (a global subscriber sees
    /// events emitted from its callbacks): act once, not recursively.
    static ACTING: Cell<bool> = const { Cell::new(false) };
}

const PANIC_MESSAGE: &str = "the subscriber panics on purpose";

fn collect() {
    COLLECTED.store(true, Ordering::SeqCst);
    if let Some(waker) = COLLECTOR.lock().unwrap().take() {
        waker.wake();
    }
}

/// Waits until [`collect`] was called: a log collector woken by the
/// subscriber.
async fn collector() {
    std::future::poll_fn(|cx| {
        *COLLECTOR.lock().unwrap() = Some(cx.waker().clone());
        if COLLECTED.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await
}

fn act(event: &str) {
    let Some((target, action)) = *CASE.lock().unwrap() else {
        return;
    };
    if event != target || ACTING.with(Cell::get) {
        return;
    }
    struct Acting;
    impl Drop for Acting {
        fn drop(&mut self) {
            ACTING.with(|acting| acting.set(false));
        }
    }
    ACTING.with(|acting| acting.set(true));
    let _acting = Acting;
    ACTED.fetch_add(1, Ordering::SeqCst);
    match action {
        Action::Panic => panic!("{PANIC_MESSAGE} in {event}"),
        Action::Spawn => {
            if let Some(handle) = Handle::try_current() {
                let task = handle.spawn(async { coop::yield_now().await });
                SPAWNED.lock().unwrap().push(task);
            }
        }
        Action::Wake => collect(),
        Action::Socket => {
            // Registers with the reactor and deregisters at once (on a
            // thread without a loop this fails, which is fine).
            let std_socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            std_socket.set_nonblocking(true).unwrap();
            drop(UdpSocket::from_std(std_socket));
        }
        Action::BlockOn => {
            // On the loop's thread this panics (nested `block_on`); on a
            // pool thread it runs.
            if let Some(handle) = Handle::try_current() {
                assert_eq!(handle.block_on(async { 5 }), 5);
            }
        }
    }
}

struct Reenter;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Reenter {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        act(event.metadata().name());
    }
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        act("span.new");
    }
    fn on_enter(&self, _: &Id, _: Context<'_, S>) {
        act("span.enter");
    }
    fn on_exit(&self, _: &Id, _: Context<'_, S>) {
        act("span.exit");
    }
    fn on_close(&self, _: Id, _: Context<'_, S>) {
        act("span.close");
    }
}

/// Work that makes the loop emit every event: a timer, a blocking job (a
/// remote wake, a completion on a pool thread), a UDP round trip (I/O
/// readiness), a task that spends its budget, spawns.
async fn every_event() {
    let napper = coop::spawn(async {
        sleep(Duration::from_millis(1)).await;
        1
    });
    let job = coop::spawn_blocking(|| 2);
    let io = coop::spawn(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        b.send_to(b"x", a.local_addr().unwrap()).await.unwrap();
        let mut buf = [0; 1];
        a.recv_from(&mut buf).await.unwrap().0 + 2
    });
    let spender = coop::spawn(async {
        for _ in 0..2 * coop::DEFAULT_BUDGET {
            sleep(Duration::ZERO).await;
        }
        4
    });
    let results = [
        napper.await.unwrap(),
        job.await.unwrap(),
        io.await.unwrap(),
        spender.await.unwrap(),
    ];
    assert_eq!(results, [1, 2, 3, 4], "a task of the scenario was lost");
}

fn run_case(event: &'static str, action: Action) {
    COLLECTED.store(false, Ordering::SeqCst);
    *CASE.lock().unwrap() = Some((event, action));
    ACTED.store(0, Ordering::SeqCst);
    let case = format!("{action:?} in {event}");
    support::within(support::GENEROUS, move || {
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            every_event().await;
            // Now a collector waits for the subscriber's wake.
            COLLECTED.store(false, Ordering::SeqCst);
            let waiting = coop::spawn(collector());
            let mut again = None;
            if action != Action::Wake {
                collect();
            } else if event != "loop.park" {
                // Emit every event once more while the collector waits (the
                // yield: `loop.block_on.poll` too).
                coop::yield_now().await;
                again = Some(coop::spawn(every_event()));
            }
            // Else nothing is left to do: the loop parks, and only the
            // subscriber's wake in `loop.park` finishes the collector. A
            // wake lost there hangs.
            waiting.await.unwrap();
            if let Some(again) = again {
                again.await.unwrap();
            }
        });
        drop(rt);
    });
    *CASE.lock().unwrap() = None;
    assert!(ACTED.load(Ordering::SeqCst) > 0, "{case}: never acted");
    for task in SPAWNED.lock().unwrap().drain(..) {
        assert!(task.is_finished(), "{case}: a spawned task never resolved");
    }
}

#[test]
fn a_subscriber_that_re_enters_coop_in_any_event_loses_no_task_or_wake() {
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Reenter))
        .expect("the only subscriber of this test binary");
    // The panics are on purpose: keep them out of the output.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !support::message_of(info.payload()).starts_with(PANIC_MESSAGE) {
            default_hook(info);
        }
    }));
    // `COOP_TRACE_CASES=loop.park` runs only the events whose name
    // contains that text.
    let only = std::env::var("COOP_TRACE_CASES").unwrap_or_default();
    let mut failed = Vec::new();
    for &event in EVENTS.iter().filter(|event| event.contains(&only)) {
        for &action in ACTIONS {
            let ran = std::panic::catch_unwind(|| run_case(event, action));
            if let Err(payload) = ran {
                failed.push(format!(
                    "{action:?} in {event}: {}",
                    support::message_of(&*payload)
                ));
            }
        }
    }
    assert!(failed.is_empty(), "failed cases:\n{}", failed.join("\n"));
}
