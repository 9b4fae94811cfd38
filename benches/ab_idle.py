#!/usr/bin/env python3
"""Idle-gated A/B of one workload across suite binaries and runtimes.

On this 2-core VM the cross-thread rows change mode with what else runs
(an idle vCPU halts; see RESULTS.md). Each round waits for a second in
which the machine was >= 90% idle, then runs every (binary, runtime) once,
in rotating order, and prints the figure beside the share of both CPUs
that *other* processes used meanwhile (/proc/stat minus the child's
rusage), so loaded runs can be told apart.

    cargo bench --bench suite --no-run; cp target/release/deps/suite-<hash> /tmp/suite_new
    benches/ab_idle.py blocking_roundtrip 6 /tmp/suite_main:coop /tmp/suite_new:coop \
        /tmp/suite_main:tokio /tmp/suite_main:smol
"""
import resource
import subprocess
import sys
import time


def cpu():
    """(busy, total) jiffies of all CPUs."""
    v = list(map(int, open("/proc/stat").readline().split()[1:]))
    return sum(v) - v[3] - v[4], sum(v)


def wait_idle(limit=300):
    for _ in range(limit):
        b0, t0 = cpu()
        time.sleep(1)
        b1, t1 = cpu()
        if (b1 - b0) * 10 <= (t1 - t0):
            return True
    return False


def main():
    workload, rounds, cfgs = sys.argv[1], int(sys.argv[2]), [a.split(":") for a in sys.argv[3:]]
    for r in range(rounds):
        if not wait_idle():
            print(f"round {r + 1}: never idle", flush=True)
        for k in range(len(cfgs)):
            binary, runtime = cfgs[(k + r) % len(cfgs)]
            ru0, (b0, t0) = resource.getrusage(resource.RUSAGE_CHILDREN), cpu()
            out = subprocess.run(
                [binary, "--bench", "--workload", workload, "--runtime", runtime],
                capture_output=True, text=True, check=True,
            ).stdout
            ru1, (b1, t1) = resource.getrusage(resource.RUSAGE_CHILDREN), cpu()
            mine = (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime) * 100
            others = max(0.0, (b1 - b0 - mine) / max(1, t1 - t0))
            figure = [line.split("\t")[3] for line in out.splitlines() if line.startswith("ROW")][0]
            print(f"round {r + 1}\t{binary}\t{runtime}\t{figure}\tothers={others:.0%}", flush=True)


if __name__ == "__main__":
    main()
