#!/usr/bin/env bash
# HTTP tests of examples/http_hello (hyper on coop, a downstream crate),
# with clients nobody on the team wrote:
#   1. hyper's own client on coop (cargo test: every route, a streamed echo,
#      1,000 concurrent keep-alive connections, SIGINT mid-request);
#   2. the real curl: GET /, several URLs on one kept-alive connection,
#      a 1 MiB --data-binary echoed byte-exact;
#   3. Python's http.client and hostile raw sockets (scripts/http_client_test.py);
#   4. graceful shutdown: /sleep?ms=1500 in flight, SIGINT, the response
#      arrives and the server exits 0.
# The example builds into coop's own target/ (one copy of shared deps).
#
# Usage: scripts/http-tests.sh     (HTTP_TESTS_TARGET_DIR overrides target/)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
target="${HTTP_TESTS_TARGET_DIR:-$root/target}"
# shellcheck source=http-server.sh
source "$root/scripts/http-server.sh"

# --- tools -------------------------------------------------------------------------
if ! command -v curl >/dev/null; then
    echo "http-tests: curl is missing; trying apt-get install curl"
    { apt-get update -qq && apt-get install -y -qq curl; } >/dev/null 2>&1 || true
fi
for tool in curl python3; do
    if ! command -v "$tool" >/dev/null; then
        echo "http-tests: '$tool' is required and not installed (apt-get install $tool)" >&2
        exit 1
    fi
done

passed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { echo "FAIL $1" >&2; echo "$passed passed, 1 failed"; exit 1; }

# --- build and hyper's client on coop --------------------------------------------
# `cargo test` builds the server binary too (its tests start it), with the
# same features as the tests: one build, not two.
cd "$root/examples/http_hello"
start=$(date +%s)
cargo test --release --quiet --target-dir "$target" --no-run
echo "http-tests: built examples/http_hello and its tests in $(( $(date +%s) - start ))s"
cargo test --release --quiet --target-dir "$target"
bin="$target/release/http_hello"

# Starts the server on a free loopback port; sets $server_pid and $addr.
start_server() {
    HTTP_HELLO_HEADER_TIMEOUT_MS=1000 http_start "$bin" || fail "the server did not start"
}

# Waits up to 20 s for the server to exit; fails unless it exits 0.
wait_exit_zero() {
    for _ in $(seq 400); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            local rc=0
            wait "$server_pid" || rc=$?
            server_pid=""
            [ "$rc" -eq 0 ] || { cat "$work/err" >&2; fail "$1: server exited $rc"; }
            return 0
        fi
        sleep 0.05
    done
    fail "$1: server still running 20 s after the signal"
}

start_server
url="http://$addr"

# --- curl ----------------------------------------------------------------------------
[ "$(curl -s "$url/")" = "Hello, world!" ] || fail "curl GET /"
ok "curl: GET / says Hello, world!"

accepted_before=$(curl -s "$url/stats" | sed -n 's/^accepted //p')
curl -sv "$url/" "$url/sleep?ms=20" "$url/echo" -o /dev/null -o /dev/null -o /dev/null \
    2> "$work/curl-v" || true
# One invocation, three URLs: curl must say it reused the connection, and
# the server must have accepted one connection for them (plus this probe).
grep -qi "re-using existing" "$work/curl-v" || { cat "$work/curl-v" >&2; fail "curl keep-alive: no reuse"; }
accepted_after=$(curl -s "$url/stats" | sed -n 's/^accepted //p')
[ $((accepted_after - accepted_before)) -eq 2 ] \
    || fail "curl keep-alive: $((accepted_after - accepted_before - 1)) connections for 3 URLs"
ok "curl: three URLs in one invocation over one kept-alive connection"

head -c 1048576 /dev/urandom > "$work/1mib"
curl -s --data-binary @"$work/1mib" "$url/echo" -o "$work/1mib.back"
cmp -s "$work/1mib" "$work/1mib.back" || fail "curl --data-binary 1 MiB: echo differs"
ok "curl: 1 MiB --data-binary echoed byte-exact"

# --- Python ---------------------------------------------------------------------------
python3 "$root/scripts/http_client_test.py" "$addr" || fail "python http.client / hostile clients"
ok "python: http.client and hostile clients (see above)"

# --- graceful shutdown ----------------------------------------------------------------
curl -s "$url/sleep?ms=1500" > "$work/slept" &
curl_pid=$!
# Signal only once the sleep is running: two handlers busy, it and /stats.
for _ in $(seq 200); do
    [ "$(curl -s "$url/stats" | sed -n 's/^busy //p')" = 2 ] && break
    sleep 0.05
done
kill -INT "$server_pid"
wait "$curl_pid" || fail "graceful shutdown: curl failed"
[ "$(cat "$work/slept")" = "slept 1500 ms" ] || fail "graceful shutdown: got '$(cat "$work/slept")'"
wait_exit_zero "graceful shutdown"
ok "SIGINT with /sleep?ms=1500 in flight: the response arrives, exit 0"

start_server
kill -TERM "$server_pid"
wait_exit_zero "SIGTERM"
ok "SIGTERM on an idle server: exit 0"

echo "http-tests: $passed passed, 0 failed"
