//! The lesson's first demo: print, sleep one second without blocking the
//! thread, print again.
//!
//! `cargo run --example sleep`

use std::time::Duration;

fn main() {
    coop::block_on(async {
        println!("start");
        coop::time::sleep(Duration::from_secs(1)).await;
        println!("end");
    });
}
