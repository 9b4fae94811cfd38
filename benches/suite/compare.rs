//! The driver: runs every workload on every runtime in a separate process,
//! interleaved (the runtime order rotates each round), and prints a markdown
//! table: median per runtime with the min–max spread, the ratio of each
//! runtime to tokio, and coop's ratio to the best peer.

use std::collections::BTreeMap;
use std::process::Command;

use crate::RUNTIMES;

pub fn main(args: &[String]) {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rounds: usize = flag("--rounds").map_or(5, |r| r.parse().expect("--rounds N"));
    let only: Option<Vec<String>> =
        flag("--only").map(|s| s.split(',').map(str::to_owned).collect());
    let runtimes: Vec<&str> = flag("--runtimes").map_or(RUNTIMES.to_vec(), |s| {
        RUNTIMES
            .iter()
            .copied()
            .filter(|r| s.split(',').any(|x| x == *r))
            .collect()
    });
    let exe = std::env::current_exe().expect("own path");

    // row name → runtime → samples; rows keep first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut units: BTreeMap<String, String> = BTreeMap::new();
    let mut samples: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for round in 0..rounds {
        for workload in crate::workloads() {
            if only
                .as_ref()
                .is_some_and(|o| !o.iter().any(|n| n == workload.name))
            {
                continue;
            }
            let mut order_rt = runtimes.clone();
            order_rt.rotate_left(round % runtimes.len().max(1));
            for runtime in order_rt {
                if runtime == "localpool" && workload.needs_timers {
                    continue;
                }
                let out = Command::new(&exe)
                    .args(["--workload", workload.name, "--runtime", runtime])
                    .output()
                    .expect("run bench process");
                if !out.status.success() {
                    eprintln!(
                        "{} on {runtime} failed: {}",
                        workload.name,
                        String::from_utf8_lossy(&out.stderr)
                    );
                    continue;
                }
                for line in String::from_utf8_lossy(&out.stdout).lines() {
                    let f: Vec<&str> = line.split('\t').collect();
                    if f.len() != 5 || f[0] != "ROW" {
                        continue;
                    }
                    let (row, rt, value, unit) = (f[1], f[2], f[3], f[4]);
                    if !order.iter().any(|r| r == row) {
                        order.push(row.to_owned());
                    }
                    units.insert(row.to_owned(), unit.to_owned());
                    let v: f64 = value.parse().expect("number");
                    samples
                        .entry((row.to_owned(), rt.to_owned()))
                        .or_default()
                        .push(v);
                    eprintln!("round {} {row:<45} {rt:<10} {v:>10.1} {unit}", round + 1);
                }
            }
        }
    }
    print_table(&order, &units, &samples, &runtimes, rounds);
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn fmt(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

fn print_table(
    order: &[String],
    units: &BTreeMap<String, String>,
    samples: &BTreeMap<(String, String), Vec<f64>>,
    runtimes: &[&str],
    rounds: usize,
) {
    println!("\nmedian of {rounds} interleaved rounds (min–max); lower is better\n");
    let mut header = String::from("| workload | unit |");
    let mut rule = String::from("|---|---|");
    for rt in runtimes {
        header += &format!(" {rt} |");
        rule += "---:|";
    }
    for rt in runtimes.iter().filter(|r| **r != "tokio") {
        header += &format!(" {rt}/tokio |");
        rule += "---:|";
    }
    header += " coop/best peer |";
    rule += "---|";
    println!("{header}\n{rule}");
    for row in order {
        let mut line = format!("| {row} | {} |", units[row]);
        let mut medians: BTreeMap<&str, f64> = BTreeMap::new();
        for rt in runtimes {
            match samples.get(&(row.clone(), rt.to_string())) {
                Some(v) => {
                    let mut v = v.clone();
                    let m = median(&mut v);
                    medians.insert(rt, m);
                    line += &format!(" {} ({}–{}) |", fmt(m), fmt(v[0]), fmt(v[v.len() - 1]));
                }
                None => line += " – |",
            }
        }
        for rt in runtimes.iter().filter(|r| **r != "tokio") {
            match (medians.get(rt), medians.get("tokio")) {
                (Some(m), Some(t)) if *t > 0.0 => line += &format!(" {:.2} |", m / t),
                _ => line += " – |",
            }
        }
        // The best peer is the fastest: the smallest figure, or the largest
        // for a rate (`/s`). The ratio reads the same way in both cases:
        // below 1.0, coop is ahead.
        let higher_is_better = units[row] == "/s";
        let best = medians
            .iter()
            .filter(|(rt, _)| **rt != "coop")
            .min_by(|a, b| {
                let order = a.1.partial_cmp(b.1).unwrap();
                if higher_is_better {
                    order.reverse()
                } else {
                    order
                }
            });
        match (medians.get("coop"), best) {
            (Some(c), Some((rt, b))) if *b > 0.0 && *c > 0.0 => {
                let ratio = if higher_is_better { b / c } else { c / b };
                line += &format!(" {ratio:.2} ({rt}) |");
            }
            _ => line += " – |",
        }
        println!("{line}");
    }
}
