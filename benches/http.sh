#!/usr/bin/env bash
# HTTP benchmark: hyper's hello-world (HTTP/1, keep-alive), the same
# minimal server on coop (hello_coop), on tokio's current-thread runtime
# (hello_tokio) and on a single-threaded smol LocalExecutor with smol-hyper
# (hello_smol), all in examples/http_hello (feature `bench`), driven by wrk
# (one thread). `coop-full` (the full http_hello example: routes, stats,
# graceful shutdown) can be added with SERVERS. For each server and connection count it
# reports requests/s and the server's CPU per request: utime + stime from
# /proc/PID/stat over the run, divided by the requests wrk completed.
# Rounds are interleaved (the server order rotates each round); the table
# shows the median of the rounds.
#
# Usage: benches/http.sh [ROUNDS] [SECONDS]        (defaults: 3 rounds, 5 s)
#        CONNS="1 16 256" SERVERS="coop tokio smol coop-full" benches/http.sh
# Installs wrk with apt-get if it is missing.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-3}"
seconds="${2:-5}"
conns_list="${CONNS:-1 16 256}"
read -r -a servers <<< "${SERVERS:-coop tokio smol}"
target="$root/target/http-bench"
# shellcheck source=../scripts/http-server.sh
source "$root/scripts/http-server.sh"

if ! command -v wrk >/dev/null; then
    echo "http bench: installing wrk" >&2
    { apt-get update -qq && apt-get install -y -qq wrk; } >/dev/null
fi

echo "http bench: building examples/http_hello's benchmark servers" >&2
(cd "$root/examples/http_hello" && cargo build --release --quiet --features bench --target-dir "$target")
declare -A bin=(
    [coop]="$target/release/hello_coop"
    [coop-full]="$target/release/http_hello"
    [tokio]="$target/release/hello_tokio"
    [smol]="$target/release/hello_smol"
)
hz=$(getconf CLK_TCK)

# CPU ticks (utime + stime) the process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# One run: prints "REQUESTS_PER_S CPU_US_PER_REQUEST".
run() {
    local server=$1 conns=$2
    http_start "${bin[$server]}" || exit 1
    local before after
    before=$(cpu_ticks "$server_pid")
    wrk -t1 -c"$conns" -d"${seconds}s" "http://$addr/" > "$work/wrk"
    after=$(cpu_ticks "$server_pid")
    http_stop
    local requests rps
    requests=$(awk '/requests in/ { print $1 }' "$work/wrk")
    rps=$(awk '/^Requests\/sec/ { print $2 }' "$work/wrk")
    if grep -q "Non-2xx\|Socket errors" "$work/wrk"; then
        echo "warning: $server c=$conns: $(grep "Non-2xx\|Socket errors" "$work/wrk")" >&2
    fi
    awk -v r="$requests" -v rps="$rps" -v t="$((after - before))" -v hz="$hz" \
        'BEGIN { printf "%.0f %.2f\n", rps, t / hz / r * 1e6 }'
}

for round in $(seq "$rounds"); do
    # Rotate the order each round so no server always runs first.
    shift_by=$(( (round - 1) % ${#servers[@]} ))
    order=("${servers[@]:shift_by}" "${servers[@]:0:shift_by}")
    for conns in $conns_list; do
        for server in "${order[@]}"; do
            result=$(run "$server" "$conns")
            echo "round $round c=$conns $server: $result (req/s, server CPU us/req)" >&2
            echo "$server $conns $result" >> "$work/results"
        done
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo
echo "| connections | server | requests/s | server CPU per request (µs) |"
echo "|---:|---|---:|---:|"
for conns in $conns_list; do
    for server in "${servers[@]}"; do
        rps=$(awk -v s="$server" -v c="$conns" '$1 == s && $2 == c { print $3 }' "$work/results" | median)
        cpu=$(awk -v s="$server" -v c="$conns" '$1 == s && $2 == c { print $4 }' "$work/results" | median)
        echo "| $conns | $server | $rps | $cpu |"
    done
done
echo
echo "($rounds interleaved rounds of ${seconds} s each, medians; wrk -t1; $(nproc) cores; $(date -u +%Y-%m-%d))"
