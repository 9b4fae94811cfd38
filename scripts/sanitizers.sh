#!/usr/bin/env bash
# AddressSanitizer and ThreadSanitizer over coop's unit and integration
# tests, on nightly with std rebuilt instrumented (-Zbuild-std): a sanitizer
# report fails the test binary, and this script.
#
#   scripts/sanitizers.sh [address|thread]...    (default: both)
#   SANITIZER_TESTS="remote_wake handle" scripts/sanitizers.sh thread
#                                   (only those integration tests, no --lib)
#
# Each sanitizer builds in its own target dir (target/asan, target/tsan).
# Not run under a sanitizer, and why (printed too):
#   - doc tests: rustdoc builds them without the sanitizer's std;
#   - tests/macros_ui.rs: trybuild runs cargo inside the test to compile
#     the UI cases, which would build them without the sanitizer (and
#     against a different std): a compile check, nothing to sanitize;
# Everything else runs: the --lib unit tests (the task core, waker, queues,
# blocking pool, sync primitives) and every integration test, above all the
# cross-thread ones (remote_wake, handle, blocking*, sync_*).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

sanitizers=("$@")
[ ${#sanitizers[@]} -gt 0 ] || sanitizers=(address thread)
target=x86_64-unknown-linux-gnu

cannot() {
    echo "sanitizers: CANNOT RUN: $*" >&2
    exit 1
}

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
    cannot "the sanitizers here are set up for $target; this machine is $(uname -s)-$(uname -m)"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "installing the nightly toolchain (the sanitizers are nightly-only: -Zsanitizer)"
    rustup toolchain install nightly --profile minimal --no-self-update ||
        cannot "rustup could not install nightly: -Zsanitizer and -Zbuild-std need it"
fi
if ! rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
    echo "installing rust-src for nightly (-Zbuild-std rebuilds std from it)"
    rustup component add --toolchain nightly rust-src ||
        cannot "rustup could not add rust-src to nightly: -Zbuild-std needs std's sources"
fi
rustc +nightly --version

if [ -n "${SANITIZER_TESTS:-}" ]; then
    tests=()
    for t in $SANITIZER_TESTS; do tests+=(--test "$t"); done
else
    tests=(--lib)
    for f in tests/*.rs; do
        name=$(basename "$f" .rs)
        [ "$name" = macros_ui ] && continue
        tests+=(--test "$name")
    done
fi
echo "not under a sanitizer: doc tests (rustdoc builds them against the uninstrumented std), tests/macros_ui.rs (trybuild compiles its cases with a nested cargo, outside the sanitizer: a compile check)"

failed=()
for san in "${sanitizers[@]}"; do
    case "$san" in
        address) dir=target/asan
                 export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1"
                 # Leaks tests make on purpose (each one explained there).
                 export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=1" ;;
        thread)  dir=target/tsan
                 export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" ;;
        *) echo "unknown sanitizer $san (address or thread)" >&2; exit 2 ;;
    esac
    echo
    echo "==> $san sanitizer: cargo +nightly test -Zbuild-std --target $target --target-dir $dir"
    start=$SECONDS
    rc=0
    # RUST_BACKTRACE=0: tests that panic on purpose would otherwise
    # symbolize a backtrace of an instrumented debug binary, seconds each,
    # and trip the generous time limits of the tests that bound a hang.
    RUST_BACKTRACE=0 RUSTFLAGS="-Zsanitizer=$san" RUSTDOCFLAGS="-Zsanitizer=$san" \
        cargo +nightly test -Zbuild-std --target "$target" --target-dir "$dir" \
        --no-fail-fast "${tests[@]}" || rc=$?
    echo "--> $san sanitizer: exit $rc ($((SECONDS - start)) s)"
    [ "$rc" -eq 0 ] || failed+=("$san")
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "sanitizers: FAILED: ${failed[*]}"
    exit 1
fi
echo "sanitizers: clean (${sanitizers[*]})"
