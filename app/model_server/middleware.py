"""ASGI middleware: caps the request body size and records request metrics.

Plain ASGI rather than BaseHTTPMiddleware, which costs an extra task per request.
"""
import time

import orjson
from starlette.routing import Match

from . import metrics

_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}


class ServingMiddleware:
    def __init__(self, app, max_body_bytes):
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500  # if the app raises before responding, the error middleware sends a 500
        rejected = False

        async def send_and_record(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            if scope["method"].encode() in _BODY_METHODS:
                body, problem = await self._read_body(scope, receive)
                if problem:
                    rejected = True
                    return await _error(send_and_record, *problem)
                receive = _replay(body, receive)
            await self.app(scope, receive, send_and_record)
        finally:
            metrics.observe(_endpoint(scope, rejected), scope["method"], status, time.perf_counter() - start)

    async def _read_body(self, scope, receive):
        """Read the whole body; returns (body, None) or (None, (status, message))."""
        limit = self.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length":
                if not value.isdigit():
                    return None, (400, "invalid Content-Length header")
                if int(value) > limit:
                    return None, (413, f"request body of {int(value)} bytes exceeds the limit of {limit} bytes (MAX_BODY_BYTES)")
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None, (400, "client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:  # a chunked body without Content-Length, or one that lies about it
                return None, (413, f"request body exceeds the limit of {limit} bytes (MAX_BODY_BYTES)")
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks), None


def _replay(body, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as usual

    return replay


async def _error(send, status, message):
    payload = orjson.dumps({"error": message})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": payload})


def _endpoint(scope, rejected):
    """The route's path template, so metric labels stay few whatever paths clients send."""
    route = scope.get("route")
    if route is None and rejected:
        app = scope.get("app")
        for candidate in getattr(app, "routes", ()):
            if candidate.matches(scope)[0] != Match.NONE:
                route = candidate
                break
    return getattr(route, "path", None) or "(unmatched)"
