"""Property-based fuzzing of the service against its own OpenAPI schema (schemathesis).

Every operation in ``/openapi.json`` gets generated requests, valid and invalid. Whatever arrives,
the answer is never a 5xx, and it matches the schema the service publishes for that status.
Bounded to stay quick and repeatable: a few dozen examples per operation, the same ones each run
(derandomised), no deadline (CI machines vary). For a deeper, random hunt:
``FUZZ_EXAMPLES=500 FUZZ_RANDOM=1 python3 -m pytest tests/fuzz``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.main import create_app
from api.settings import Settings

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
RANDOM = bool(os.environ.get("FUZZ_RANDOM"))

app = create_app(Settings())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def knowledge_base_loaded() -> Iterator[None]:
    # The app's lifespan loads the knowledge base; without it /v1 would rightly answer 503.
    with TestClient(app):
        yield


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM,
          suppress_health_check=list(HealthCheck))
def test_no_server_error_and_responses_match_the_schema(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
    assert response.headers.get("x-request-id")
    assert response.headers.get("content-security-policy")
