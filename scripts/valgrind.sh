#!/usr/bin/env bash
# valgrind memcheck over coop's examples: zero errors and nothing
# definitely lost, or the script fails.
#
#   scripts/valgrind.sh [--soak-secs N]     (default 5)
#
# Runs, each under `valgrind --leak-check=full
# --errors-for-leak-kinds=definite --error-exitcode=1`:
#   sleep, execution_order         to completion;
#   echo_server                    while echo_client (not under valgrind)
#                                  drives it for 3 s, then SIGTERM: the leak
#                                  check runs at the signal, so only
#                                  definitely-lost blocks count there;
#   soak                           a short soak (100 connections; its RSS
#                                  plateau check is off: the RSS is mostly
#                                  valgrind's own shadow memory).
# Release builds (debug info on, for readable reports) in target/valgrind
# (VALGRIND_TARGET_DIR overrides; VALGRIND_PROFILE=dev uses the debug
# build in target/, which `cargo test --all-targets` already made, in CI).
# Prints each run's ERROR SUMMARY and LEAK SUMMARY; logs in
# target/valgrind/logs/. Installs valgrind with apt-get if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

soak_secs=5
while [ $# -gt 0 ]; do
    case "$1" in
        --soak-secs) soak_secs=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind missing: installing it with apt-get"
    if command -v apt-get >/dev/null 2>&1; then
        sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq && $sudo apt-get install -y -qq valgrind
    fi
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "valgrind could not be installed (no apt-get or no permission): memcheck NOT run" >&2
        exit 1
    fi
fi
valgrind --version

profile=${VALGRIND_PROFILE:-release}
if [ "$profile" = dev ]; then
    target_dir=${VALGRIND_TARGET_DIR:-target}
    out=debug
else
    target_dir=${VALGRIND_TARGET_DIR:-target/valgrind}
    out=release
    export CARGO_PROFILE_RELEASE_DEBUG=true
fi
logs=$target_dir/logs
mkdir -p "$logs"
cargo build --profile "$profile" --target-dir "$target_dir" \
    --example sleep --example execution_order --example echo_server \
    --example echo_client --example soak
bin=$target_dir/$out/examples

memcheck=(valgrind --leak-check=full --errors-for-leak-kinds=definite
    --error-exitcode=1 --track-fds=no)

failed=0
# summary NAME LOG RC: print the run's summaries, fail on errors or leaks.
summary() {
    local name=$1 log=$2 rc=$3
    echo "--- $name (exit $rc)"
    grep -E "ERROR SUMMARY|definitely lost|indirectly lost|possibly lost|still reachable|All heap blocks" "$log" |
        sed 's/^==[0-9]*== */    /' || true
    if ! grep -q "ERROR SUMMARY: 0 errors" "$log"; then
        echo "    FAIL: memcheck errors (see $log)"
        failed=1
    fi
    if grep -qE "definitely lost: [1-9]" "$log"; then
        echo "    FAIL: memory definitely lost (see $log)"
        failed=1
    fi
}

run() {
    local name=$1; shift
    local rc=0
    "${memcheck[@]}" --log-file="$logs/$name.log" "$@" >"$logs/$name.out" 2>&1 || rc=$?
    summary "$name" "$logs/$name.log" "$rc"
    [ "$rc" -eq 0 ] || { echo "    FAIL: exit $rc (output: $logs/$name.out)"; failed=1; }
}

run sleep "$bin/sleep"
run execution_order "$bin/execution_order"
run soak "$bin/soak" --secs "$soak_secs" --conns 100 --timers 200 --no-rss-check

# echo_server: under valgrind, driven by a client from outside it. It
# binds port 0 and prints the port the kernel gave it: a port picked here
# could be one an earlier step's connection still holds (AddrInUse).
"${memcheck[@]}" --log-file="$logs/echo_server.log" \
    "$bin/echo_server" "127.0.0.1:0" >"$logs/echo_server.out" 2>&1 &
server=$!
addr=""
for _ in $(seq 100); do
    addr=$(sed -n 's/^echo server listening on //p' "$logs/echo_server.out" 2>/dev/null)
    [ -n "$addr" ] && break
    sleep 0.2
done
client_rc=0
"$bin/echo_client" "${addr:-127.0.0.1:0}" 20 3 >"$logs/echo_client.out" 2>&1 || client_rc=$?
tail -1 "$logs/echo_client.out"
kill -TERM "$server"
server_rc=0
wait "$server" || server_rc=$?
# Ended by SIGTERM (143) is expected; memcheck's own error exit is 1.
summary echo_server "$logs/echo_server.log" "$server_rc"
if [ "$client_rc" -ne 0 ]; then
    echo "    FAIL: echo_client exit $client_rc (output: $logs/echo_client.out)"
    failed=1
fi
if [ "$server_rc" -eq 1 ]; then
    echo "    FAIL: memcheck reported errors in echo_server"
    failed=1
fi

if [ "$failed" -ne 0 ]; then
    echo "valgrind: FAILED"
    exit 1
fi
echo "valgrind: all runs clean (0 errors, 0 bytes definitely lost)"
