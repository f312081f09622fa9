"""POST /v1/guide: a profile in, a discussion guide out."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from api.deps import KnowledgeBaseDep
from api.errors import InvalidBody, require_json
from decision_aid.engine import build_guide
from decision_aid.guide import Guide
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
               415: {"description": "Body is not JSON"}},
)
async def create_guide(request: Request, kb: KnowledgeBaseDep) -> Response:
    # The raw body is validated once and the guide serialised once: no second validation pass.
    require_json(request)
    body = await request.body()
    try:
        profile = Profile.model_validate_json(body or b"{}", context={"drugs": kb.drugs})
    except ValidationError as error:
        raise InvalidBody(describe_validation_error(error)) from None
    guide = build_guide(profile, kb)
    request.state.rule_ids = [p.id for p in guide.urgent] + [p.id for p in guide.points]
    return Response(guide.model_dump_json(), media_type="application/json")
