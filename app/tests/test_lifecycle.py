"""Start, readiness, PORT, configuration errors and graceful SIGTERM, on real processes."""
import json
import shutil
import signal
import socket
import time

import pytest

from model_server.config import DEFAULT_MODEL_DIR
from model_server.forest import Forest

from .support import SAMPLE, Server, free_port


@pytest.fixture
def start(model_dir):
    servers = []

    def _start(directory=model_dir, **env):
        servers.append(Server(directory, **env))
        return servers[-1]

    yield _start
    for s in servers:
        s.stop()


def test_not_ready_until_the_model_loads_but_live_throughout(start):
    s = start(MODEL_LOAD_DELAY_SECONDS=1.5)
    assert s.wait_listening().status_code == 200  # liveness answers while loading
    health = s.client.get("/health")
    assert health.status_code == 503 and health.json() == {"status": "loading", "model_loaded": False}
    assert s.client.get("/v2/health/ready").status_code == 503
    assert s.client.get("/v2/models/california-housing/ready").json() == {"name": "california-housing", "ready": False}
    assert s.client.get("/v1/models/california-housing").status_code == 503
    r = s.client.post("/predict", json={"features": SAMPLE})
    assert r.status_code == 503 and r.json() == {"error": "model is not loaded yet"}
    assert s.client.post("/v1/models/california-housing:predict", json={"instances": [SAMPLE]}).status_code == 503
    assert "model_server_model_loaded 0.0" in s.client.get("/metrics").text
    s.wait_ready()
    assert s.client.post("/predict", json={"features": SAMPLE}).status_code == 200


def test_port_is_honoured(start):
    port = free_port()
    s = start(PORT=port).wait_ready()
    assert s.url.endswith(f":{port}")
    with socket.create_connection(("127.0.0.1", port), timeout=2):
        pass
    assert "Uvicorn running on http://0.0.0.0:%d" % port in _stop_and_read(s)


def test_model_name_is_configurable(start):
    s = start(MODEL_NAME="houses").wait_ready()
    assert s.client.get("/v1/models").json() == {"models": ["houses"]}
    assert s.client.post("/v1/models/houses:predict", json={"instances": [SAMPLE]}).status_code == 200
    assert s.client.post("/v1/models/california-housing:predict", json={"instances": [SAMPLE]}).status_code == 404


def test_missing_model_exits_non_zero_with_the_reason(start, tmp_path):
    s = start(tmp_path / "nothing-here")
    assert s.process.wait(timeout=15) == 1
    assert "could not load model" in s.output()


def test_model_file_not_matching_its_metadata_exits_non_zero(start, model_dir, tmp_path):
    # A valid, loadable model, but not the one metadata.json records: refused, not served.
    forest = Forest.load(model_dir / "model.npz")
    forest.leaf_value[0, 0] += 1.0
    shutil.copy(model_dir / "metadata.json", tmp_path / "metadata.json")
    Forest(forest.feature, forest.threshold, forest.leaf_value, forest.baseline).save(tmp_path / "model.npz")
    s = start(tmp_path)
    assert s.process.wait(timeout=15) == 1
    output = s.output()
    assert "could not load model" in output and "model.npz has sha256" in output, output


def test_serves_the_committed_model(start):
    s = start(DEFAULT_MODEL_DIR).wait_ready()
    body = s.client.post("/predict", json={"features": SAMPLE}).json()
    assert body["model_version"] == json.loads((DEFAULT_MODEL_DIR / "metadata.json").read_text())["model_version"]
    assert 3.5 < body["prediction"] < 5.0  # the sample's true value is 4.526


def test_invalid_environment_names_every_bad_variable(start):
    s = start(MAX_BATCH_ROWS="lots", MODEL_LOAD_DELAY_SECONDS="-1", LINGER_MAX_BYTES="1e6")
    assert s.process.wait(timeout=15) != 0
    output = s.output()
    assert "MAX_BATCH_ROWS='lots'" in output and "MODEL_LOAD_DELAY_SECONDS='-1'" in output
    assert "LINGER_MAX_BYTES='1e6'" in output


def test_sigterm_finishes_in_flight_requests_then_exits_0(start):
    s = start().wait_ready()
    body = json.dumps({"instances": [SAMPLE] * 5}).encode()
    half = len(body) // 2
    head = (b"POST /v1/models/california-housing:predict HTTP/1.1\r\nHost: test\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
    connections = [socket.create_connection(("127.0.0.1", s.port), timeout=10) for _ in range(4)]
    for c in connections:  # each request is in flight: headers and half the body sent
        c.sendall(head + body[:half])
    time.sleep(0.3)
    s.process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(OSError):  # no longer accepting
        socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
    assert s.process.poll() is None  # still finishing the in-flight requests
    for c in connections:
        c.sendall(body[half:])
        response = _read_response(c)
        assert response.startswith(b"HTTP/1.1 200"), response
        assert len(json.loads(response.split(b"\r\n\r\n", 1)[1])["predictions"]) == 5
        c.close()
    assert s.process.wait(timeout=10) == 0


def _read_response(connection):
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, rest = data.split(b"\r\n\r\n", 1)
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    while len(rest) < length:
        rest += connection.recv(65536)
    return head + b"\r\n\r\n" + rest


def _stop_and_read(s):
    assert s.stop() == 0
    return s.output()
