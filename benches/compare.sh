#!/bin/sh
# Runs the benchmark suite: every workload on coop, tokio, smol and LocalPool,
# interleaved, 5 rounds, and prints the markdown table (progress on stderr).
#   benches/compare.sh                          # everything
#   benches/compare.sh --rounds 3 --only spawn_many,ping_pong
#   benches/compare.sh --runtimes coop,tokio
set -e
cd "$(dirname "$0")/.."
exec cargo bench --bench suite -- "$@"
