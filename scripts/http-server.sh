# Shared by scripts/http-tests.sh, benches/http.sh and
# benches/http-instructions.sh (sourced, not run): a scratch folder, a
# server started on a free loopback port, and a trap that kills it.
#
#   source scripts/http-server.sh     # sets $work, installs the EXIT trap
#   http_start CMD ARGS...            # runs `CMD ARGS... 127.0.0.1:0`; sets $server_pid, $addr
#   http_stop                         # SIGTERM, then reaps it (exit status ignored)
#
# The server's stdout goes to $work/out (its first line is
# `listening on http://ADDR`), its stderr to $work/err.

work="$(mktemp -d)"
server_pid=""
http_cleanup() {
    if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap http_cleanup EXIT

# Starts the server and waits (up to 20 s: valgrind starts slowly) for the
# address it prints.
http_start() {
    # Empty the file first: the background job's redirection may not have
    # truncated it yet when the loop below reads it (a stale port).
    : > "$work/out"
    "$@" 127.0.0.1:0 > "$work/out" 2> "$work/err" &
    server_pid=$!
    addr=""
    for _ in $(seq 400); do
        addr=$(sed -n 's#^listening on http://##p' "$work/out")
        [ -n "$addr" ] && return 0
        sleep 0.05
    done
    cat "$work/err" >&2
    echo "$* did not say where it listens within 20 s" >&2
    return 1
}

http_stop() {
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}
