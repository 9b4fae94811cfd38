#!/usr/bin/env bash
# The short forms of the reliability checks that fit CI's time budget
# (RELIABILITY.md has the long forms and what each costs):
#   1. the soak, 20 s, 1,000 connections (scripts/soak.sh);
#   2. valgrind memcheck over sleep, execution_order, echo_server and a
#      3-second soak (scripts/valgrind.sh);
#   3. ThreadSanitizer and AddressSanitizer over the cross-thread
#      integration tests (remote wakes, Handle, the blocking pool, abort
#      from other threads): scripts/sanitizers.sh with SANITIZER_TESTS.
# Both use the debug build of the examples in target/, which the suite's
# `cargo test --workspace --all-targets` step has already made, so this
# step builds nothing new (RELIABILITY_TARGET_DIR: build elsewhere, for a
# cold measurement). The sanitizers build std instrumented (-Zbuild-std, in
# target/tsan and target/asan): about two minutes each, cold. Not here, for
# time: the sanitizers over every test (scripts/sanitizers.sh) and fuzzing
# (a cargo-fuzz install and a nightly ASan build, cold: scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target_dir=${RELIABILITY_TARGET_DIR:-target}

start=$SECONDS
SOAK_PROFILE=dev SOAK_TARGET_DIR=$target_dir scripts/soak.sh --secs 20 --conns 1000
echo "--> soak: $((SECONDS - start)) s"

start=$SECONDS
VALGRIND_PROFILE=dev VALGRIND_TARGET_DIR=$target_dir scripts/valgrind.sh --soak-secs 3
echo "--> valgrind: $((SECONDS - start)) s"

start=$SECONDS
SANITIZER_TESTS="remote_wake handle blocking abort_handle" scripts/sanitizers.sh thread address
echo "--> sanitizers (cross-thread tests): $((SECONDS - start)) s"
