"""CORS with its refusals in the contract's shape.

Starlette's CORS middleware answers a refused preflight request with 400 and the plain text
``Disallowed CORS origin``; here the same refusal is JSON, ``{"detail": ...}``, and says what is
allowed (the methods and headers, not the list of trusted origins).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

_FAILURE_PREFIX = "Disallowed CORS "


class JsonCorsMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        body = bytes(response.body).decode("utf-8", errors="replace")
        if response.status_code < 400 or not body.startswith(_FAILURE_PREFIX):
            return response
        refused = body[len(_FAILURE_PREFIX):]
        detail = (f"This cross-origin request is refused ({refused} not allowed). Only the origins the operator "
                  f"lists may call from a browser, with methods {', '.join(sorted(self.allow_methods))} and "
                  f"headers {', '.join(sorted(self.allow_headers))}.")
        headers = {name: value for name, value in response.headers.items()
                   if name.lower() not in ("content-type", "content-length")}
        return JSONResponse({"detail": detail}, status_code=response.status_code, headers=headers)
