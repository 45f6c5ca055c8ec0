"""HTTP API: the lab's /health and /predict, KServe V1, Open Inference Protocol (V2), /metrics."""
import logging

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from . import metrics, parsing
from .features import FEATURE_NAMES, N_FEATURES
from .middleware import ServingMiddleware
from .parsing import InputError

log = logging.getLogger("model_server")
SERVER_NAME = "model-server"
SERVER_VERSION = "1.0.0"
_FEATURES_USED = list(FEATURE_NAMES)
# Batches above this many rows (~10 ms of work) are predicted in a worker thread, so health
# probes and small requests are not held up behind them; smaller ones are cheaper inline.
THREAD_ROWS = 2000


def json_response(content, status=200, headers=None):
    return Response(orjson.dumps(content), status_code=status, headers=headers, media_type="application/json")


def create_app(settings, state):
    """`state` is a ModelState, loaded in the background after the server starts listening."""
    app = FastAPI(title="California housing model server", docs_url=None, redoc_url=None, openapi_url=None)
    max_rows = settings.max_batch_rows

    def require_model(name):
        if name != state.name:
            raise InputError(f"model '{name}' not found; this server serves '{state.name}'", status=404)
        require_ready()

    def require_ready():
        if not state.ready:
            raise InputError("model is not loaded yet", status=503)

    async def json_body(request):
        return parsing.parse_json_object(await request.body())

    async def predict_rows(X):
        if len(X) > THREAD_ROWS:
            return await run_in_threadpool(state.predict, X)
        return state.predict(X)

    # --- the lab's API ---

    @app.get("/health")
    async def health():
        if state.ready:
            return json_response({"status": "healthy", "model_loaded": True})
        return json_response({"status": "loading", "model_loaded": False}, status=503)

    predicted_rows = metrics.ROWS.labels("/predict")

    def predict(body):
        """POST /predict, served by ServingMiddleware's fast path (see there for why)."""
        features = parsing.field(parsing.parse_json_object(body), "features")
        require_ready()
        prediction = float(state.predict(parsing.single_row(features))[0])
        predicted_rows.inc()
        return orjson.dumps({"prediction": prediction, "model_version": state.version, "features_used": _FEATURES_USED})

    # --- KServe V1 ---

    @app.get("/v1/models")
    async def v1_models():
        return json_response({"models": [state.name]})

    @app.post("/v1/models/{name}:predict")
    async def v1_predict(name: str, request: Request):
        require_model(name)
        body = await json_body(request)
        X = parsing.rows(parsing.field(body, "instances"), max_rows, "instances", allow_objects=True)
        predictions = await predict_rows(X)
        metrics.ROWS.labels("/v1/models/{name}:predict").inc(len(predictions))
        return json_response({"predictions": predictions.tolist()})

    @app.get("/v1/models/{name}")
    async def v1_model(name: str):
        if name.endswith(":predict"):  # the predict route's path, asked with GET
            raise HTTPException(405, headers={"Allow": "POST"})
        if name != state.name:
            raise InputError(f"model '{name}' not found; this server serves '{state.name}'", status=404)
        return json_response({"name": state.name, "ready": state.ready}, status=200 if state.ready else 503)

    # --- Open Inference Protocol (V2) ---

    @app.get("/v2/health/live")
    async def v2_live():
        return json_response({"live": True})

    @app.get("/v2/health/ready")
    async def v2_ready():
        return json_response({"ready": state.ready}, status=200 if state.ready else 503)

    @app.get("/v2")
    async def v2_server():
        return json_response({"name": SERVER_NAME, "version": SERVER_VERSION, "extensions": []})

    @app.get("/v2/models/{name}")
    async def v2_model(name: str):
        require_model(name)
        return json_response({
            "name": state.name,
            "versions": [state.version],
            "platform": "numpy-gbdt",
            "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, N_FEATURES],
                        "parameters": {"feature_names": _FEATURES_USED, "accepts": ["FP32", "FP64"]}}],
            "outputs": [{"name": "predict", "datatype": "FP64", "shape": [-1]}],
        })

    @app.get("/v2/models/{name}/ready")
    async def v2_model_ready(name: str):
        if name != state.name:
            raise InputError(f"model '{name}' not found; this server serves '{state.name}'", status=404)
        return json_response({"name": state.name, "ready": state.ready}, status=200 if state.ready else 503)

    @app.post("/v2/models/{name}/infer")
    async def v2_infer(name: str, request: Request):
        require_model(name)
        body = await json_body(request)
        X = parsing.v2_tensor(body, max_rows)
        predictions = await predict_rows(X)
        metrics.ROWS.labels("/v2/models/{name}/infer").inc(len(predictions))
        response = {
            "model_name": state.name,
            "model_version": state.version,
            "outputs": [{"name": "predict", "shape": [len(predictions)], "datatype": "FP64",
                         "data": predictions.tolist()}],
        }
        if type(body.get("id")) is str:
            response["id"] = body["id"]
        return json_response(response)

    # --- operations ---

    @app.get("/metrics")
    async def prometheus_metrics():
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    # --- errors: always {"error": "..."}, never a traceback ---

    @app.exception_handler(InputError)
    async def input_error(request, exc):
        return json_response({"error": exc.message}, status=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(request, exc):
        if exc.status_code == 404:
            message = f"no such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"method {request.method} not allowed on {request.url.path}; allowed: {exc.headers.get('Allow', '')}"
        else:
            message = str(exc.detail)
        return json_response({"error": message}, status=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc):
        return json_response({"error": f"invalid request: {exc.errors()}"}, status=400)

    @app.exception_handler(Exception)
    async def unexpected_error(request, exc):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return json_response({"error": "internal server error"}, status=500)

    return ServingMiddleware(app, settings.max_body_bytes, fast_routes={"/predict": ("POST", predict)},
                             linger_seconds=settings.linger_seconds, linger_max_bytes=settings.linger_max_bytes)
