//! The same code without loom, on a real coop runtime.

#![cfg(not(loom))]

use loom_downstream::{fan_out, Arc, Hits};

#[test]
fn fan_out_counts_both_hits() {
    assert_eq!(coop::block_on(fan_out(Arc::new(Hits::default()))), 2);
}
