//! Fan out 100 jobs, at most 10 at a time; collect results as they finish;
//! on the first error, cancel the rest.
//!
//! ```text
//! cargo run --example fan_out            # job 73 fails: the run stops there
//! cargo run --example fan_out -- --ok    # every job succeeds
//! ```
//!
//! Structured concurrency as asyncio's `TaskGroup` gives it: every job is a
//! task in one [`JoinSet`](coop::task::JoinSet), so none outlives this
//! function. A [`Semaphore`](coop::sync::Semaphore) with 10 permits keeps
//! at most 10 jobs *working* at once (all 100 tasks exist; 90 of them wait
//! for a permit, in FIFO order, costing nothing while they wait).
//! `join_next` hands back results in the order the jobs finish, not the
//! order they were spawned; dropping the set aborts whatever is left.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use coop::sync::Semaphore;
use coop::task::JoinSet;

const JOBS: u64 = 100;
const AT_ONCE: usize = 10;
/// The job that fails, unless `--ok` is given.
const FAILING_JOB: u64 = 73;

#[coop::main]
async fn main() {
    let fail = !std::env::args().any(|a| a == "--ok");
    let permits = Rc::new(Semaphore::new(AT_ONCE));
    let working = Rc::new(Cell::new(0usize));
    let most_at_once = Rc::new(Cell::new(0usize));

    let mut jobs = JoinSet::new();
    for id in 0..JOBS {
        let (permits, working, most) = (permits.clone(), working.clone(), most_at_once.clone());
        jobs.spawn(async move {
            // Held until the job ends (or is cancelled: dropping it returns it).
            let _permit = permits
                .acquire()
                .await
                .expect("the semaphore is never closed");
            working.set(working.get() + 1);
            most.set(most.get().max(working.get()));
            // The "work": a wait whose length varies, so jobs finish out of order.
            coop::time::sleep(Duration::from_millis(5 + (id * 37) % 50)).await;
            working.set(working.get() - 1);
            if fail && id == FAILING_JOB {
                Err(format!("job {id} failed"))
            } else {
                Ok((id, id * id))
            }
        });
    }

    let mut done = 0;
    while let Some(joined) = jobs.join_next().await {
        match joined.expect("no job panics") {
            Ok((id, square)) => {
                done += 1;
                println!("job {id:>2} done: {id}² = {square}");
            }
            Err(e) => {
                println!("{e}: cancelling the {} jobs left", jobs.len());
                // Aborts every task still in the set and waits for them to
                // be dropped; their permits go back with them.
                jobs.shutdown().await;
            }
        }
    }
    println!(
        "{done} of {JOBS} jobs finished; at most {} worked at once (limit {AT_ONCE})",
        most_at_once.get()
    );
    assert!(most_at_once.get() <= AT_ONCE);
}
