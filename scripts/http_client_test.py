#!/usr/bin/env python3
"""Python's http.client and raw sockets against a running examples/http_hello.

Usage: scripts/http_client_test.py HOST:PORT
(the server should run with HTTP_HELLO_HEADER_TIMEOUT_MS=1000 so the stalled
client is dropped quickly; scripts/http-tests.sh starts it so).

Well-behaved: GET /, /sleep, POST /echo of 256 KiB over one kept-alive
connection. Hostile: half a request then gone, half a request then silence,
a 1 MiB header, 200 headers, garbage bytes. After each hostile client the
server must still answer, and /stats must come back to one open connection
(the one asking): no connection task is left behind.
"""

import http.client
import os
import socket
import sys
import time

HOST, PORT = sys.argv[1].rsplit(":", 1)
PORT = int(PORT)
passed = failed = 0


def check(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"ok   {name}")
    except Exception as e:  # noqa: BLE001 - report every failure and go on
        failed += 1
        print(f"FAIL {name}: {type(e).__name__}: {e}")


def request(method, path, body=None, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, PORT, timeout=20)
    conn.request(method, path, body=body)
    response = conn.getresponse()
    data = response.read()
    if own:
        conn.close()
    return response.status, data


def stats():
    _, body = request("GET", "/stats")
    return {k: int(v) for k, v in (line.split() for line in body.decode().splitlines())}


def settles_to_one_open():
    """The asking connection is the only one open, within 10 s."""
    deadline = time.monotonic() + 10
    while True:
        s = stats()
        if s["open"] == 1:
            return
        assert time.monotonic() < deadline, f"connections left open: {s}"
        time.sleep(0.05)


def raw(payload, linger=0.0):
    """Sends `payload` on a fresh socket; returns what the server answered
    before closing ('' if it closed or reset without a word)."""
    sock = socket.create_connection((HOST, PORT), timeout=20)
    try:
        try:
            sock.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server hung up mid-send: a close is an allowed answer
        if linger:
            time.sleep(linger)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks).decode("latin-1")
    finally:
        sock.close()


def keep_alive_routes():
    conn = http.client.HTTPConnection(HOST, PORT, timeout=20)
    before = stats()["accepted"]
    assert request("GET", "/", conn=conn) == (200, b"Hello, world!")
    sock = conn.sock
    start = time.monotonic()
    assert request("GET", "/sleep?ms=50", conn=conn) == (200, b"slept 50 ms")
    assert time.monotonic() - start >= 0.05
    body = os.urandom(256 * 1024)
    assert request("POST", "/echo", body=body, conn=conn) == (200, body)
    assert request("GET", "/missing", conn=conn)[0] == 404
    assert conn.sock is sock, "http.client opened a new connection"
    conn.close()
    # One accept for the four requests (the stats probes add one each).
    assert stats()["accepted"] == before + 2


def half_request_then_gone():
    sock = socket.create_connection((HOST, PORT))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Le")
    sock.close()
    settles_to_one_open()


def half_request_then_silence():
    # The server's header timeout (1 s here) must drop it: 408 or a close.
    start = time.monotonic()
    answer = raw(b"GET / HTTP/1.1\r\nHost: x\r\n")
    assert answer == "" or answer.startswith("HTTP/1.1 408"), answer[:80]
    assert time.monotonic() - start < 15, "the stalled client was kept too long"
    settles_to_one_open()


def oversized_header():
    answer = raw(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
    assert answer == "" or answer.startswith("HTTP/1.1 431"), answer[:80]
    settles_to_one_open()


def too_many_headers():
    headers = b"".join(b"X-H%d: v\r\n" % i for i in range(200))
    answer = raw(b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert answer == "" or answer.startswith("HTTP/1.1 431"), answer[:80]
    settles_to_one_open()


def garbage():
    answer = raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n")
    assert answer == "" or answer.startswith("HTTP/1.1 400"), answer[:80]
    settles_to_one_open()


def still_serving():
    assert request("GET", "/") == (200, b"Hello, world!")
    settles_to_one_open()


for name, fn in [
    ("http.client: keep-alive over /, /sleep, /echo (256 KiB), 404", keep_alive_routes),
    ("hostile: half a request, then gone", half_request_then_gone),
    ("hostile: half a request, then silence (header timeout)", half_request_then_silence),
    ("hostile: a 1 MiB header (431 or close)", oversized_header),
    ("hostile: 200 headers (431 or close)", too_many_headers),
    ("hostile: garbage bytes (400 or close)", garbage),
    ("still serving, nothing left open", still_serving),
]:
    check(name, fn)

print(f"python: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
