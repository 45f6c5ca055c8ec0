"""The app in-process (httpx's ASGI transport): paths that are awkward to reach over HTTP."""
import asyncio

import httpx
import numpy as np

from model_server import app as app_module
from model_server.app import create_app
from model_server.config import Settings
from model_server.model_state import ModelState

from .support import SAMPLE


def call(app, requests):
    async def run():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.post(path, json=body) for path, body in requests]

    return asyncio.run(run())


class BrokenState:
    name = "california-housing"
    version = "v"
    ready = True

    def predict(self, X):
        raise RuntimeError("secret internal detail")


def test_unexpected_errors_become_a_plain_500():
    app = create_app(Settings(), BrokenState())
    for response in call(app, [("/predict", {"features": [1] * 8}),
                               ("/v1/models/california-housing:predict", {"instances": [[1] * 8]})]):
        assert response.status_code == 500
        assert response.json() == {"error": "internal server error"}
        assert "secret" not in response.text and "Traceback" not in response.text


def test_large_batches_are_predicted_in_a_thread_with_the_same_results(model_dir, monkeypatch):
    threaded = []
    real = app_module.run_in_threadpool

    async def spy(function, *args):
        threaded.append(len(args[0]))
        return await real(function, *args)

    monkeypatch.setattr(app_module, "run_in_threadpool", spy)
    state = ModelState(model_dir, "california-housing")
    assert state.load()
    n = app_module.THREAD_ROWS + 500
    X = np.array(SAMPLE) * np.random.default_rng(0).uniform(0.8, 1.2, (n, 8))
    app = create_app(Settings(max_batch_rows=n), state)
    (response,) = call(app, [("/v1/models/california-housing:predict", {"instances": X.tolist()})])
    assert response.status_code == 200
    np.testing.assert_array_equal(response.json()["predictions"], state.predict(X))
    assert threaded == [n]
    call(app, [("/v1/models/california-housing:predict", {"instances": X[:10].tolist()})])
    assert threaded == [n]  # small batches stay on the event loop
