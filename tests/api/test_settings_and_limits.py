from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from api.settings import Settings


@pytest.mark.parametrize("origin", ["https://portal.example.org", "http://localhost:3000", "http://127.0.0.1:8080"])
def test_exact_origins_are_accepted(origin: str) -> None:
    assert Settings(cors_origins=[origin]).cors_origins == [origin]


@pytest.mark.parametrize(
    "origin",
    ["*", "http://portal.example.org", "http://localhost.evil.example", "https://portal.example.org/path",
     "https://user@portal.example.org", "portal.example.org", "https://"],
)
def test_unsafe_origins_are_refused_with_the_key_named(origin: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(cors_origins=[origin])
    assert "DECISION_AID_CORS_ORIGINS" in str(info.value)


def test_cds_hooks_take_larger_bodies_than_the_guide() -> None:
    body = b'{"hook": "patient-view", "padding": "' + b"x" * 100_000 + b'"}'
    with TestClient(create_app(Settings())) as client:
        guide = client.post("/v1/guide", content=body, headers={"content-type": "application/json"})
        assert guide.status_code == 413
        cds = client.post("/cds-services/mbc-discussion-guide", content=body,
                          headers={"content-type": "application/json"})
        assert cds.status_code != 413, cds.text
        too_big = client.post("/cds-services/mbc-discussion-guide", content=b"x" * (1024 * 1024 + 1),
                              headers={"content-type": "application/json"})
        assert too_big.status_code == 413
