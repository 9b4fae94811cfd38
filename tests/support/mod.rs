//! Helpers shared by the integration tests: counters for drops, polls and
//! wakes, a tiny blocking executor for threads that are not a coop loop,
//! a watchdog that turns a hang into a failure, and panic-message capture.
//!
//! Each test file pulls this in with `mod support;`, and not every file uses
//! every helper.
#![allow(dead_code)]

use std::cell::Cell;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::Duration;

/// Counts how many times the values made by [`DropCounter::guard`] were
/// dropped. Single-threaded, like the tasks that hold the guards.
#[derive(Clone, Debug, Default)]
pub struct DropCounter(Rc<Cell<usize>>);

impl DropCounter {
    pub fn new() -> DropCounter {
        DropCounter::default()
    }

    /// A value that adds one to this counter when it is dropped.
    pub fn guard(&self) -> DropGuard {
        DropGuard(self.0.clone())
    }

    pub fn drops(&self) -> usize {
        self.0.get()
    }
}

/// Bumps its [`DropCounter`] on drop.
#[derive(Debug)]
pub struct DropGuard(Rc<Cell<usize>>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

/// A task body that holds `guard` and never finishes on its own: only an
/// abort or the runtime's shutdown drops it (and so the guard).
pub async fn hold_forever(guard: DropGuard) {
    let _guard = guard;
    std::future::pending::<()>().await;
}

/// Wraps a future and counts its polls in a shared cell.
#[derive(Debug)]
pub struct CountPolls<F> {
    inner: F,
    polls: Rc<Cell<usize>>,
}

/// `future`, counting every poll into the returned cell.
pub fn count_polls<F: Future>(future: F) -> (CountPolls<F>, Rc<Cell<usize>>) {
    let polls = Rc::new(Cell::new(0));
    let wrapped = CountPolls {
        inner: future,
        polls: polls.clone(),
    };
    (wrapped, polls)
}

impl<F: Future + Unpin> Future for CountPolls<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.set(self.polls.get() + 1);
        Pin::new(&mut self.inner).poll(cx)
    }
}

/// A waker that counts its wakes and unparks the thread that made it.
#[derive(Debug)]
pub struct CountingWaker {
    wakes: AtomicUsize,
    thread: Thread,
}

impl CountingWaker {
    /// A counting waker for the current thread, and the `Waker` around it.
    pub fn new() -> (Arc<CountingWaker>, Waker) {
        let counter = Arc::new(CountingWaker {
            wakes: AtomicUsize::new(0),
            thread: thread::current(),
        });
        let waker = Waker::from(counter.clone());
        (counter, waker)
    }

    pub fn wakes(&self) -> usize {
        self.wakes.load(Ordering::SeqCst)
    }
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
        self.thread.unpark();
    }
}

/// Runs `future` to completion on this (non-coop) thread, parking between
/// polls: a minimal foreign executor, to check that coop types work when
/// awaited outside coop.
pub fn block_on_thread<F: Future>(future: F) -> F::Output {
    let (_counter, waker) = CountingWaker::new();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Runs `f` on a fresh thread and fails the test if it has not returned
/// within `limit`: a hang (a lost wake-up, a starved timer) becomes a
/// failure with a message instead of a test run that never ends. A panic in
/// `f` is re-raised here.
pub fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let worker = thread::spawn(move || {
        let out = panic::catch_unwind(AssertUnwindSafe(f));
        let _ = tx.send(out);
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(out)) => {
            worker.join().expect("worker thread finished");
            out
        }
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!("did not finish within {limit:?}: the loop hung or starved"),
    }
}

/// Runs `f`, expects it to panic, and returns the panic message.
pub fn panic_message(f: impl FnOnce()) -> String {
    let payload = match panic::catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => panic!("expected a panic, but the closure returned"),
        Err(payload) => payload,
    };
    message_of(payload.as_ref())
}

/// Runs `f`, expects it to panic, and returns the panic message and the
/// location the panic was reported at (`file:line:column`, as the panic
/// hook prints it): where `#[track_caller]` says the misuse happened.
pub fn panic_message_and_location(f: impl FnOnce()) -> (String, String) {
    thread_local! {
        static LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let at = info.location().map(|l| l.to_string());
            let _ = LOCATION.try_with(|slot| *slot.borrow_mut() = at);
            previous(info);
        }));
    });
    LOCATION.with(|slot| slot.borrow_mut().take());
    let message = panic_message(f);
    let location = LOCATION
        .with(|slot| slot.borrow_mut().take())
        .expect("the panic hook saw the panic");
    (message, location)
}

/// Runs `f`, expects it to panic, and returns the file the panic was
/// reported at (by the panic hook: what a user sees), so a test can check
/// that a misuse panic names the caller's line, not a file inside coop.
pub fn panic_file(f: impl FnOnce()) -> String {
    let (_, at) = panic_message_and_location(f);
    at.split(':').next().unwrap_or_default().to_owned()
}

/// The text of a panic payload (`&str` or `String`).
pub fn message_of(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("<non-string panic payload>")
    }
}

/// A one-shot, thread-safe signal: `notify` from any thread, `wait` on the
/// loop. Waiting leaves the loop with nothing to do but park (no timers),
/// so it tests the remote wake-up path.
#[derive(Clone, Debug, Default)]
pub struct Signal(Arc<(AtomicBool, Mutex<Option<Waker>>)>);

impl Signal {
    pub fn new() -> Signal {
        Signal::default()
    }

    pub fn notify(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        if let Some(waker) = self.0 .1.lock().unwrap().take() {
            waker.wake();
        }
    }

    pub fn is_notified(&self) -> bool {
        self.0 .0.load(Ordering::SeqCst)
    }

    /// Completes once `notify` has been called.
    pub async fn wait(&self) {
        std::future::poll_fn(|cx| {
            *self.0 .1.lock().unwrap() = Some(cx.waker().clone());
            if self.is_notified() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

/// A generous bound for "this should take about no time" waits in tests on
/// a loaded 2-core machine. Only ever used as an upper bound that a hang or
/// a missed wake-up would blow through.
pub const GENEROUS: Duration = Duration::from_secs(20);

/// A runtime whose clock starts paused (`Builder::start_paused(true)`):
/// timers fire in deadline order at their exact deadlines, and a test that
/// waits an hour takes microseconds of wall time. Read the time with
/// `coop::time::now()`, not `Instant::now()`.
pub fn paused() -> coop::Runtime {
    coop::Builder::new()
        .start_paused(true)
        .build()
        .expect("the runtime builds")
}

/// Runs this test binary again as a child process that runs only `test`,
/// with `child_env` set (the test sees it and does the child's part) and
/// each of `env` set (`Some`) or removed (`None`), stdout on a pipe.
/// Panics, with the child's output, unless its test passed; returns its
/// stdout. For what a test cannot do in a shared, multi-threaded process
/// (set an environment variable the runtime reads, own stdout).
pub fn run_as_child(
    test: &str,
    child_env: &str,
    env: &[(&str, Option<&std::ffi::OsStr>)],
) -> String {
    let mut command = std::process::Command::new(std::env::current_exe().unwrap());
    command
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(child_env, "1");
    for (key, value) in env {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    stdout
}
