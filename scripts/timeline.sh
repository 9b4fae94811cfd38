#!/usr/bin/env bash
# The timeline recorder (cargo feature `timeline`, off by default, so the
# main test run never builds it): clippy on the library with the feature,
# the recorder's unit tests (both files parse and hold what was recorded)
# and tests/timeline.rs (a program run with COOP_TIMELINE writes them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo clippy --lib --features timeline -- -D warnings
cargo test --features timeline --lib observe::timeline
cargo test --features timeline --test timeline
