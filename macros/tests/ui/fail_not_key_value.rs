#[coop::main(budget, event_interval(3))]
async fn main() {}
