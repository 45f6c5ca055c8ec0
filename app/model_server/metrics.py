"""Prometheus metrics: requests and latency by endpoint and status, rows predicted, model info."""
from prometheus_client import Counter, Gauge, Histogram, Info, disable_created_metrics

disable_created_metrics()  # the *_created series only add noise here

REQUESTS = Counter("model_server_requests_total", "HTTP requests", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "model_server_request_duration_seconds",
    "Time from request start to the end of the response",
    ["endpoint", "method", "status"],
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
ROWS = Counter("model_server_predicted_rows_total", "Rows predicted", ["endpoint"])
MODEL_INFO = Info("model_server_model", "The served model")
MODEL_LOADED = Gauge("model_server_model_loaded", "1 once the model is loaded and serving")

_children = {}


def observe(endpoint, method, status, seconds):
    # labels() takes a lock and builds a key each call; cache the children per label set.
    key = (endpoint, method, status)
    pair = _children.get(key)
    if pair is None:
        labels = (endpoint, method, str(status))
        pair = _children[key] = (REQUESTS.labels(*labels), LATENCY.labels(*labels))
    pair[0].inc()
    pair[1].observe(seconds)


def model_loaded(name, version):
    MODEL_INFO.info({"name": name, "version": version})
    MODEL_LOADED.set(1)
