#!/usr/bin/env bash
# The minimum supported Rust version in Cargo.toml is true: builds coop's
# library (every feature) with that toolchain, against the committed
# Cargo.lock, in its own target dir (target/msrv).
#
#   scripts/msrv-check.sh                 # installs the toolchain through rustup if missing (~1 min)
#   scripts/msrv-check.sh --if-installed  # skips, saying so, when it is not installed (CI's short form)
#
# If the check fails because a dependency in Cargo.lock needs a newer Rust,
# raise `rust-version` in Cargo.toml and macros/Cargo.toml to what builds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

msrv=$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json,sys; print(next(p["rust_version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "coop"))')
start=$SECONDS
if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
    if [ "${1:-}" = "--if-installed" ]; then
        echo "-- MSRV $msrv: toolchain not installed, check skipped (scripts/msrv-check.sh installs it and checks)"
        exit 0
    fi
    rustup toolchain install "$msrv" --profile minimal --no-self-update
fi
echo "-- cargo +$msrv check --workspace --exclude coop-hyper --lib --all-features ($(rustup run "$msrv" rustc --version))"
cargo +"$msrv" check --quiet --workspace --exclude coop-hyper --lib --all-features --target-dir target/msrv
echo "   ($((SECONDS - start)) s)"
