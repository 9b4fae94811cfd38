#[coop::main(budget = 0, event_interval = "fast", max_blocking_threads = 1, max_blocking_threads = 2)]
async fn main() {}
