#[coop::main]
fn main() {}
