#[coop::main]
struct NotAFunction;

fn main() {}
