// `-> Result` and `?` in `#[coop::main]`, with builder arguments; an early
// `return` leaves the body as in a plain `main`.
use std::error::Error;

#[coop::main(event_interval = 31, budget = 64u32, max_blocking_threads = 2, start_paused = false)]
async fn main() -> Result<(), Box<dyn Error>> {
    let n: u32 = "42".parse()?;
    if n == 42 {
        return Ok(());
    }
    Err("unreachable".into())
}
