"""The benchmark's server: the real service, plus a bare endpoint for the framework's ceiling.

``POST /bench/bare`` is a plain FastAPI route on the same app, behind the same middleware and the
same uvicorn settings. It reads the body and returns, for each benchmark profile, the bytes that
``POST /v1/guide`` returns for it (written once at start-up; ``bench/http_bench.py`` checks that
they are equal before it measures), so both endpoints move the same bytes and differ only in the
work the decision aid does: validating the profile, deciding which rules fire and why, and writing
the guide.

Run by ``bench/http_bench.py``; not part of the service.
"""

from __future__ import annotations

from fastapi import Request, Response

from api.main import create_app
from api.settings import Settings
from bench.profiles import bodies
from decision_aid.engine import guide_json, prepare
from decision_aid.knowledge_base import load_knowledge_base
from decision_aid.profile import Profile

settings = Settings()
app = create_app(settings)

_kb = load_knowledge_base(settings.rules_dir)
_prepared = prepare(_kb)
_CANNED = {body: guide_json(Profile.model_validate_json(body, context={"drugs": _kb.drugs}), _prepared)[0]
           for body in bodies().values()}


@app.post("/bench/bare", include_in_schema=False)
async def bare(request: Request) -> Response:
    return Response(_CANNED[await request.body()], media_type="application/json")
