#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, tests, doc tests,
# the loom models and the Miri run. Works on a fresh machine: it installs the
# Rust toolchains and components it needs through rustup.
#
#   scripts/test-all.sh
#
# Each step prints a header and its duration, so the CI log reads in order.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

suite_start=$SECONDS

step() {
    echo
    echo "==> $*"
    step_start=$SECONDS
}

done_step() {
    echo "--> ok ($((SECONDS - step_start)) s)"
}

# --- toolchain ---------------------------------------------------------------
step "toolchain: rustup, stable with rustfmt and clippy"
if ! command -v rustup >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/rustup" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v rustup >/dev/null 2>&1; then
    echo "error: rustup is not on PATH; this suite expects the machine's Rust toolchain (rustup, stable)" >&2
    exit 1
fi
if ! cargo --version >/dev/null 2>&1; then
    rustup toolchain install stable --profile minimal --no-self-update
    rustup default stable
fi
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo --version
done_step

# --- Miri, in the background from the start ----------------------------------
# Miri interprets on one core and is the longest step, so it starts first and
# runs in the background (its output kept in a log and printed whole when it
# ends) while every other step shares the other core with it. (Loom and Miri
# are for the `coop` package only, the workspace root's default;
# `coop-macros` has no cross-thread or unsafe code.)
#
# Miri: the unsafe core (task allocation, waker, join handle, sync guards).
# (Listings go through variables: `grep -q` in a pipe under pipefail can
# fail the pipe with SIGPIPE.)
step "miri: installing nightly with miri and rust-src if missing"
miri_ready() {
    local installed
    installed=$(rustup component list --toolchain nightly --installed 2>/dev/null || true)
    grep -q '^miri' <<<"$installed" && grep -q '^rust-src' <<<"$installed"
}
miri_skip=""
if ! miri_ready; then
    echo "installing nightly with miri and rust-src"
    toolchains=$(rustup toolchain list)
    if ! grep -q '^nightly' <<<"$toolchains"; then
        rustup toolchain install nightly --profile minimal --no-self-update || true
    fi
    rustup component add --toolchain nightly miri rust-src || true
    if ! miri_ready; then
        miri_skip="rustup could not install miri and rust-src for the nightly toolchain"
    fi
fi
miri_pid=""
miri_log=target/miri-run.log
# If a later step fails, the background Miri run must not outlive the script.
stop_miri() {
    if [ -n "$miri_pid" ]; then
        pkill -P "$miri_pid" 2>/dev/null || true
        kill "$miri_pid" 2>/dev/null || true
    fi
}
trap stop_miri EXIT
if [ -z "$miri_skip" ]; then
    cargo +nightly miri setup
    mkdir -p target
    echo "cargo +nightly miri test --lib runs in the background (log: $miri_log)"
    miri_start=$SECONDS
    cargo +nightly miri test --lib --target-dir target/miri >"$miri_log" 2>&1 &
    miri_pid=$!
else
    echo "Miri skipped: $miri_skip"
fi
done_step

# --- formatting and lints ------------------------------------------------------
step "cargo fmt --all -- --check"
cargo fmt --all -- --check
done_step

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
done_step

# --- tests ---------------------------------------------------------------------
step "cargo test --workspace --all-targets (unit, integration, examples, macro UI cases)"
cargo test --workspace --all-targets
done_step

step "cargo test --workspace --doc"
cargo test --workspace --doc
done_step

# --- timeline (issue 9): the feature-gated recorder, built only here ---
step "timeline: scripts/timeline.sh (feature timeline: clippy --lib, recorder unit tests, tests/timeline.rs)"
scripts/timeline.sh
done_step
# --- end timeline ---

# --- reliability (issue 11): soak, valgrind and sanitizers, short forms --------
# The 20 s soak and valgrind over the examples, on the debug examples the
# test step above built (RELIABILITY.md: the long forms, sanitizers, fuzzing).
step "reliability: scripts/reliability-ci.sh (20 s soak, valgrind memcheck, TSan and ASan over the cross-thread tests)"
scripts/reliability-ci.sh
done_step

# --- loom: every interleaving of the cross-thread code (cfg(loom) models) ------
step "loom: cargo test --release --lib with --cfg loom (LOOM_MAX_PREEMPTIONS=2)"
RUSTFLAGS="--cfg loom -C debug-assertions" LOOM_MAX_PREEMPTIONS=2 \
    cargo test --release --lib --target-dir target/loom
done_step

# --- downstream crates -----------------------------------------------------------
step "loom downstream: examples/loom-downstream models its own code with coop"
scripts/loom-downstream.sh
done_step

# --- http: hyper on coop (examples/http_hello) against curl, python, hyper --------
step "http: examples/http_hello with curl, python http.client, hyper's client, hostile clients"
scripts/http-tests.sh
done_step

# --- packaging (issue 10): features, docs.rs docs, cargo package, MSRV -----------
step "package check: feature combinations, docs -D warnings, cargo package, MSRV if installed"
scripts/package-check.sh
done_step

if [ -n "$miri_pid" ]; then
    step "miri: cargo +nightly miri test --lib (started at the beginning)"
    miri_rc=0
    wait "$miri_pid" || miri_rc=$?
    miri_pid=""
    cat "$miri_log"
    if [ "$miri_rc" -ne 0 ]; then
        echo "Miri failed (exit $miri_rc)" >&2
        exit "$miri_rc"
    fi
    echo "--> ok ($((SECONDS - miri_start)) s since it started)"
fi

echo
if [ -z "$miri_skip" ]; then
    echo "All checks passed in $((SECONDS - suite_start)) s."
else
    echo "All other checks passed in $((SECONDS - suite_start)) s; Miri skipped: $miri_skip"
fi
