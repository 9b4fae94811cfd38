#[coop::test(start_paused = 1)]
async fn paused() {}

#[coop::main(start_paused = true, start_paused = false)]
async fn main() {}
