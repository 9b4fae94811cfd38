//! The blocking pool's threads: how many it starts for a steady stream of
//! jobs, and what they are called.

mod support;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread::{self, ThreadId};

use coop::{Builder, Handle, Runtime};
use support::{within, GENEROUS};

/// Jobs run one after another: many, so that a wake-up that races the
/// worker's return to the queue has plenty of chances to start a thread.
const SEQUENTIAL_JOBS: usize = 5_000;

fn assert_few_threads(threads: &HashSet<ThreadId>) {
    assert!(
        threads.len() <= 2,
        "{SEQUENTIAL_JOBS} sequential jobs ran on {} threads; a worker that just \
         finished a job should take the next one",
        threads.len()
    );
}

#[test]
fn sequential_jobs_awaited_on_the_loop_run_on_at_most_two_threads() {
    let threads = within(GENEROUS, || {
        Runtime::new().unwrap().block_on(async {
            let mut threads = HashSet::new();
            for _ in 0..SEQUENTIAL_JOBS {
                let job = coop::spawn_blocking(|| thread::current().id());
                threads.insert(job.await.unwrap());
            }
            threads
        })
    });
    assert_few_threads(&threads);
}

#[test]
fn sequential_jobs_joined_from_a_plain_thread_run_on_at_most_two_threads() {
    let rt = Runtime::new().unwrap();
    let handle = rt.handle();
    let threads = within(GENEROUS, move || {
        (0..SEQUENTIAL_JOBS)
            .map(|_| {
                handle
                    .spawn_blocking(|| thread::current().id())
                    .join_blocking()
                    .unwrap()
            })
            .collect::<HashSet<_>>()
    });
    assert_few_threads(&threads);
}

/// Runs `n` jobs that all wait for each other (so `n` workers must be
/// alive at once) and returns each worker's name as Rust and, on Linux, as
/// the kernel keeps it.
fn names_of_concurrent_workers(handle: &Handle, n: usize) -> Vec<(String, String)> {
    let all_started = Arc::new(Barrier::new(n));
    let jobs: Vec<_> = (0..n)
        .map(|_| {
            let all_started = all_started.clone();
            handle.spawn_blocking(move || {
                all_started.wait();
                let name = thread::current().name().unwrap_or_default().to_owned();
                let kernel = std::fs::read_to_string("/proc/thread-self/comm")
                    .map(|comm| comm.trim_end().to_owned())
                    .unwrap_or_else(|_| name.clone());
                (name, kernel)
            })
        })
        .collect();
    within(GENEROUS, move || {
        jobs.into_iter()
            .map(|job| job.join_blocking().unwrap())
            .collect()
    })
}

#[test]
fn worker_names_stay_distinct_within_the_15_bytes_linux_keeps() {
    // 12 workers: under the old `coop-blocking-{n}`, workers 1 and 10, 11
    // all showed as `coop-blocking-1`.
    const WORKERS: usize = 12;
    let rt = Runtime::new().unwrap();
    let names = names_of_concurrent_workers(&rt.handle(), WORKERS);
    for (name, kernel) in &names {
        assert!(name.starts_with("coop-blk-"), "{name}");
        assert_eq!(name, kernel, "the kernel cut the name");
    }
    let distinct: HashSet<_> = names.iter().map(|(_, kernel)| kernel).collect();
    assert_eq!(distinct.len(), WORKERS, "{names:?}");
}

#[test]
fn thread_name_sets_the_prefix_of_the_numbered_names() {
    let rt = Builder::new().thread_name("db-").build().unwrap();
    let names: HashSet<_> = names_of_concurrent_workers(&rt.handle(), 3)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    let expected: HashSet<_> = ["db-0", "db-1", "db-2"].map(String::from).into();
    assert_eq!(names, expected);
}

#[test]
fn thread_name_fn_names_every_new_worker() {
    let calls = Arc::new(AtomicUsize::new(0));
    let rt = Builder::new()
        .thread_name_fn({
            let calls = calls.clone();
            move || format!("mine-{}", calls.fetch_add(1, Ordering::SeqCst))
        })
        .build()
        .unwrap();
    let names: HashSet<_> = names_of_concurrent_workers(&rt.handle(), 3)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "one call per thread started"
    );
    let expected: HashSet<_> = ["mine-0", "mine-1", "mine-2"].map(String::from).into();
    assert_eq!(names, expected);
}
