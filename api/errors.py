"""Every error the API returns is JSON in one shape, ``{"detail": ...}``, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.error_bounds import bounded_detail
from decision_aid.validation_errors import describe_error

logger = logging.getLogger("decision_aid.api")

#: What a caller is told about a fault on the server: nothing internal.
FAILURE_DETAIL = "Something went wrong on our side. Please try again."


def media_not_json(request: Request) -> str | None:
    """The media type the request says its body is, when that is not JSON; None for JSON (any ``+json``
    type too) or no content type, which is read as JSON."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return None if not media or media == "application/json" or media.endswith("+json") else media


def require_json(request: Request) -> None:
    """Refuse a body that says it is not JSON, or that is compressed (415); a missing content type is
    read as JSON. Compressed bodies are refused rather than unpacked: a few KiB can unpack to gigabytes."""
    media = media_not_json(request)
    if media is not None:
        raise HTTPException(415, f"Send the profile as JSON (Content-Type: application/json), not {media[:60]!r}.")
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity"):
        raise HTTPException(415, f"Send the profile uncompressed: Content-Encoding {encoding[:60]!r} is not "
                                 "accepted (leave the header out, or send identity).",
                            headers={"Accept-Encoding": "identity"})


class InvalidBody(Exception):
    """Raised by a route whose body failed validation; ``detail`` is already in the contract's shape."""

    def __init__(self, detail: list[dict[str, Any]]) -> None:
        self.detail = detail


def _validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    detail = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        described = describe_error({**error, "loc": loc[1:]})
        described["loc"] = [loc[0], *described["loc"][1:]] if loc else described["loc"]
        detail.append(described)
    return detail


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": bounded_detail(jsonable_encoder(_validation_detail(exc)))}, status_code=422)

    @app.exception_handler(InvalidBody)
    async def _invalid_body(request: Request, exc: InvalidBody) -> JSONResponse:
        return JSONResponse({"detail": bounded_detail(jsonable_encoder(exc.detail))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The safety net: log the fault for the operator, tell the caller nothing internal.
        logger.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        return JSONResponse({"detail": FAILURE_DETAIL}, status_code=500)
