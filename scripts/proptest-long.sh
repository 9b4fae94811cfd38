#!/usr/bin/env bash
# Runs every proptest of coop with many more cases than `cargo test` does
# (256 by default): the timer heap, the task state word, the run queues,
# the reactor's readiness rule against a kernel model,
# mpsc and JoinSet. Usage: scripts/proptest-long.sh [CASES] (default 20000).
# Shrunk failures land in proptest-regressions/ and re-run first next time:
# commit them. Release mode: the models are plain code, the cases many.
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-20000}"
export PROPTEST_CASES="$cases"
start=$(date +%s)
echo "proptest-long: PROPTEST_CASES=$cases"
cargo test --release --lib -- heap_proptests state_proptests run_queue_proptests reactor::model_tests
cargo test --release --test sync_proptests
echo "proptest-long: ${cases} cases per property, $(( $(date +%s) - start )) s"
