"""The optional API key for /v1, and the settings that refuse unsafe values."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE
from pydantic import ValidationError

import api.api_key
from api.main import create_app
from api.settings import Settings

KEY = "k" * 16 + "3x-Q9_vT7mZ2pL8w"  # 32 characters


@pytest.fixture(scope="module")
def keyed() -> Iterator[TestClient]:
    settings = Settings(api_key=KEY, cors_origins=["https://portal.example.org"])
    with TestClient(create_app(settings)) as client:
        yield client


def test_off_by_default() -> None:
    assert Settings().api_key is None
    with TestClient(create_app(Settings())) as client:
        assert client.post("/v1/guide", json=SAMPLE_PROFILE).status_code == 200


@pytest.mark.parametrize("sent", [None, "", "wrong", KEY[:-1], KEY + "x", KEY.upper()])
def test_v1_needs_the_key(keyed: TestClient, sent: str | None) -> None:
    headers = {} if sent is None else {"x-api-key": sent}
    for response in (keyed.post("/v1/guide", json=SAMPLE_PROFILE, headers=headers),
                     keyed.get("/v1/knowledge-base", headers=headers),
                     keyed.get("/v1/knowledge-base/rules/x", headers=headers)):
        assert response.status_code == 401, response.text
        assert response.json() == {"detail": "This service needs an API key for /v1: send it in the X-API-Key "
                                             "header. Ask the service's operator for one."}
        assert response.headers["x-request-id"]
        assert response.headers["content-security-policy"]


def test_the_right_key_opens_v1(keyed: TestClient) -> None:
    response = keyed.post("/v1/guide", json=SAMPLE_PROFILE, headers={"x-api-key": KEY})
    assert response.status_code == 200, response.text
    assert keyed.get("/v1/knowledge-base", headers={"X-API-Key": KEY}).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/", "/static/page.css", "/openapi.json", "/docs"])
def test_probes_the_page_and_the_docs_stay_open(keyed: TestClient, path: str) -> None:
    assert keyed.get(path).status_code == 200, path


def test_a_cors_preflight_needs_no_key_and_a_browser_sees_the_401(keyed: TestClient) -> None:
    origin = "https://portal.example.org"
    preflight = keyed.options("/v1/guide", headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-api-key"})
    assert preflight.status_code == 200, preflight.text
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    refused = keyed.post("/v1/guide", json={}, headers={"origin": origin})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == origin
    allowed = keyed.post("/v1/guide", json={}, headers={"origin": origin, "x-api-key": KEY})
    assert allowed.status_code == 200
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()


def test_a_disallowed_origin_gets_no_cors_grant(keyed: TestClient) -> None:
    response = keyed.post("/v1/guide", json={}, headers={"origin": "https://evil.example", "x-api-key": KEY})
    assert "access-control-allow-origin" not in response.headers


def test_the_key_is_compared_in_constant_time(keyed: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(api.api_key.hmac, "compare_digest", spy)
    keyed.get("/v1/knowledge-base", headers={"x-api-key": "wrong"})
    keyed.get("/v1/knowledge-base", headers={"x-api-key": KEY})
    assert calls == [(b"wrong", KEY.encode()), (KEY.encode(), KEY.encode())]


def test_the_key_never_shows_in_settings_repr() -> None:
    assert KEY not in repr(Settings(api_key=KEY))


# --- settings refuse unsafe values, naming the key and the value ---------------------------------

@pytest.mark.parametrize(("values", "message"), [
    ({"api_key": ""}, "DECISION_AID_API_KEY is set but empty; unset it to run without a key"),
    ({"api_key": "short"}, "DECISION_AID_API_KEY is 5 characters long; use at least 32"),
    ({"api_key": "a" * 31 + " "}, "DECISION_AID_API_KEY must be printable ASCII with no spaces"),
    ({"api_key": "ä" * 32}, "DECISION_AID_API_KEY must be printable ASCII with no spaces"),
    ({"log_level": "verbose"}, "DECISION_AID_LOG_LEVEL: 'VERBOSE' is not one of DEBUG, INFO, WARNING, ERROR"),
    ({"cors_origins": ["*"]}, "DECISION_AID_CORS_ORIGINS: '*' is not allowed"),
    ({"cors_origins": ["http://portal.example.org"]}, "is not allowed; list exact https:// origins"),
    ({"max_body_bytes": 100 * 1024 * 1024}, "less than or equal to 1048576"),
    ({"max_body_bytes": 10}, "greater than or equal to 1024"),
    ({"public_base_url": "decision-aid.example.org"}, "DECISION_AID_PUBLIC_BASE_URL"),
    ({"rules_dir": Path("/nonexistent-rules")}, "DECISION_AID_RULES_DIR points to '/nonexistent-rules'"),
])
def test_unsafe_settings_are_refused(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**values)  # type: ignore[arg-type]
    assert message in str(raised.value)


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECISION_AID_API_KEY", KEY)
    monkeypatch.setenv("DECISION_AID_LOG_LEVEL", "warning")
    settings = Settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == KEY
    assert settings.log_level == "WARNING"


def test_an_unsafe_environment_stops_start_up_with_the_key_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECISION_AID_API_KEY", "letmein")
    with pytest.raises(ValidationError, match="DECISION_AID_API_KEY is 7 characters long"):
        create_app()
