#!/usr/bin/env bash
# Runs the loom model of examples/loom-downstream: a crate that depends on
# coop by path and model-checks its own code together with coop's runtime
# under `--cfg loom`. Also builds and tests it once without loom.
#
# Usage: scripts/loom-downstream.sh   (LOOM_MAX_PREEMPTIONS defaults to 2)
set -euo pipefail

cd "$(dirname "$0")/../examples/loom-downstream"

# Build into coop's own target folders (the plain one, and the loom one that
# scripts/test-all.sh fills just before): this crate's Cargo.lock holds a
# subset of coop's, so every dependency coop already built is reused instead
# of compiled again (~2 minutes saved on a cold CI run).
top=../..

echo "loom-downstream: plain build and test"
cargo test --quiet --target-dir "$top/target"

echo "loom-downstream: loom model (LOOM_MAX_PREEMPTIONS=${LOOM_MAX_PREEMPTIONS:-2})"
start=$(date +%s)
RUSTFLAGS="--cfg loom -C debug-assertions" \
  LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}" \
  cargo test --release --quiet --target-dir "$top/target/loom" --test loom
echo "loom-downstream: loom model passed in $(( $(date +%s) - start ))s"
