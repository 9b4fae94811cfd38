#!/usr/bin/env bash
# The soak (examples/soak): one coop loop serving echo under thousands of
# misbehaving connections and timer/task/thread churn; exits non-zero if a
# byte was lost, a task or descriptor leaked, or RSS kept growing.
#
#   scripts/soak.sh                          # CI form: 20 s, 1,000 connections
#   scripts/soak.sh --secs 600 --conns 5000  # the run in RELIABILITY.md
#
# Extra arguments go to the soak as they are. Set SOAK_TARGET_DIR to build
# elsewhere (a cold measurement).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

secs=20
conns=1000
rest=()
while [ $# -gt 0 ]; do
    case "$1" in
        --secs) secs=$2; shift 2 ;;
        --conns) conns=$2; shift 2 ;;
        *) rest+=("$1"); shift ;;
    esac
done

target_dir=${SOAK_TARGET_DIR:-target}
cargo build --release --example soak --target-dir "$target_dir"
echo "soak: $secs s, $conns connections"
"$target_dir/release/examples/soak" --secs "$secs" --conns "$conns" ${rest[@]+"${rest[@]}"}
