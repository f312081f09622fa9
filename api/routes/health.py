"""Liveness and readiness probes for a load balancer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import loaded_knowledge_base

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the process answers")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: the knowledge base is loaded and valid")
def readyz(request: Request) -> JSONResponse:
    kb = loaded_knowledge_base(request)
    if kb is None:
        error = getattr(request.app.state, "knowledge_base_error", "The knowledge base is not loaded.")
        return JSONResponse({"status": "not ready", "error": error}, status_code=503)
    return JSONResponse({"status": "ready", "knowledge_base": {
        "version": kb.version, "reviewed_on": kb.meta.reviewed_on.isoformat(), "rules": len(kb.rules)}})
