//! The `task.wake` trace event carries its wake source. In a test binary
//! of its own: `tracing::subscriber::with_default` covers only this
//! thread, and a test on another thread of the same binary, with no
//! subscriber, could leave the event's callsite cached as "never
//! interested", so the event would not reach this test's subscriber.

use std::time::Duration;

use coop::Runtime;

#[test]
fn the_task_wake_trace_event_carries_the_source() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let out = Captured::default();
    let writer = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let rt = Runtime::new().unwrap();
        rt.block_on(async {
            coop::spawn(coop::time::sleep(Duration::from_millis(1)))
                .await
                .unwrap();
        });
    });
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let wakes: Vec<_> = text.lines().filter(|l| l.contains("wake (")).collect();
    assert!(
        wakes.iter().any(|l| l.contains("source=Some(Timer)")),
        "{wakes:#?}"
    );
}
