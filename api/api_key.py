"""The optional API key for ``/v1``: off by default, sent as ``X-API-Key``, compared in constant time.

Health probes, the patient page, its static files, the docs and CDS Hooks stay open; only paths
under ``/v1`` need the key. Browsers' CORS preflight requests (``OPTIONS``) never carry custom
headers, so they pass, and the CORS middleware answers them.
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Receive, Scope, Send

HEADER = b"x-api-key"
PROTECTED_PREFIX = "/v1"

_REFUSAL = json.dumps({"detail": (
    "This service needs an API key for /v1: send it in the X-API-Key header. "
    "Ask the service's operator for one.")}).encode()


def key_matches(sent: bytes | None, expected: bytes) -> bool:
    """Compare in constant time, so the response time says nothing about how much of the key matched.

    Example usage::

        >>> key_matches(b"a" * 32, b"a" * 32), key_matches(b"b" * 32, b"a" * 32), key_matches(None, b"a")
        (True, False, False)
    """
    return sent is not None and hmac.compare_digest(sent, expected)


class ApiKeyMiddleware:
    def __init__(self, app: ASGIApp, api_key: str) -> None:
        self.app = app
        self.expected = api_key.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or not _is_protected(route_path(scope)):
            await self.app(scope, receive, send)
            return
        sent = next((value for name, value in scope["headers"] if name == HEADER), None)
        if key_matches(sent, self.expected):
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 401, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(_REFUSAL)).encode())]})
        await send({"type": "http.response.body", "body": _REFUSAL})


def route_path(scope: Scope) -> str:
    """The path the router will match: without the ``root_path`` a proxy may have mounted us under."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _is_protected(path: str) -> bool:
    return path == PROTECTED_PREFIX or path.startswith(PROTECTED_PREFIX + "/")
