//! The sleep demo with the loop's trace switched on: every step of
//! cooperative multitasking, printed as it happens.
//!
//! `cargo run --example trace_loop`
//!
//! The demo runs as a spawned task (as Python's `asyncio.run` wraps its
//! coroutine in a task), so you see the loop handle it like any other:
//!
//! ```text
//!  task.spawn        spawn(...) put the task on the run queue
//!  loop.pick         the loop popped it
//!  task.poll.start   ...and polled it: it prints "start", reaches the sleep,
//!  task.poll.end     and returns Pending: it is waiting, not running
//!  loop.park         nothing runnable: sleep in epoll until the timer's deadline
//!  loop.unpark       the deadline passed
//!  timer.fired       ...so its waker is woken:
//!  task.wake         the task goes back on the run queue
//!  loop.pick         picked again, polled again: the sleep is over, it
//!  task.poll.end     prints "end" and returns Ready
//!  task.complete     the output goes to the JoinHandle
//! ```
//!
//! Narrow it with `RUST_LOG`, for example
//! `RUST_LOG=coop::executor=trace cargo run --example trace_loop`.
//!
//! Colours only on a terminal: piped into a file or `less`, the output is
//! plain text (`cargo run --example trace_loop | grep task.wake`).

use std::io::IsTerminal;
use std::time::Duration;

use tracing_subscriber::EnvFilter;

/// `pub` so `tests/trace_loop_output.rs` can run it with stdout on a pipe.
pub fn main() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("trace"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        // Seconds since start: watch the one-second park.
        .with_timer(tracing_subscriber::fmt::time::uptime())
        // ANSI colour codes only where something will render them.
        .with_ansi(std::io::stdout().is_terminal())
        .init();

    coop::block_on(async {
        let task = coop::spawn(async {
            println!("start");
            coop::time::sleep(Duration::from_secs(1)).await;
            println!("end");
        });
        task.await.unwrap();
    });
}
