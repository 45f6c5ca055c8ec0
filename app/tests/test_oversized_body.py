"""Bodies over MAX_BODY_BYTES: ordinary clients read the 413, within bounds, and the server
keeps serving. Real server process, plain http.client and sockets (no retries, no tricks)."""
import http.client
import json
import socket
import time

import pytest

from .support import SAMPLE, Server

MAX_BODY_BYTES = 64 * 1024
LINGER_SECONDS = 2.0
LINGER_MAX_BYTES = 16 * 1024 * 1024
TWELVE_MB = 12_000_000
V1 = "/v1/models/california-housing:predict"


@pytest.fixture(scope="module")
def server(model_dir):
    s = Server(model_dir, MAX_BODY_BYTES=MAX_BODY_BYTES, LINGER_SECONDS=LINGER_SECONDS,
               LINGER_MAX_BYTES=LINGER_MAX_BYTES).wait_ready()
    yield s
    assert s.stop() == 0, s.output()


def post(server, path, body, **kwargs):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json"}, **kwargs)
        response = connection.getresponse()
        return response.status, response.getheader("connection"), json.loads(response.read())
    finally:
        connection.close()


def assert_still_serving(server):
    status, _, body = post(server, "/predict", json.dumps({"features": SAMPLE}).encode())
    assert status == 200 and isinstance(body["prediction"], float)


@pytest.mark.parametrize("path", ["/predict", V1])
def test_http_client_sending_12_mb_reads_the_413(server, path):
    status, connection, body = post(server, path, b" " * TWELVE_MB)
    assert status == 413 and connection == "close"
    assert body == {"error": f"request body of {TWELVE_MB} bytes exceeds the limit of {MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)"}
    assert_still_serving(server)


def test_chunked_body_over_the_limit_reads_the_413(server):
    chunks = (b" " * 1_000_000 for _ in range(12))  # no Content-Length: Transfer-Encoding: chunked
    status, _, body = post(server, V1, chunks, encode_chunked=True)
    assert status == 413
    assert body == {"error": f"request body exceeds the limit of {MAX_BODY_BYTES} bytes (MAX_BODY_BYTES)"}
    assert_still_serving(server)


def test_a_client_that_expects_100_continue_gets_the_413_without_sending_the_body(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n" % TWELVE_MB)
        assert s.recv(4096).startswith(b"HTTP/1.1 413 ")  # not "100 Continue"
    assert_still_serving(server)


def test_beyond_the_byte_bound_the_connection_is_closed(server):
    size = 4 * LINGER_MAX_BYTES
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size)
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            for _ in range(size // 65536):
                s.sendall(b" " * 65536)
    assert_still_serving(server)


def test_a_slow_sender_is_answered_then_cut_off_after_the_time_bound_while_others_are_served(server):
    with socket.create_connection(("127.0.0.1", server.port)) as slow:
        slow.settimeout(0.1)
        slow.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + b" " * 1024)
        started = time.monotonic()
        received, answered_at, closed_at, others = b"", None, None, []
        while closed_at is None and time.monotonic() - started < LINGER_SECONDS + 8:
            try:
                slow.send(b" ")  # one byte per round: it would take days to finish
                data = slow.recv(65536)
                if not data:
                    closed_at = time.monotonic() - started
                received += data
                if answered_at is None and received.startswith(b"HTTP/1.1 413 "):
                    answered_at = time.monotonic() - started
            except socket.timeout:
                pass
            except OSError:  # a reset: closed too
                closed_at = time.monotonic() - started
            if closed_at is None:
                before = time.monotonic()
                status = server.client.get("/health").status_code
                others.append((status, time.monotonic() - before))
    assert answered_at is not None and answered_at < 1.0, received
    assert b'"error":"request body of 10000000 bytes exceeds the limit' in received
    assert closed_at is not None and LINGER_SECONDS - 0.1 <= closed_at <= LINGER_SECONDS + 3, closed_at
    assert len(others) >= 5 and all(status == 200 for status, _ in others), others
    assert max(seconds for _, seconds in others) < LINGER_SECONDS, others  # answered meanwhile, not after
    assert_still_serving(server)
