#!/usr/bin/env bash
# Instructions per request of each HTTP benchmark server (benches/http.sh's
# three, plus the full http_hello example), under valgrind's cachegrind: a figure the machine's load does not
# move, unlike CPU time. Each server runs under cachegrind while wrk drives
# it for SECONDS; instructions (the whole process: start-up included, which
# is small against ~10^5 requests) are divided by the requests wrk counted.
# User-space instructions only: the system calls' kernel time is not in it.
#
# Usage: benches/http-instructions.sh [CONNECTIONS] [SECONDS]   (defaults: 16, 5)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
conns="${1:-16}"
seconds="${2:-5}"
target="$root/target/http-bench"
# shellcheck source=../scripts/http-server.sh
source "$root/scripts/http-server.sh"
for tool in valgrind wrk; do
    command -v "$tool" >/dev/null || { echo "$tool is required (apt-get install $tool)" >&2; exit 1; }
done

(cd "$root/examples/http_hello" && cargo build --release --quiet --features bench --target-dir "$target")

echo "| server | requests | instructions | instructions per request |"
echo "|---|---:|---:|---:|"
for server in hello_coop hello_tokio hello_smol http_hello; do
    http_start valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$work/cg.$server" \
        "$target/release/$server" || exit 1
    wrk -t1 -c"$conns" -d"${seconds}s" "http://$addr/" > "$work/wrk"
    http_stop
    requests=$(awk '/requests in/ { print $1 }' "$work/wrk")
    instructions=$(awk '/^summary:/ { print $2 }' "$work/cg.$server")
    echo "| $server | $requests | $instructions | $((instructions / requests)) |"
done
echo
echo "(wrk -t1 -c$conns -d${seconds}s, cachegrind --cache-sim=no, $(date -u +%Y-%m-%d))"
