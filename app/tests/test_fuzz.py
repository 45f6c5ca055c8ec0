"""Fuzzed request bodies: never a 5xx, always a JSON error naming the problem, server stays up."""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ENDPOINTS = ["/predict", "/v1/models/california-housing:predict", "/v2/models/california-housing/infer"]

numbers = st.one_of(st.integers(-(10**30), 10**30), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                    st.none(), st.text(max_size=5))
json_values = st.recursive(numbers, lambda inner: st.lists(inner, max_size=10) | st.dictionaries(st.text(max_size=8), inner, max_size=6), max_leaves=40)
rows = st.one_of(st.lists(numbers, min_size=0, max_size=10), st.dictionaries(
    st.sampled_from(["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude", "x"]),
    numbers, max_size=9), numbers)
shaped_bodies = st.one_of(
    st.builds(lambda f: {"features": f}, st.one_of(st.lists(numbers, max_size=10), json_values)),
    st.builds(lambda r: {"instances": r}, st.one_of(st.lists(rows, max_size=60), json_values)),
    # Every V2 tensor field may arrive as any JSON type, not only as a wrong value of the right type.
    st.builds(lambda name, shape, dtype, data: {"inputs": [{"name": name, "shape": shape, "datatype": dtype, "data": data}]},
              st.one_of(st.just("x"), json_values),
              st.one_of(st.lists(st.integers(-2, 70), max_size=3), json_values),
              st.one_of(st.sampled_from(["FP32", "FP64", "INT32", "BYTES", "fp64", ""]), json_values),
              st.one_of(st.lists(numbers, max_size=24), st.lists(st.lists(numbers, max_size=9), max_size=4), json_values)),
)
bodies = st.one_of(
    shaped_bodies.map(lambda b: json.dumps(b).encode()),  # json.dumps writes NaN/Infinity tokens too
    json_values.map(lambda b: json.dumps(b).encode()),
    st.binary(max_size=200),
)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])


@FUZZ
@given(endpoint=st.sampled_from(ENDPOINTS), body=bodies)
def test_fuzzed_bodies_never_cause_a_server_error(server, endpoint, body):
    r = server.client.post(endpoint, content=body, headers={"content-type": "application/json"})
    assert r.status_code < 500, (r.status_code, r.text)
    if r.status_code != 200:
        assert r.status_code in (400, 413) and r.json()["error"]


def test_server_survived_the_fuzzing(server):
    assert server.alive()
    assert server.client.get("/health").status_code == 200
