#!/usr/bin/env bash
# cargo fuzz (nightly, libFuzzer) over coop's fuzz targets (fuzz/), each for
# a fixed time:
#   timer_heap  the timer heap against a BTreeMap model (op sequences);
#   stream_io   the futures-io adapters under arbitrary read/write chunkings
#               (bytes neither lost nor duplicated).
#
#   scripts/fuzz.sh [--secs N] [TARGET...]     (default 60 s each, both)
#
# Installs cargo-fuzz only if it is missing. Corpora grow in fuzz/corpus/
# (not committed); a crash leaves its input in fuzz/artifacts/ and fails
# the script. Set FUZZ_TARGET_DIR to build elsewhere (a cold measurement).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

secs=60
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --secs) secs=$2; shift 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(timer_heap stream_io)

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "installing the nightly toolchain (cargo fuzz needs -Zsanitizer and -Cpasses)"
    rustup toolchain install nightly --profile minimal --no-self-update
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz missing: cargo install cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
cargo fuzz --version

target_dir=${FUZZ_TARGET_DIR:-target/fuzz}
for t in "${targets[@]}"; do
    echo
    echo "==> fuzz $t for $secs s"
    start=$SECONDS
    # Release with debug assertions (cargo fuzz's default), AddressSanitizer
    # on (its default too). One job: the machine is shared. -timeout: an
    # input that runs 20 s is a hang (a lost wake-up), reported as a crash.
    cargo +nightly fuzz run "$t" --target-dir "$target_dir" -- \
        -max_total_time="$secs" -timeout=20 -print_final_stats=1 2>&1 |
        grep -vE '^#[0-9]+\s+(NEW|REDUCE|pulse)' || {
        echo "fuzz $t: FAILED (see fuzz/artifacts/$t/)"
        exit 1
    }
    echo "--> $t: $((SECONDS - start)) s"
done
echo "fuzz: no crash in ${targets[*]}"
