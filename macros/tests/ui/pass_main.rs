// `#[coop::main]` runs the body on a coop runtime.
#[coop::main]
async fn main() {
    let task = coop::spawn(async { 6 * 7 });
    assert_eq!(task.await.unwrap(), 42);
}
