"""Fixtures for the CDS Hooks tests: keys made at test time, signed tokens, the real app."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey

from api.main import create_app
from api.settings import Settings
from cds.cds_support import ISSUER, PUBLIC, SERVICE_URL, Auth, TokenFactory


@pytest.fixture(scope="session")
def signing_key() -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": "ehr-es384-1"}, private=True)


@pytest.fixture(scope="session")
def secure_settings(signing_key: ECKey) -> Settings:
    return Settings(public_base_url=PUBLIC, cds_verify_jwt=True,
                    cds_trusted_issuers={ISSUER: {"keys": [signing_key.as_dict(private=False)]}})


@pytest.fixture(scope="session")
def make_token(signing_key: ECKey) -> TokenFactory:
    """A signed token for ``path`` on the public URL; keyword arguments override header or claims."""

    def make(path: str = SERVICE_URL, *, key: Any = None, header: dict[str, Any] | None = None,
             algorithms: list[str] | None = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": f"{PUBLIC}{path}", "iat": now, "exp": now + 300,
                   "jti": str(uuid.uuid4()), **claims}
        payload = {k: v for k, v in payload.items() if v is not None}
        protected = {"alg": "ES384", "typ": "JWT", "kid": "ehr-es384-1", **(header or {})}
        return jwt.encode(protected, payload, key or signing_key, algorithms=algorithms or [protected["alg"]])

    return make


@pytest.fixture(scope="module")
def client(secure_settings: Settings) -> Iterator[TestClient]:
    """The real app with JWT verification on, as in production."""
    with TestClient(create_app(secure_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def auth(make_token: TokenFactory) -> Auth:
    def headers(path: str = SERVICE_URL, **claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(path, **claims)}"}

    return headers
