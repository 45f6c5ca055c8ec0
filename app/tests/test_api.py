"""Every endpoint and error path, over HTTP against a real server process.

(Over 250 lines: one table of bad inputs per protocol, read side by side to keep the 4xx answers consistent.)
"""
import json
import re
import socket

import numpy as np
import pytest

from model_server.features import FEATURE_NAMES, with_derived
from model_server.forest import Forest

from .conftest import MAX_BATCH_ROWS, MAX_BODY_BYTES
from .support import SAMPLE

NAME = "california-housing"
V1 = f"/v1/models/{NAME}:predict"
V2 = f"/v2/models/{NAME}/infer"


@pytest.fixture(scope="module")
def reference(model_dir):
    """The trained model, loaded in the test process, to check the served numbers."""
    forest = Forest.load(model_dir / "model.npz")
    version = json.loads((model_dir / "metadata.json").read_text())["model_version"]
    return (lambda rows: forest.predict(with_derived(np.asarray(rows, dtype=np.float64)))), version


def rows(n, seed=0):
    rng = np.random.default_rng(seed)
    return (np.array(SAMPLE) * rng.uniform(0.9, 1.1, (n, 8))).tolist()


def post(server, path, body):
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return server.client.post(path, content=content, headers={"content-type": "application/json"})


def assert_error(response, status, *fragments):
    assert response.status_code == status, response.text
    message = response.json()["error"]
    for fragment in fragments:
        assert fragment in message, message


# --- health and metadata ---

def test_health_when_loaded(server):
    r = server.client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "healthy", "model_loaded": True}


def test_v2_health_and_server_metadata(server):
    assert server.client.get("/v2/health/live").status_code == 200
    r = server.client.get("/v2/health/ready")
    assert r.status_code == 200 and r.json() == {"ready": True}
    r = server.client.get("/v2")
    assert r.status_code == 200 and r.json()["name"] and r.json()["version"]


def test_v1_model_list_and_status(server):
    assert server.client.get("/v1/models").json() == {"models": [NAME]}
    r = server.client.get(f"/v1/models/{NAME}")
    assert r.status_code == 200 and r.json() == {"name": NAME, "ready": True}
    assert_error(server.client.get("/v1/models/other"), 404, "'other' not found")


def test_v2_model_metadata_and_ready(server, reference):
    r = server.client.get(f"/v2/models/{NAME}")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == NAME and body["versions"] == [reference[1]]
    assert body["inputs"][0]["shape"] == [-1, 8] and body["outputs"][0]["shape"] == [-1]
    assert server.client.get(f"/v2/models/{NAME}/ready").json() == {"name": NAME, "ready": True}
    assert_error(server.client.get("/v2/models/other"), 404, "'other' not found")
    assert_error(server.client.get("/v2/models/other/ready"), 404, "'other' not found")


# --- predictions ---

def test_predict_single_row(server, reference):
    predict, version = reference
    r = post(server, "/predict", {"features": SAMPLE})
    assert r.status_code == 200
    body = r.json()
    assert body == {"prediction": pytest.approx(predict([SAMPLE])[0], rel=1e-12), "model_version": version,
                    "features_used": list(FEATURE_NAMES)}
    assert isinstance(body["prediction"], float)


def test_predict_accepts_integers(server, reference):
    features = [8, 41, 7, 1, 322, 3, 38, -122]
    assert post(server, "/predict", {"features": features}).json()["prediction"] == pytest.approx(
        reference[0]([features])[0], rel=1e-12)


def test_v1_rows_as_lists_and_as_objects_agree(server, reference):
    batch = rows(MAX_BATCH_ROWS)
    as_lists = post(server, V1, {"instances": batch})
    as_objects = post(server, V1, {"instances": [dict(zip(FEATURE_NAMES, row)) for row in batch]})
    assert as_lists.status_code == as_objects.status_code == 200
    assert as_lists.json() == as_objects.json()
    np.testing.assert_allclose(as_lists.json()["predictions"], reference[0](batch), rtol=1e-12)
    mixed = post(server, V1, {"instances": [batch[0], dict(zip(FEATURE_NAMES, batch[1]))]})
    assert mixed.json()["predictions"] == as_lists.json()["predictions"][:2]


def test_v2_infer_flat_and_nested_fp64(server, reference):
    batch = rows(3)
    expected = reference[0](batch)
    for data in (sum(batch, []), batch):
        r = post(server, V2, {"id": "req-1", "inputs": [{"name": "x", "shape": [3, 8], "datatype": "FP64", "data": data}]})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["id"] == "req-1" and body["model_name"] == NAME and body["model_version"] == reference[1]
        (output,) = body["outputs"]
        assert output["shape"] == [3] and output["datatype"] == "FP64"
        np.testing.assert_allclose(output["data"], expected, rtol=1e-12)


def test_v2_infer_fp32_uses_single_precision_inputs(server, reference):
    batch = rows(2, seed=5)
    r = post(server, V2, {"inputs": [{"name": "x", "shape": [2, 8], "datatype": "FP32", "data": sum(batch, [])}]})
    assert r.status_code == 200
    as_fp32 = np.asarray(batch, dtype=np.float32).astype(np.float64)
    np.testing.assert_allclose(r.json()["outputs"][0]["data"], reference[0](as_fp32), rtol=1e-12)


def test_largest_allowed_batch(server):
    r = post(server, V1, {"instances": rows(MAX_BATCH_ROWS)})
    assert r.status_code == 200 and len(r.json()["predictions"]) == MAX_BATCH_ROWS


# --- bad input: always a 4xx naming the problem ---

BAD_PREDICT = [
    (b"", 400, "empty"),
    (b"{not json", 400, "invalid JSON"),
    (b"[1, 2]", 400, "expected a JSON object, got array"),
    (b'{"features": [NaN, 1, 1, 1, 1, 1, 1, 1]}', 400, "invalid JSON"),
    (b'{"features": [Infinity, 1, 1, 1, 1, 1, 1, 1]}', 400, "invalid JSON"),
    (b'{"features": [1e400, 1, 1, 1, 1, 1, 1, 1]}', 400, "invalid JSON"),
    (b'{"features": [-1e400, 1, 1, 1, 1, 1, 1, 1]}', 400, "invalid JSON"),
    (b'{"features": [1' + b"0" * 400 + b', 1, 1, 1, 1, 1, 1, 1]}', 400, ""),
    (b'{"feature": [1, 1, 1, 1, 1, 1, 1, 1]}', 400, "missing field 'features'"),
    (b'{"features": 5}', 400, "'features' must be a list of 8 numbers, got number"),
    (b'{"features": {"MedInc": 1}}', 400, "got object"),
    (b'{"features": []}', 400, "expected 8 numbers, got 0"),
    (b'{"features": [1, 1, 1, 1, 1, 1, 1]}', 400, "expected 8 numbers, got 7"),
    (b'{"features": [1, 1, 1, 1, 1, 1, 1, 1, 1]}', 400, "expected 8 numbers, got 9"),
    (b'{"features": [1, 1, "2", 1, 1, 1, 1, 1]}', 400, "features[2]: expected a number, got string"),
    (b'{"features": [1, 1, 1, true, 1, 1, 1, 1]}', 400, "features[3]: expected a number, got boolean"),
    (b'{"features": [1, 1, 1, 1, null, 1, 1, 1]}', 400, "features[4]: expected a number, got null"),
    (b'{"features": [[1], 1, 1, 1, 1, 1, 1, 1]}', 400, "features[0]: expected a number, got array"),
]


@pytest.mark.parametrize("body,status,fragment", BAD_PREDICT)
def test_predict_bad_input(server, body, status, fragment):
    assert_error(post(server, "/predict", body), status, fragment)


BAD_V1 = [
    ({"instances": []}, 400, "'instances' is empty"),
    ({"rows": [SAMPLE]}, 400, "missing field 'instances'"),
    ({"instances": SAMPLE}, 400, "instances[0]: expected a list of 8 numbers or an object"),
    ({"instances": "abc"}, 400, "'instances' must be a list of rows, got string"),
    ({"instances": [SAMPLE, SAMPLE[:7]]}, 400, "instances[1]: expected 8 numbers, got 7"),
    ({"instances": [SAMPLE, [1, 2, 3, 4, 5, 6, 7, False]]}, 400, "instances[1][7]: expected a number, got boolean"),
    ({"instances": [dict(zip(FEATURE_NAMES[1:], SAMPLE))]}, 400, "missing features ['MedInc']"),
    ({"instances": [{**dict(zip(FEATURE_NAMES, SAMPLE)), "Extra": 1}]}, 400, "unknown features ['Extra']"),
    ({"instances": [{**dict(zip(FEATURE_NAMES, SAMPLE)), "Latitude": "north"}]}, 400, "instances[0][6]: expected a number, got string"),
    ({"instances": [SAMPLE] * (MAX_BATCH_ROWS + 1)}, 413, f"limit is {MAX_BATCH_ROWS} (MAX_BATCH_ROWS)"),
]


@pytest.mark.parametrize("body,status,fragment", BAD_V1)
def test_v1_bad_input(server, body, status, fragment):
    assert_error(post(server, V1, body), status, fragment)


def tensor(**changes):
    t = {"name": "x", "shape": [1, 8], "datatype": "FP64", "data": SAMPLE}
    t.update(changes)
    return {"inputs": [t]}


BAD_V2 = [
    ({}, 400, "missing field 'inputs'"),
    ({"inputs": []}, 400, "exactly one tensor"),
    ({"inputs": [tensor()["inputs"][0]] * 2}, 400, "exactly one tensor"),
    (tensor(datatype="INT64"), 400, "'INT64' is not supported"),
    (tensor(datatype="BYTES"), 400, "'BYTES' is not supported"),
    (tensor(shape=[1, 7]), 400, "must be [N, 8]"),
    (tensor(shape=[8]), 400, "must be [N, 8]"),
    (tensor(shape=[1, 8, 1]), 400, "must be [N, 8]"),
    (tensor(shape=[1.0, 8]), 400, "must be [N, 8]"),
    (tensor(shape=[0, 8], data=[]), 400, "is empty"),
    (tensor(shape=[-1, 8]), 400, "negative"),
    (tensor(shape=[2, 8]), 400, "has 8 values but shape [2, 8] needs 16"),
    (tensor(data=[SAMPLE, SAMPLE]), 400, "has 2 rows but shape says 1"),
    (tensor(data=SAMPLE[:7] + ["x"]), 400, "inputs[0].data[7]: expected a number, got string"),
    (tensor(data=SAMPLE[:7] + [True]), 400, "expected a number, got boolean"),
    (tensor(datatype="FP32", data=SAMPLE[:7] + [1e39]), 400, "as FP32"),
    (tensor(shape=[MAX_BATCH_ROWS + 1, 8], data=SAMPLE * (MAX_BATCH_ROWS + 1)), 413, "MAX_BATCH_ROWS"),
    ({"inputs": [{"shape": [1, 8], "datatype": "FP64", "data": SAMPLE}]}, 400, "missing field 'inputs[0].name'"),
    # each field of the wrong JSON type (a list or object datatype once answered 500)
    (tensor(datatype=["FP64"]), 400, "'inputs[0].datatype' must be a string (FP32 or FP64), got array"),
    (tensor(datatype={"t": "FP64"}), 400, "'inputs[0].datatype' must be a string (FP32 or FP64), got object"),
    (tensor(datatype=64), 400, "'inputs[0].datatype' must be a string"),
    (tensor(datatype=None), 400, "'inputs[0].datatype' must be a string"),
    (tensor(name=["x"]), 400, "'inputs[0].name' must be a string"),
    (tensor(name={}), 400, "'inputs[0].name' must be a string"),
    (tensor(shape={"0": 1}), 400, "must be [N, 8]"),
    (tensor(shape="1,8"), 400, "must be [N, 8]"),
    (tensor(data={"0": 1}), 400, "'inputs[0].data' must be a list, got object"),
    (tensor(data="1,2"), 400, "'inputs[0].data' must be a list, got string"),
    (tensor(data=[SAMPLE, {"a": 1}], shape=[2, 8]), 400, "inputs[0].data"),
    ({"inputs": {"name": "x"}}, 400, "exactly one tensor"),
    ({"inputs": ["x"]}, 400, "exactly one tensor"),
]


@pytest.mark.parametrize("body,status,fragment", BAD_V2)
def test_v2_bad_input(server, body, status, fragment):
    assert_error(post(server, V2, body), status, fragment)


def test_unknown_model_on_predict_routes(server):
    assert_error(post(server, "/v1/models/nope:predict", {"instances": [SAMPLE]}), 404, "'nope' not found")
    assert_error(post(server, "/v2/models/nope/infer", tensor()), 404, "'nope' not found")


@pytest.mark.parametrize("method,path,allowed", [
    ("GET", "/predict", "POST"), ("PUT", "/health", "GET"), ("GET", V1, "POST"), ("DELETE", "/v1/models", "GET"),
    ("GET", V2, "POST"), ("POST", "/v2/health/live", "GET"), ("POST", "/metrics", "GET"),
])
def test_wrong_method_is_405(server, method, path, allowed):
    r = server.client.request(method, path)
    assert_error(r, 405, f"method {method} not allowed", allowed)


def test_unknown_path_is_404(server):
    assert_error(server.client.get("/nope"), 404, "no such endpoint: GET /nope")


def test_body_over_cap_by_content_length(server):
    big = b'{"features": [' + b" " * MAX_BODY_BYTES + b"]}"
    assert_error(post(server, "/predict", big), 413, f"exceeds the limit of {MAX_BODY_BYTES} bytes")
    assert_error(post(server, V1, big), 413, "MAX_BODY_BYTES")


def test_body_over_cap_when_streamed_without_length(server):
    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    r = server.client.post(V2, content=chunks())  # chunked transfer encoding: no Content-Length
    assert_error(r, 413, "exceeds the limit", "MAX_BODY_BYTES")
    assert server.alive()


def test_body_with_invalid_content_length(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /predict HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        response = s.recv(4096)
    assert re.match(rb"HTTP/1.1 4\d\d", response), response
    assert server.alive()


# --- metrics ---

def test_metrics_count_requests_rows_and_model(server, reference):
    before = server.client.get("/metrics").text
    post(server, V1, {"instances": rows(7)})
    post(server, "/predict", {"features": [1]})
    text = server.client.get("/metrics").text

    def value(body, pattern):
        match = re.search(re.escape(pattern) + r" (\S+)", body)
        return float(match.group(1)) if match else 0.0

    rows_v1 = 'model_server_predicted_rows_total{endpoint="/v1/models/{name}:predict"}'
    assert value(text, rows_v1) - value(before, rows_v1) == 7
    bad = 'model_server_requests_total{endpoint="/predict",method="POST",status="400"}'
    assert value(text, bad) - value(before, bad) == 1
    assert 'model_server_request_duration_seconds_bucket{endpoint="/v1/models/{name}:predict",le="0.01",method="POST",status="200"}' in text
    assert f'model_server_model_info{{name="{NAME}",version="{reference[1]}"}} 1.0' in text
    assert "model_server_model_loaded 1.0" in text
