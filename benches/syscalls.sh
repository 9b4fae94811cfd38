#!/bin/sh
# System calls per tcp_echo round trip on the server, per runtime (needs
# strace). The server is traced
# without -f, so the client process (a child) is not counted; the echo
# client makes 64 connections x 3,000 round trips = 192,000.
#   benches/syscalls.sh
set -e
cd "$(dirname "$0")/.."
BIN=$(cargo bench --bench suite --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))/\1/p' | tail -1)
TRIPS=192000
for rt in coop tokio smol; do
    out=$(mktemp)
    strace -c -o "$out" "$BIN" --workload tcp_echo --runtime "$rt" > /dev/null
    awk -v rt="$rt" -v trips="$TRIPS" '
        $NF ~ /^(read|recvfrom|recvmsg|readv)$/ { reads += $4 }
        $NF ~ /^(write|sendto|sendmsg|writev)$/ { writes += $4 }
        $NF ~ /^epoll/ { polls += $4 }
        $NF == "total" { total = $4 }
        END { printf "%-6s total %.3f/round trip (reads %.3f, writes %.3f, epoll %.4f)\n",
                     rt, total / trips, reads / trips, writes / trips, polls / trips }' "$out"
    rm -f "$out"
done
