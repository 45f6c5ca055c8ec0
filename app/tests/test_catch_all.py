"""An unexpected exception answers a JSON 500 without leaking a traceback, on both paths."""
import asyncio

import httpx

from model_server.app import create_app
from model_server.config import Settings


class BrokenState:
    name = "california-housing"
    version = "v"
    ready = True

    def predict(self, X):
        raise RuntimeError("secret internal detail")


def test_unexpected_errors_become_a_plain_500():
    app = create_app(Settings(), BrokenState())

    async def run():
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [await client.post(path, json=body) for path, body in (
                ("/predict", {"features": [1] * 8}),
                ("/v1/models/california-housing:predict", {"instances": [[1] * 8]}),
            )]

    for response in asyncio.run(run()):
        assert response.status_code == 500
        assert response.json() == {"error": "internal server error"}
        assert "secret" not in response.text and "Traceback" not in response.text
