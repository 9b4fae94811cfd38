//! A socket polled where its runtime's loop is not running says so: one
//! `tracing` WARN per socket (naming the socket type, its runtime and what
//! to do) instead of a silent hang; a socket whose loop runs on another
//! thread keeps working, without a warning.

mod support;

use std::future::Future;
use std::pin::pin;
use std::sync::{mpsc, Arc, Mutex};
use std::task::Context;
use std::time::Duration;

use coop::net::{TcpListener, UdpSocket};
use coop::Runtime;
use support::{within, Signal, GENEROUS};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::Layer;

/// Records the message of every WARN event.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> Layer<S> for Warnings {
    fn on_event(&self, event: &Event<'_>, _: LayerContext<'_, S>) {
        if *event.metadata().level() == Level::WARN {
            let mut message = Message(String::new());
            event.record(&mut message);
            self.0.lock().unwrap().push(message.0);
        }
    }
}

impl Warnings {
    /// Runs `f` on this thread with a subscriber recording warnings.
    fn during<R>(f: impl FnOnce() -> R) -> (R, Vec<String>) {
        let warnings = Warnings::default();
        let subscriber = tracing_subscriber::registry().with(warnings.clone());
        let out = tracing::subscriber::with_default(subscriber, f);
        let seen = warnings.0.lock().unwrap().clone();
        (out, seen)
    }
}

/// Polls `future` once with a waker that does nothing; true if pending.
fn poll_once<F: Future>(future: F) -> bool {
    let waker = futures_util::task::noop_waker();
    pin!(future)
        .poll(&mut Context::from_waker(&waker))
        .is_pending()
}

#[test]
fn a_socket_polled_under_another_executor_while_its_runtime_is_idle_warns_once() {
    let rt = Runtime::new().unwrap();
    let listener = rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    // The runtime is alive but nobody runs its loop: an accept here (a
    // foreign executor on this thread) would wait forever.
    let (pending, warnings) = Warnings::during(|| {
        let first = poll_once(listener.accept());
        let second = poll_once(listener.accept());
        first && second
    });
    assert!(pending);
    assert_eq!(warnings.len(), 1, "once per socket: {warnings:?}");
    let warning = &warnings[0];
    assert!(warning.contains("coop::net::TcpListener"), "{warning}");
    assert!(warning.contains("runs no coop loop"), "{warning}");
    assert!(warning.contains("block_on"), "says what to do: {warning}");

    // Another socket of the same runtime warns for itself.
    let socket = rt.block_on(UdpSocket::bind("127.0.0.1:0")).unwrap();
    let (_, warnings) = Warnings::during(|| poll_once(socket.recv(&mut [0; 8])));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("coop::net::UdpSocket"), "{warnings:?}");
}

#[test]
fn a_socket_polled_on_another_runtimes_loop_while_its_own_is_idle_warns() {
    let own = Runtime::new().unwrap();
    let listener = own.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
    let other = Runtime::new().unwrap();
    let (pending, warnings) = Warnings::during(|| {
        other.block_on(async {
            let accept = pin!(listener.accept());
            futures_util::poll!(accept).is_pending()
        })
    });
    assert!(pending);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("on the thread of another coop runtime"),
        "{warnings:?}"
    );
}

#[test]
fn a_socket_on_its_own_loop_never_warns() {
    let (_, warnings) = Warnings::during(|| {
        coop::block_on(async {
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = socket.local_addr().unwrap();
            let receive = coop::spawn(async move {
                let mut buf = [0; 4];
                socket.recv_from(&mut buf).await.unwrap().0
            });
            coop::yield_now().await; // the receiver waits first
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            sender.send_to(b"ping", addr).await.unwrap();
            assert_eq!(receive.await.unwrap(), 4);
        })
    });
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn a_socket_whose_loop_runs_on_another_thread_works_without_a_warning() {
    within(GENEROUS, || {
        let (to_main, from_loop) = mpsc::channel();
        let done = Signal::new();
        let stop = done.clone();
        // The socket's runtime runs its loop on this thread until told.
        let driver = std::thread::spawn(move || {
            coop::block_on(async move {
                let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                to_main.send(socket).unwrap();
                stop.wait().await;
            });
        });
        let socket = from_loop.recv().unwrap();
        let addr = socket.local_addr().unwrap();
        let sender = std::thread::spawn(move || {
            // Late enough that the receive below has to wait first.
            std::thread::sleep(Duration::from_millis(50));
            let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            peer.send_to(b"hello", addr).unwrap();
        });
        let (received, warnings) = Warnings::during(|| {
            let mut buf = [0; 8];
            support::block_on_thread(socket.recv(&mut buf)).unwrap()
        });
        assert_eq!(received, 5);
        assert!(warnings.is_empty(), "{warnings:?}");
        sender.join().unwrap();
        done.notify();
        driver.join().unwrap();
    });
}
