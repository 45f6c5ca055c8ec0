"""The model server with one change to its code, for the e2e's canaries: the same server, wrapped in
ASGI code that marks its answers (x-server-variant) and, by VARIANT, breaks /predict:
  marked  answers as the server does (a good change);
  errors  answers every 4th /predict with a 500;
  slow    answers /predict 150 ms later.
Run as the image's command: python /app/variant_server.py."""
import asyncio
import itertools
import os

from starlette.responses import JSONResponse

import model_server.__main__ as server

VARIANT = os.environ.get("VARIANT", "marked")
_count = itertools.count()
_create_app = server.create_app


def create_app(settings, state):
    inner = _create_app(settings, state)

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"] == "/predict":
            if VARIANT == "errors" and next(_count) % 4 == 0:
                return await JSONResponse({"detail": "injected failure (e2e variant)"}, status_code=500)(scope, receive, send)
            if VARIANT == "slow":
                await asyncio.sleep(0.15)

        async def marked(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"x-server-variant", VARIANT.encode())]}
            await send(message)

        await inner(scope, receive, marked)

    return app


server.create_app = create_app
server.main()
