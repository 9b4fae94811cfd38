//! A loom model of this crate's code together with coop's runtime: a
//! `coop::Runtime`, a blocking job, a loop task and a `Handle::spawn` from
//! another loom thread, racing with the runtime's drop.
//!
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom`

#![cfg(loom)]

use loom_downstream::{fan_out, Arc, Hits};

#[test]
fn every_hit_is_counted_and_nothing_hangs() {
    loom::model(|| {
        let rt = coop::Builder::new().max_blocking_threads(1).build().unwrap();
        let hits = Arc::new(Hits::default());

        let handle = rt.handle();
        let remote_hits = hits.clone();
        let remote = loom::thread::spawn(move || {
            handle
                .spawn(async move { remote_hits.record() })
                .join_blocking()
        });

        let seen = rt.block_on(fan_out(hits.clone()));
        assert!(seen >= 2, "both local hits are in before fan_out returns");
        drop(rt);

        // The remote task ran, or was cancelled by the drop: never lost.
        let remote_ran = match remote.join().unwrap() {
            Ok(()) => 1,
            Err(e) => {
                assert!(e.is_cancelled());
                0
            }
        };
        assert_eq!(hits.get(), 2 + remote_ran);
    });
}
