#!/usr/bin/env bash
# Thread-per-core echo: coop's `echo_per_core` (N loops, a SO_REUSEPORT
# listener each) against tokio's multi-thread runtime with N workers
# (`echo_tokio_multi_thread`), loaded by `echo_client` (one coop loop, 64-byte
# messages, each connection one round trip at a time) on the same machine.
#
#   benches/per_core.sh                         # N = 1 and 2; 64 and 1024 connections; 5 s each
#   LOOPS="2" CONNS="64 1024" SECONDS_EACH=5 ROUNDS=2 benches/per_core.sh
#
# Prints a markdown table: round trips/s (client's count / wall time) and
# server CPU per round trip (the server's user+system time from
# /proc/PID/stat over the client's run, divided by its round trips).
set -euo pipefail
cd "$(dirname "$0")/.."

LOOPS=${LOOPS:-"1 2"}
CONNS=${CONNS:-"64 1024"}
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-1}
PORT=${PORT:-17878}
ADDR=127.0.0.1:$PORT

# 1,024 connections are 2,048 descriptors on this machine (both ends).
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

cargo build --release --example echo_per_core --example echo_tokio_multi_thread \
    --example echo_client >&2
bin=target/release/examples
tick=$(getconf CLK_TCK)

# user + system ticks of a process (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
trap stop_server EXIT

measure() { # runtime loops conns
    local runtime=$1 loops=$2 conns=$3
    case $runtime in
        coop) "$bin/echo_per_core" "$ADDR" "$loops" >/dev/null & ;;
        tokio) "$bin/echo_tokio_multi_thread" "$ADDR" "$loops" >/dev/null & ;;
    esac
    server_pid=$!
    # Wait until it accepts.
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
        sleep 0.05
    done
    local before after out trips secs
    before=$(cpu_ticks "$server_pid")
    local t0 t1
    t0=$(date +%s.%N)
    out=$("$bin/echo_client" "$ADDR" "$conns" "$SECONDS_EACH")
    t1=$(date +%s.%N)
    after=$(cpu_ticks "$server_pid")
    stop_server
    # "N connections, T round trips of 64 bytes in S s: R round trips/s (F failed)"
    trips=$(awk '{ print $3 }' <<<"$out")
    secs=$(awk '{ print $10 }' <<<"$out")
    awk -v rt="$runtime" -v n="$loops" -v c="$conns" -v trips="$trips" -v secs="$secs" \
        -v ticks=$((after - before)) -v hz="$tick" -v wall="$(echo "$t1 - $t0" | bc)" \
        'BEGIN { cpu = ticks / hz;
                 printf "| %s | %d | %d | %.0f | %.2f | %.0f | %.2f |\n",
                        rt, n, c, trips / secs, cpu / wall, cpu * 1e9 / trips, wall }'
}

echo "| runtime | loops/workers | connections | round trips/s | server cores busy | server CPU ns / round trip | client wall s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for _ in $(seq "$ROUNDS"); do
    for loops in $LOOPS; do
        for conns in $CONNS; do
            for runtime in coop tokio; do
                measure "$runtime" "$loops" "$conns"
            done
        done
    done
done
