"""The operations layer around every request: a request id, security headers, one access-log line.

It is the outermost middleware, so refusals made further in (413, 401, CORS) get the same headers
and log line. It is plain ASGI (no ``BaseHTTPMiddleware``), so it adds microseconds, not a task.

* ``X-Request-ID``: taken from the request when it looks like an id (a load balancer's), otherwise
  made here; returned on every response and written in every log line for the request.
* The access log names the request id, method, path, status, duration and the rule ids that fired
  (a route sets ``request.state.rule_ids``), and nothing of the body, query string or headers.
* The last safety net: an exception that escapes the app becomes the contract's 500 body, and the
  log says its type and where it was raised, never its message, which could quote the input. A
  client that hangs up mid-request is logged as status 499 and nothing is sent.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import traceback
from pathlib import Path

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.api_key import route_path
from api.errors import FAILURE_DETAIL
from api.security_headers import DOCS_PATHS, security_headers

access_log = logging.getLogger("decision_aid.access")
error_log = logging.getLogger("decision_aid.api")

REQUEST_ID_HEADER = b"x-request-id"
_SAFE_ID = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_MAX_LOGGED_PATH = 200
CLIENT_CLOSED = 499  # nginx's convention: the client went away before the response

_FAILURE = json.dumps({"detail": FAILURE_DETAIL}).encode()


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's request id if it is a safe token, else a new random one.

    Example usage::

        >>> request_id_from([(b"x-request-id", b"lb-1234")])
        'lb-1234'
        >>> len(request_id_from([(b"x-request-id", b"<script>")]))
        32
    """
    for name, value in headers:
        if name == REQUEST_ID_HEADER and _SAFE_ID.fullmatch(value):
            return value.decode()
    return os.urandom(16).hex()


class OperationsMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.strict_headers = security_headers("/", https)
        self.docs_headers = security_headers(next(iter(DOCS_PATHS)), https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(scope["headers"])
        # The route writes rule_ids here; setting the dict first makes sure we share the same one.
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        path = route_path(scope)
        method = scope["method"]
        added = [(REQUEST_ID_HEADER, request_id.encode()),
                 *(self.docs_headers if path in DOCS_PATHS else self.strict_headers)]
        if method == "POST":
            # Guides are about one person's health: no shared cache may keep them.
            added.append((b"cache-control", b"no-store"))
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in added if header[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except ClientDisconnect:
            status = status or CLIENT_CLOSED
        except Exception as error:
            error_log.error("unexpected error", extra={
                "request_id": request_id, "error": type(error).__name__, "where": _where(error)})
            if not status:
                await send_with_headers({"type": "http.response.start", "status": 500, "headers": [
                    (b"content-type", b"application/json"), (b"content-length", str(len(_FAILURE)).encode())]})
                await send({"type": "http.response.body", "body": _FAILURE})
        access_log.info("request", extra={
            "request_id": request_id,
            "method": method,
            "path": path[:_MAX_LOGGED_PATH],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            "rule_ids": state.get("rule_ids"),
        })


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno} in {last.name}"
