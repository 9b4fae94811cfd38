// `start_paused = true` starts the runtime's clock paused: an hour-long
// sleep finishes at once, the runtime's clock moves by exactly an hour.
use std::time::{Duration, Instant};

#[coop::main(start_paused = true)]
async fn main() {
    let wall = Instant::now();
    let start = coop::time::now();
    coop::time::sleep(Duration::from_secs(3600)).await;
    assert!(coop::time::now() - start >= Duration::from_secs(3600));
    assert!(wall.elapsed() < Duration::from_secs(600), "slept on the wall clock");
}
