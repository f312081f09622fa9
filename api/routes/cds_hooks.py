"""CDS Hooks 2.0: discovery, the ``patient-view`` service, and feedback.

Every call must carry a signed JWT (see :mod:`api.cds_security`) unless verification is turned off
for local use. Every non-2xx answer is a FHIR OperationOutcome. Missing required prefetch is a 412
unless the EHR's FHIR server is one this service is configured to call back to; the access token
the EHR lends for that is used for those requests only and is never logged or stored.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, SecretStr, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.cds_security import CdsAuthError, CdsReplayStoreError, CdsTokenVerifier
from api.deps import get_knowledge_base, get_settings
from api.errors import media_not_json
from api.settings import Settings
from decision_aid.engine import build_guide
from decision_aid.fhir.cards import build_cards
from decision_aid.fhir.hook_request import FeedbackRequest, HookRequest, PatientViewContext
from decision_aid.fhir.outcome import operation_outcome
from decision_aid.fhir.reading import read_record
from decision_aid.fhir.service import HOOK, OPTIONAL_PREFETCH, PREFETCH, REQUIRED_PREFETCH, SERVICE_ID, discovery
from decision_aid.vocabulary import Audience

logger = logging.getLogger("decision_aid.api")

_Model = TypeVar("_Model", bound=BaseModel)
_MAX_FETCH_BYTES = 4 * 1024 * 1024
_MAX_PAGES = 5


class CdsError(Exception):
    def __init__(self, status: int, text: str, *, code: str = "processing", diagnostics: str | None = None) -> None:
        super().__init__(text)
        self.status, self.text, self.code, self.diagnostics = status, text, code, diagnostics


class CdsRoute(APIRoute):
    """Answers this router's errors as OperationOutcomes, whichever layer raised them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except CdsAuthError as error:
                return _outcome(401, error.message, "login",
                                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
            except CdsReplayStoreError:
                return _outcome(503, "The token's one-time value (jti) cannot be checked just now; try again.",
                                "transient", headers={"Retry-After": "5"})
            except CdsError as error:
                return _outcome(error.status, error.text, error.code, diagnostics=error.diagnostics)
            except StarletteHTTPException as error:
                return _outcome(error.status_code, str(error.detail), "transient" if error.status_code == 503 else
                                "processing")

        return handler


def _outcome(status: int, text: str, code: str, *, diagnostics: str | None = None,
             headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(operation_outcome(text, code=code, diagnostics=diagnostics), status_code=status,
                        headers=headers, media_type="application/fhir+json")


router = APIRouter(prefix="/cds-services", tags=["CDS Hooks"], route_class=CdsRoute)


async def _authorise(request: Request, path: str) -> None:
    settings = get_settings(request)
    if not settings.cds_verify_jwt:
        return
    verifier: CdsTokenVerifier | None = getattr(request.app.state, "cds_verifier", None)
    if verifier is None:
        verifier = request.app.state.cds_verifier = CdsTokenVerifier.from_settings(settings)
    # In a worker thread: a jku fetch or a Redis round trip must not hold up the event loop.
    await run_in_threadpool(verifier.verify, request.headers.get("authorization"),
                            f"{settings.public_base_url}{path}")


async def _body(request: Request, model: type[_Model]) -> _Model:
    media = media_not_json(request)
    if media is not None:
        raise CdsError(415, f"Send JSON (Content-Type: application/json), not {media[:60]!r}.", code="not-supported")
    raw = await request.body()
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise CdsError(400, "The request body is not valid JSON.", code="invalid") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise CdsError(400, f"The {model.__name__} is not valid.", code="invalid",
                       diagnostics=_problems(error)) from None


def _problems(error: ValidationError, prefix: str = "") -> str:
    """The first ten problems, each as ``where: what`` (``where`` under ``prefix``)."""
    return "; ".join(f"{prefix}{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                     for e in error.errors(include_input=False, include_url=False)[:10])


@router.get("", summary="CDS Hooks discovery: the services offered and their prefetch templates")
async def discover(request: Request) -> JSONResponse:
    await _authorise(request, "/cds-services")
    return JSONResponse(discovery())


@router.post("/{service_id}", summary="Call the patient-view service: FHIR R4 / mCODE prefetch in, cards out")
async def call_service(service_id: str, request: Request) -> JSONResponse:
    await _authorise(request, f"/cds-services/{service_id}")
    if service_id != SERVICE_ID:
        raise CdsError(404, f"No CDS service {service_id[:80]!r}; GET /cds-services lists {SERVICE_ID!r}.",
                       code="not-found")
    hook_request = await _body(request, HookRequest)
    if hook_request.hook != HOOK:
        raise CdsError(400, f"This service answers the {HOOK!r} hook, not {hook_request.hook[:80]!r}.",
                       code="not-supported")
    try:
        context = PatientViewContext.model_validate(hook_request.context)
    except ValidationError as error:
        raise CdsError(400, "The patient-view context is not valid.", code="invalid",
                       diagnostics=_problems(error, prefix="context.")) from None

    settings = get_settings(request)
    prefetch = dict(hook_request.prefetch or {})
    failures: dict[str, str] = {}
    absent = [key for key in PREFETCH if key not in prefetch]
    if absent and _may_fetch(settings, hook_request.fhirServer):
        fetched, failures = await _fetch(hook_request, absent, context.patientId, settings)
        prefetch.update(fetched)
    missing = [key for key in REQUIRED_PREFETCH if key not in prefetch]
    if missing:
        raise CdsError(412, _missing_text(hook_request, missing, failures),
                       diagnostics="Missing prefetch keys: " + ", ".join(
                           f"{key} ({failures[key]})" if key in failures else key for key in missing))

    kb = get_knowledge_base(request)
    audience: Audience = "patient" if context.viewer_is_patient else "clinician"
    not_sent = [key for key in OPTIONAL_PREFETCH if key not in prefetch]
    reading = read_record({key: prefetch[key] for key in PREFETCH if key in prefetch}, context.patientId, kb.drugs,
                          audience, not_sent)
    guide = build_guide(reading.profile, kb)
    cards = build_cards(guide, reading, base_url=settings.public_base_url,
                        hook_instance=hook_request.hookInstance)
    request.state.rule_ids = [item.id for item in guide.urgent] + [point.id for point in guide.points]
    return JSONResponse({"cards": [card.model_dump(exclude_none=True) for card in cards]})


def _missing_text(hook_request: HookRequest, missing: list[str], failures: dict[str, str]) -> str:
    keys = ", ".join(missing)
    if failures:
        return f"The prefetch keys {keys} were not sent and could not be fetched from the FHIR server."
    if hook_request.fhirServer:
        return (f"The prefetch keys {keys} were not sent, and this service is not configured to fetch from "
                f"{hook_request.fhirServer[:200]!r}. Send them as prefetch.")
    return f"The prefetch keys {keys} were not sent. Send them as prefetch (see GET /cds-services)."


def _may_fetch(settings: Settings, fhir_server: str | None) -> bool:
    return fhir_server is not None and fhir_server.rstrip("/") in settings.cds_fhir_servers


async def _fetch(hook_request: HookRequest, keys: list[str], patient_id: str,
                 settings: Settings) -> tuple[dict[str, Any], dict[str, str]]:
    """Fetch the missing prefetch from the EHR's FHIR server, key by key; failures are named, not raised."""
    base = (hook_request.fhirServer or "").rstrip("/")
    token: SecretStr | None = hook_request.fhirAuthorization.access_token if hook_request.fhirAuthorization else None
    headers = {"Accept": "application/fhir+json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token.get_secret_value()}"
    fetched: dict[str, Any] = {}
    failures: dict[str, str] = {}

    async def fetch(client: httpx.AsyncClient, key: str) -> None:
        url = f"{base}/{PREFETCH[key].replace('{{context.patientId}}', quote(patient_id, safe=''))}"
        try:
            fetched[key] = await _get(client, url, base, read=key == "patient")
        except httpx.TimeoutException:
            failures[key] = "timed out"
        except httpx.HTTPError as error:
            failures[key] = type(error).__name__
        except _FetchFailed as error:
            failures[key] = str(error)

    # All at once: the EHR is waiting to open the chart, so the whole fetch takes about one timeout at most.
    async with httpx.AsyncClient(timeout=settings.cds_fhir_timeout_seconds, follow_redirects=False,
                                 headers=headers) as client:
        await asyncio.gather(*(fetch(client, key) for key in keys))
    if failures:
        # The URL and the reason only: never the headers, which hold the EHR's access token.
        logger.warning("CDS Hooks: could not fetch %s from the FHIR server", ", ".join(sorted(failures)))
    return fetched, failures


class _FetchFailed(Exception):
    pass


async def _get(client: httpx.AsyncClient, url: str, base: str, *, read: bool) -> Any:
    """One resource, or a searchset with its pages merged (next links followed only on the same server)."""
    entries: list[Any] = []
    first: dict[str, Any] | None = None
    following: str | None = url
    unread: str | None = None
    for _ in range(_MAX_PAGES):
        if following is None:
            break
        data = await _get_json(client, following)
        if data is None:
            if read:
                return None  # a read of a resource the server does not have: no data, not an error
            raise _FetchFailed("HTTP 404")
        if not isinstance(data, dict):
            raise _FetchFailed("not a FHIR resource")
        if data.get("resourceType") != "Bundle":
            return data
        first = first or data
        entries.extend(data.get("entry") or [])
        link = next((link.get("url") for link in data.get("link") or ()
                     if isinstance(link, dict) and link.get("relation") == "next"), None)
        # The token goes only to the server the EHR named, never to a host a Bundle points at.
        following = link if isinstance(link, str) and link.startswith(base + "/") else None
        unread = link if isinstance(link, str) else None
    if first is None:
        raise _FetchFailed("no response")
    links = [link for link in first.get("link") or () if isinstance(link, dict) and link.get("relation") != "next"]
    if unread is not None:
        links.append({"relation": "next", "url": unread})  # so the facts card says pages were left unread
    return {**first, "entry": entries, "link": links}


async def _get_json(client: httpx.AsyncClient, url: str) -> Any:
    async with client.stream("GET", url) as response:
        if response.status_code in (404, 410):
            return None
        if response.status_code != 200:
            raise _FetchFailed(f"HTTP {response.status_code}")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > _MAX_FETCH_BYTES:
                raise _FetchFailed("response too large")
    try:
        return json.loads(body)
    except ValueError:
        raise _FetchFailed("not JSON") from None


@router.post("/{service_id}/feedback", summary="Feedback on cards: counted, never stored with patient data")
async def feedback(service_id: str, request: Request) -> JSONResponse:
    await _authorise(request, f"/cds-services/{service_id}/feedback")
    if service_id != SERVICE_ID:
        raise CdsError(404, f"No CDS service {service_id[:80]!r}.", code="not-found")
    report = await _body(request, FeedbackRequest)
    counts: Counter[str] | None = getattr(request.app.state, "cds_feedback", None)
    if counts is None:
        counts = request.app.state.cds_feedback = Counter()
    counts.update(item.outcome for item in report.feedback)
    return JSONResponse({"received": len(report.feedback)})
