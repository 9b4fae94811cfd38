use std::time::{Duration, Instant};

#[test]
fn smoke() {
    let rt = coop::Runtime::new().unwrap();
    let out = rt.block_on(async {
        let mut hs = Vec::new();
        for i in 0..10u64 {
            hs.push(coop::spawn(async move {
                coop::time::sleep(Duration::from_millis(10 * (10 - i))).await;
                i
            }));
        }
        let mut sum = 0;
        for h in hs {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(out, 45);
    let t = Instant::now();
    let r = rt.block_on(coop::time::timeout(
        Duration::from_millis(20),
        std::future::pending::<()>(),
    ));
    assert!(r.is_err());
    assert!(t.elapsed() >= Duration::from_millis(20));
    let p = rt.block_on(rt.spawn(async { panic!("x") }));
    assert!(p.unwrap_err().is_panic());
    let other = std::thread::spawn(|| ());
    other.join().unwrap();
}
