"""POST /v1/guide: a profile in, a discussion guide out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import ValidationError

from api.deps import KnowledgeBaseDep
from api.errors import InvalidBody, require_json
from api.guide_cache import GuideCache
from decision_aid.engine import PreparedKnowledgeBase, guide_json, prepare
from decision_aid.guide import Guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import Profile
from decision_aid.validation_errors import describe_validation_error

router = APIRouter(prefix="/v1", tags=["guide"])

_EXAMPLE = Profile.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]


@router.post(
    "/guide",
    response_model=Guide,
    summary="Build a discussion guide from a profile",
    description=(
        "Every field is optional: `{}` gives the general points. Unknown fields and values get a 422 "
        "that names the field, the value, the accepted values and a close match. The guide never "
        "prescribes: it lists options a team may discuss and questions to ask."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Profile"},
                "examples": {"hr_positive_after_ai_and_cdk46": {"summary": "HR+/HER2− after letrozole and Ibrance",
                                                                 "value": _EXAMPLE}},
            }},
        }
    },
    responses={413: {"description": "Body larger than the limit"},
               415: {"description": "Body is not JSON"},
               422: {"description": "A field or value is not accepted: each problem in `detail` names the field "
                                    "(`loc`), the value, the accepted values (`ctx.accepted`) and a close match "
                                    "(`ctx.did_you_mean`)"}},
)
async def create_guide(request: Request, kb: KnowledgeBaseDep) -> Response:
    # The raw body is validated once and the guide serialised once: no second validation pass.
    require_json(request)
    body = await request.body()
    cache: GuideCache = request.app.state.guide_cache
    cached = cache.get(body, kb)
    if cached is None:
        try:
            profile = Profile.model_validate_json(body or b"{}", context={"drugs": kb.drugs})
        except ValidationError as error:
            raise InvalidBody(describe_validation_error(error)) from None
        cached = guide_json(profile, _prepared(request, kb))
        cache.put(body, kb, *cached)
    guide, request.state.rule_ids = cached
    return Response(guide, media_type="application/json")


def _prepared(request: Request, kb: KnowledgeBase) -> PreparedKnowledgeBase:
    """The knowledge base's shared JSON, written on first use and kept while the same one is served."""
    prepared: PreparedKnowledgeBase | None = getattr(request.app.state, "prepared_knowledge_base", None)
    if prepared is None or prepared.kb is not kb:
        prepared = request.app.state.prepared_knowledge_base = prepare(kb)
    return prepared


def publish_profile_schema(app: FastAPI) -> None:
    """Put ``Profile``, and the models it uses, in the OpenAPI document's components.

    The route reads the raw body (one validation, no second pass), so FastAPI never sees ``Profile``
    as a parameter and would leave the request body's ``$ref`` pointing at nothing.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        document = app.openapi_schema
        if document is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            profile = Profile.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, schema in {**profile.pop("$defs", {}), "Profile": profile}.items():
                if schemas.setdefault(name, schema) != schema:
                    raise RuntimeError(f"two different OpenAPI schemas are both called {name!r}")
        return document

    app.openapi = openapi  # type: ignore[method-assign]
