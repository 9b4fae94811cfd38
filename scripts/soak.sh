#!/usr/bin/env bash
# The soak (examples/soak): one coop loop serving echo under thousands of
# misbehaving connections and timer/task/thread churn; exits non-zero if a
# byte was lost, a task or descriptor leaked, or RSS kept growing.
#
#   scripts/soak.sh                          # CI form: 20 s, 1,000 connections
#   scripts/soak.sh --secs 600 --conns 5000  # the run in RELIABILITY.md
#
# Extra arguments go to the soak as they are. SOAK_TARGET_DIR builds
# elsewhere (a cold measurement); SOAK_PROFILE=dev uses the debug build
# (what `cargo test --all-targets` already built, in CI).
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
profile=${SOAK_PROFILE:-release}
out=$profile; [ "$profile" = dev ] && out=debug
cargo build --profile "$profile" --example soak --target-dir "$target_dir"
echo "soak: $secs s, $conns connections ($profile build)"
"$target_dir/$out/examples/soak" --secs "$secs" --conns "$conns" ${rest[@]+"${rest[@]}"}
