#[coop::main(bugdet = 64)]
async fn main() {}
