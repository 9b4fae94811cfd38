//! The slow-poll warning: a poll longer than
//! `Builder::slow_poll_threshold` emits a `WARN` event naming the task, its
//! spawn site and the time it held the loop.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use coop::Builder;

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

/// A runtime that warns about polls longer than `threshold`.
fn warn_after(threshold: Duration) -> coop::Runtime {
    Builder::new()
        .slow_poll_threshold(Some(threshold))
        .build()
        .unwrap()
}

/// Runs `f` with a WARN-level subscriber on this thread; returns its output.
fn warnings(f: impl FnOnce()) -> String {
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    out.text()
}

#[test]
fn a_poll_that_blocks_is_reported_with_the_tasks_name_id_and_spawn_site() {
    let mut id = None;
    let mut line = 0;
    let out = warnings(|| {
        let rt = warn_after(Duration::from_millis(20));
        rt.block_on(async {
            let handle = coop::task::Builder::new()
                .name("sleepy")
                .spawn(async { std::thread::sleep(Duration::from_millis(50)) });
            line = line!() - 1;
            id = Some(handle.id());
            handle.await.unwrap();
        });
    });
    let id = id.unwrap();
    assert!(out.contains("WARN"), "{out}");
    assert!(out.contains("\"sleepy\""), "{out}");
    assert!(out.contains(&format!("id {id}")), "{out}");
    assert!(out.contains(&format!("{}:{line}", file!())), "{out}");
    assert_eq!(
        out.lines().filter(|l| l.contains("held the loop")).count(),
        1,
        "{out}"
    );
}

#[test]
fn every_slow_poll_is_reported_not_only_the_longest() {
    let out = warnings(|| {
        let rt = warn_after(Duration::from_millis(10));
        rt.block_on(async {
            for ms in [40, 20] {
                coop::spawn(async move { std::thread::sleep(Duration::from_millis(ms)) })
                    .await
                    .unwrap();
            }
        });
    });
    assert_eq!(
        out.lines().filter(|l| l.contains("held the loop")).count(),
        2,
        "{out}"
    );
}

#[test]
fn quick_polls_sleeps_and_a_disabled_threshold_warn_nothing() {
    let out = warnings(|| {
        let rt = warn_after(Duration::from_secs(5));
        rt.block_on(async {
            // Waiting is not blocking: a long sleep between polls is fine.
            coop::spawn(coop::time::sleep(Duration::from_millis(50)))
                .await
                .unwrap();
        });
        let off = Builder::new().slow_poll_threshold(None).build().unwrap();
        off.block_on(async {
            coop::spawn(async { std::thread::sleep(Duration::from_millis(30)) })
                .await
                .unwrap();
        });
    });
    assert!(!out.contains("held the loop"), "{out}");
}

#[test]
fn the_block_on_future_is_reported_too() {
    let out = warnings(|| {
        let rt = warn_after(Duration::from_millis(20));
        rt.block_on(async { std::thread::sleep(Duration::from_millis(40)) });
    });
    assert!(out.contains("the future given to `block_on`"), "{out}");
}

#[test]
fn the_default_threshold_is_100_ms() {
    let out = warnings(|| {
        coop::block_on(async {
            coop::spawn(async { std::thread::sleep(Duration::from_millis(150)) })
                .await
                .unwrap();
        });
    });
    assert!(out.contains("held the loop"), "{out}");
}
