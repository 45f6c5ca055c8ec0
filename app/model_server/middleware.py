"""ASGI middleware: caps the request body size, records request metrics, and serves the
hottest endpoint (POST /predict) directly.

Plain ASGI rather than BaseHTTPMiddleware, which costs an extra task per request. The fast
path skips FastAPI's per-request machinery (exception/telemetry/body-limit middlewares,
routing, dependency solving, exit stacks), which profiling showed to be about half the CPU
of a single-row prediction; see app/README.md for the figures.

A body over MAX_BODY_BYTES is answered 413 at once, and then the rest of it is read and thrown
away before the connection closes, for at most LINGER_SECONDS and LINGER_MAX_BYTES (nginx's
lingering close). Closing with unread data makes the kernel send a reset, and clients that
send the whole body before reading (http.client, requests) then get ConnectionResetError
instead of the 413. Neither uvicorn nor Starlette bounds this: Starlette's max_body_size
answers 413 and leaves the connection open, and uvicorn then discards the rest with no limit in
time or bytes (each chunk received cancels its keep-alive timer), so a client trickling bytes
holds the connection forever (uvicorn 0.54, Starlette 1.10: still open after 15 s). Hence the
few lines below.
"""
import asyncio
import logging
import time

import orjson
from starlette.routing import Match

from . import metrics
from .parsing import InputError

log = logging.getLogger("model_server")
_BODY_METHODS = {b"POST", b"PUT", b"PATCH"}


class ServingMiddleware:
    def __init__(self, app, max_body_bytes, fast_routes=None, linger_seconds=10.0, linger_max_bytes=64 << 20):
        """fast_routes: {path: (method, handler)}, handler(body bytes) -> JSON bytes or InputError.
        linger_*: how long and how much of an oversized body to discard after answering 413."""
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.fast_routes = fast_routes or {}
        self.linger_seconds = linger_seconds
        self.linger_max_bytes = linger_max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        start = time.perf_counter()
        status = 500  # if the app raises before responding, the error middleware sends a 500
        rejected = False
        fast = self.fast_routes.get(scope["path"])

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
                    if problem[0] == 413:
                        return await self._reject_then_discard_body(send_and_record, receive, problem[1])
                    return await _error(send_and_record, *problem)
                receive = _replay(body, receive)
            if fast is None:
                await self.app(scope, receive, send_and_record)
            elif scope["method"] != fast[0]:
                await _send_json(send_and_record, 405, _error_body(
                    f"method {scope['method']} not allowed on {scope['path']}; allowed: {fast[0]}"), [(b"allow", fast[0].encode())])
            else:
                await _serve_fast(fast[1], body, send_and_record)
        finally:
            endpoint = scope["path"] if fast else _endpoint(scope, rejected, self.app)
            metrics.observe(endpoint, scope["method"], status, time.perf_counter() - start)

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

    async def _reject_then_discard_body(self, send, receive, message):
        """Answer 413, then discard the body within the bounds; completing the response
        afterwards makes uvicorn close the connection. Answering first also means uvicorn sends
        no 100 Continue, so a client waiting for one (curl) never sends the body."""
        payload = _error_body(message)
        await send({"type": "http.response.start", "status": 413, "headers": _json_headers(payload, close=True)})
        await send({"type": "http.response.body", "body": payload, "more_body": True})
        discarded = 0
        try:
            async with asyncio.timeout(self.linger_seconds):
                while discarded <= self.linger_max_bytes:
                    event = await receive()
                    if event["type"] != "http.request":
                        break  # the client went away
                    discarded += len(event.get("body", b""))
                    if not event.get("more_body", False):
                        break
        except TimeoutError:
            pass  # a slow sender: close on it
        await send({"type": "http.response.body", "body": b""})


def _replay(body, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # later calls wait for the disconnect, as usual

    return replay


async def _serve_fast(handler, body, send):
    try:
        status, payload = 200, handler(body)
    except InputError as exc:
        status, payload = exc.status, _error_body(exc.message)
    except Exception:  # same promise as the app's catch-all: a logged 500, no traceback sent
        log.exception("unexpected error on the fast path")
        status, payload = 500, _error_body("internal server error")
    await _send_json(send, status, payload)


async def _error(send, status, message):
    await _send_json(send, status, _error_body(message), close=True)


def _error_body(message):
    return orjson.dumps({"error": message})


def _json_headers(payload, extra_headers=(), close=False):
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *extra_headers]
    return headers + [(b"connection", b"close")] if close else headers


async def _send_json(send, status, payload, extra_headers=(), close=False):
    await send({"type": "http.response.start", "status": status, "headers": _json_headers(payload, extra_headers, close)})
    await send({"type": "http.response.body", "body": payload})


def _endpoint(scope, rejected, app):
    """The route's path template, so metric labels stay few whatever paths clients send."""
    route = scope.get("route")
    if route is None and rejected:
        for candidate in getattr(app, "routes", ()):
            if candidate.matches(scope)[0] != Match.NONE:
                route = candidate
                break
    return getattr(route, "path", None) or "(unmatched)"
