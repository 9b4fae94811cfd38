//! Misuse panics with a message that says what to do, and panics in the
//! `block_on` future reach the caller without breaking the runtime.

mod support;

use coop::Runtime;
use support::{panic_message, panic_message_and_location};

#[test]
fn spawn_outside_a_runtime_panics_saying_where_to_call_it() {
    let message = panic_message(|| {
        drop(coop::spawn(async {}));
    });
    assert!(message.contains("`coop::spawn`"), "{message}");
    assert!(message.contains("outside a coop runtime"), "{message}");
    assert!(
        message.contains("coop::block_on"),
        "says what to do: {message}"
    );
    assert!(
        message.contains("Runtime::spawn"),
        "says what to do: {message}"
    );
}

#[test]
#[should_panic(expected = "`coop::spawn` was called outside a coop runtime")]
fn spawn_on_a_plain_thread_panics() {
    std::thread::spawn(|| {
        drop(coop::spawn(async {}));
    })
    .join()
    .map_err(|payload| std::panic::resume_unwind(payload))
    .unwrap();
}

#[test]
fn sleep_polled_outside_a_runtime_panics_naming_sleep() {
    let message = panic_message(|| {
        support::block_on_thread(coop::time::sleep(std::time::Duration::from_secs(1)));
    });
    assert!(message.contains("`coop::time::sleep`"), "{message}");
    assert!(message.contains("outside a coop runtime"), "{message}");
}

#[test]
fn nested_block_on_panics_saying_to_await_or_spawn_instead() {
    let message = panic_message(|| {
        coop::block_on(async {
            coop::block_on(async {});
        });
    });
    assert!(
        message.contains("Cannot call `block_on` from inside a coop runtime"),
        "{message}"
    );
    assert!(
        message.contains("`.await` the future"),
        "says what to do: {message}"
    );
    assert!(
        message.contains("coop::spawn"),
        "says what to do: {message}"
    );

    // The thread is usable again afterwards: the failed call left no
    // runtime behind as "current".
    assert_eq!(coop::block_on(async { 1 }), 1);
}

#[test]
#[should_panic(expected = "Cannot call `block_on` from inside a coop runtime")]
fn nested_runtime_block_on_panics_even_on_another_runtime() {
    let outer = Runtime::new().unwrap();
    let inner = Runtime::new().unwrap();
    outer.block_on(async { inner.block_on(async {}) });
}

#[test]
fn a_panic_in_the_block_on_future_propagates_and_the_runtime_stays_usable() {
    let rt = Runtime::new().unwrap();
    let background = rt.spawn(async {
        coop::time::sleep(std::time::Duration::from_millis(10)).await;
        "background"
    });
    let message = panic_message(|| {
        rt.block_on(async {
            coop::yield_now().await;
            panic!("boom in block_on");
        });
    });
    assert_eq!(message, "boom in block_on");
    // The runtime and its tasks survive the caller's panic.
    assert_eq!(rt.block_on(background).unwrap(), "background");
    assert_eq!(
        rt.block_on(async { coop::spawn(async { 2 }).await })
            .unwrap(),
        2
    );
}

#[test]
#[should_panic(expected = "`Builder::event_interval` must be at least 1")]
fn a_zero_event_interval_is_refused() {
    let _ = coop::Builder::new().event_interval(0);
}

#[test]
#[should_panic(expected = "`Builder::budget` must be at least 1")]
fn a_zero_budget_is_refused() {
    let _ = coop::Builder::new().budget(0);
}

/// The path of this file as `Location`s print it.
const THIS_FILE: &str = "tests/misuse_panics.rs";

#[test]
fn spawn_blocking_outside_a_runtime_names_spawn_blocking_at_the_callers_line() {
    let line = line!() + 2;
    let (message, at) = panic_message_and_location(|| {
        drop(coop::spawn_blocking(|| 1));
    });
    assert!(message.contains("`coop::spawn_blocking`"), "{message}");
    assert!(!message.contains("Handle::current"), "{message}");
    assert!(
        message.contains("Handle::spawn_blocking"),
        "says what to do: {message}"
    );
    assert!(at.starts_with(&format!("{THIS_FILE}:{line}:")), "{at}");
}

#[test]
fn join_set_spawns_outside_a_runtime_name_the_join_set_method() {
    let mut set = coop::task::JoinSet::new();
    let line = line!() + 1;
    let (message, at) = panic_message_and_location(|| drop(set.spawn(async { 1 })));
    assert!(message.contains("`JoinSet::spawn`"), "{message}");
    assert!(at.starts_with(&format!("{THIS_FILE}:{line}:")), "{at}");

    let line = line!() + 1;
    let (message, at) = panic_message_and_location(|| drop(set.spawn_blocking(|| 2)));
    assert!(message.contains("`JoinSet::spawn_blocking`"), "{message}");
    assert!(at.starts_with(&format!("{THIS_FILE}:{line}:")), "{at}");
    assert!(set.is_empty());
}

/// `(api, line, call)`: a misuse to try, `call` made on the line `line!()`
/// names (keep each use on one line).
macro_rules! sync_call {
    ($api:literal, $call:expr) => {
        (
            $api,
            line!(),
            Box::new(move || drop($call)) as Box<dyn FnOnce()>,
        )
    };
}

/// `(api, line, future)`: the call is made where the macro is used, but
/// only when the future is first polled (it is inside an `async` block).
macro_rules! async_call {
    ($api:literal, $call:expr) => {
        (
            $api,
            line!(),
            Box::pin(async move { drop($call.await) }) as Boxed,
        )
    };
}

type Boxed = std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

#[test]
fn sync_socket_constructors_outside_a_runtime_panic_at_the_callers_line_naming_themselves() {
    use coop::net::{TcpListener, UnixDatagram, UnixListener, UnixStream};

    let path = std::env::temp_dir().join(format!("coop-misuse-{}.sock", std::process::id()));
    let (std_listener, bind_path) = (
        std::net::TcpListener::bind("127.0.0.1:0").unwrap(),
        path.clone(),
    );
    let calls = [
        sync_call!("TcpListener::from_std", TcpListener::from_std(std_listener)),
        sync_call!("UnixStream::pair", UnixStream::pair()),
        sync_call!("UnixDatagram::unbound", UnixDatagram::unbound()),
        sync_call!("UnixListener::bind", UnixListener::bind(&bind_path)),
    ];
    for (api, line, call) in calls {
        let (message, at) = panic_message_and_location(call);
        let called = format!("`{api}` was called outside a coop runtime (at {THIS_FILE}:{line}:");
        assert!(message.contains(&called), "{api}: {message}");
        assert!(
            message.contains("coop::block_on"),
            "says what to do: {message}"
        );
        assert!(
            at.starts_with(&format!("{THIS_FILE}:{line}:")),
            "{api} reported at {at}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn async_socket_constructors_polled_outside_a_runtime_name_themselves_and_the_callers_line() {
    use coop::net::{TcpListener, TcpStream, UdpSocket, UnixStream};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let path = std::env::temp_dir().join(format!("coop-misuse-c-{}.sock", std::process::id()));
    let (_unix, unix_path) = (
        std::os::unix::net::UnixListener::bind(&path).unwrap(),
        path.clone(),
    );
    // Each call is written on one line and made (on a plain thread, with
    // no runtime) at the first poll, later: the panic still names its line.
    let futures = [
        async_call!("TcpListener::bind", TcpListener::bind("127.0.0.1:0")),
        async_call!("TcpStream::connect", TcpStream::connect(addr)),
        async_call!("UdpSocket::bind", UdpSocket::bind("127.0.0.1:0")),
        async_call!("UnixStream::connect", UnixStream::connect(unix_path)),
    ];
    for (api, line, future) in futures {
        let message = panic_message(|| support::block_on_thread(future));
        let called = format!("`{api}` was called outside a coop runtime (at {THIS_FILE}:{line}:");
        assert!(message.contains(&called), "{api}: {message}");
        assert!(
            message.contains("coop::block_on"),
            "says what to do: {message}"
        );
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_socket_future_made_outside_a_runtime_and_awaited_inside_works() {
    // Only the poll needs the runtime: `rt.block_on(TcpListener::bind(..))`
    // is fine, as in tokio.
    let rt = Runtime::new().unwrap();
    let bind = coop::net::TcpListener::bind("127.0.0.1:0");
    let listener = rt.block_on(bind).unwrap();
    assert!(listener.local_addr().is_ok());
}

/// Every documented misuse panic is reported at the caller's line (the
/// panic hook prints it), not inside coop: `#[track_caller]` all the way.
#[test]
fn misuse_panics_are_reported_at_the_callers_line() {
    let here = file!();
    let rt = Runtime::new().unwrap();
    type Case<'a> = (&'static str, Box<dyn FnOnce() + 'a>);
    let cases: Vec<Case> = vec![
        (
            "coop::spawn outside",
            Box::new(|| drop(coop::spawn(async {}))),
        ),
        (
            "Runtime::block_on in block_on",
            Box::new(|| {
                let inner = Runtime::new().unwrap();
                rt.block_on(async { inner.block_on(async {}) })
            }),
        ),
        (
            "coop::block_on in block_on",
            Box::new(|| rt.block_on(async { coop::block_on(async {}) })),
        ),
        (
            "Handle::current outside",
            Box::new(|| drop(coop::Handle::current())),
        ),
        (
            "spawn_blocking outside",
            Box::new(|| drop(coop::spawn_blocking(|| ()))),
        ),
        (
            "join_blocking on the loop",
            Box::new(|| rt.block_on(async { coop::spawn(async {}).join_blocking().unwrap() })),
        ),
        (
            "Handle::block_on on the loop",
            Box::new(|| rt.block_on(async { coop::Handle::current().block_on(async {}) })),
        ),
        (
            "JoinError::into_panic on a cancelled task",
            Box::new(|| {
                let handle = rt.spawn(std::future::pending::<()>());
                handle.abort();
                drop(rt.block_on(handle).unwrap_err().into_panic());
            }),
        ),
        (
            "Builder::budget(0)",
            Box::new(|| drop(coop::Builder::new().budget(0))),
        ),
    ];
    for (case, f) in cases {
        assert_eq!(support::panic_file(f), here, "{case}");
    }
}

/// `Runtime::block_on` nested inside a *task* (issue 13): the task fails
/// with the nested-`block_on` panic, reported at the task's line.
#[test]
fn a_nested_block_on_inside_a_task_is_reported_at_the_tasks_line() {
    let here = file!();
    let rt = Runtime::new().unwrap();
    let file = support::panic_file(|| {
        let inner = Runtime::new().unwrap();
        let task = rt.spawn(async move { inner.block_on(async {}) });
        if let Err(err) = rt.block_on(task) {
            std::panic::resume_unwind(err.into_panic());
        }
    });
    // `resume_unwind` does not run the hook: the location is the task's.
    assert_eq!(file, here);
}
