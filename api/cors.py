"""CORS with its refusals in the contract's shape, and its own origins for ``/cds-services``.

Starlette's CORS middleware answers a refused preflight request with 400 and the plain text
``Disallowed CORS origin``; here the same refusal is JSON and says what is allowed (the methods and
headers, not the list of trusted origins): ``{"detail": ...}`` for the API, and a FHIR
OperationOutcome for ``/cds-services``, like every other refusal there.

Browser-based CDS clients, such as the CDS Hooks sandbox (``https://sandbox.cds-hooks.org``), call
``/cds-services`` from their own origin. ``DECISION_AID_CDS_CORS_ORIGINS`` lists the origins allowed
there (on top of ``DECISION_AID_CORS_ORIGINS``), for those paths only: the sandbox may call the CDS
service, not ``/v1``. A preflight from any other origin gets a 400 OperationOutcome naming the setting,
never a bare 405. No credentials (cookies) are allowed: CDS Hooks authenticates with the JWT in
``Authorization``, which still has to verify.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from api.api_key import route_path
from decision_aid.fhir.outcome import operation_outcome

_FAILURE_PREFIX = "Disallowed CORS "
CDS_PREFIX = "/cds-services"


class JsonCorsMiddleware(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, fhir: bool = False, **options: object) -> None:
        super().__init__(app, **options)  # type: ignore[arg-type]
        self.fhir = fhir

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
        if self.fhir:
            return JSONResponse(operation_outcome(
                detail + " For a browser-based CDS client such as the CDS Hooks sandbox, the operator lists its "
                "origin in DECISION_AID_CDS_CORS_ORIGINS.", code="forbidden"), status_code=response.status_code,
                headers=headers, media_type="application/fhir+json")
        return JSONResponse({"detail": detail}, status_code=response.status_code, headers=headers)


class ScopedCorsMiddleware:
    """The API's CORS for most paths; for ``/cds-services`` the same origins plus the CDS client origins."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str], cds_origins: Sequence[str]) -> None:
        self.app = app
        methods, exposed = ["GET", "POST"], ["X-Request-ID"]
        self.general: ASGIApp = JsonCorsMiddleware(
            app, allow_origins=list(origins), allow_methods=methods, expose_headers=exposed,
            allow_headers=["Authorization", "Content-Type", "X-API-Key", "X-Request-ID"]) if origins else app
        self.cds = JsonCorsMiddleware(app, fhir=True, allow_origins=list(dict.fromkeys([*origins, *cds_origins])),
                                      allow_methods=methods, expose_headers=exposed,
                                      allow_headers=["Authorization", "Content-Type", "X-Request-ID"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = route_path(scope)
            if path == CDS_PREFIX or path.startswith(CDS_PREFIX + "/"):
                await self.cds(scope, receive, send)
                return
        await self.general(scope, receive, send)
