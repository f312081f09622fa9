"""JWK Set URLs (jku): an allowlisted one is fetched with a short timeout and cached by kid, so an EHR
can rotate its keys without a redeploy; any other jku is never fetched. Checked against a real JWKS
server on a loopback port, whose every request is recorded."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey

from api.main import create_app
from api.settings import Settings
from cds.cds_support import ISSUER, PUBLIC, SERVICE_URL, TokenFactory, hook_body

EMPTY = {"resourceType": "Bundle", "type": "searchset"}
PREFETCH = {"patient": None, "conditions": EMPTY, "tumor_markers": EMPTY, "medication_requests": EMPTY}
ROTATING = "https://rotating-ehr.example.org"


@dataclass
class JwksServer:
    url: str
    sets: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    delay: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[JwksServer]:
    state = JwksServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            state.requests.append(self.path)
            time.sleep(state.delay.get(self.path, 0))
            body = json.dumps(state.sets.get(self.path, {})).encode()
            self.send_response(200 if self.path in state.sets else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def server(jwks_server: JwksServer) -> JwksServer:
    jwks_server.sets.clear()
    jwks_server.requests.clear()
    jwks_server.delay.clear()
    return jwks_server


def key(kid: str) -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": kid}, private=True)


def public_set(*keys: ECKey) -> dict[str, Any]:
    return {"keys": [k.as_dict(private=False) for k in keys]}


def app_for(server: JwksServer, secure_settings: Settings, **changes: Any) -> TestClient:
    settings = secure_settings.model_copy(update={
        "cds_issuer_jku": {ROTATING: [f"{server.url}/jwks.json", f"{server.url}/slow.json"]},
        "cds_jku_min_refresh_seconds": 0.0, "cds_jku_timeout_seconds": 0.5, **changes})
    return TestClient(create_app(settings))


def call(client: TestClient, token: str) -> Any:
    return client.post(SERVICE_URL, json=hook_body(PREFETCH, "p-1"), headers={"Authorization": f"Bearer {token}"})


def token(make_token: TokenFactory, signer: ECKey, jku: str | None, iss: str = ROTATING) -> str:
    header: dict[str, Any] = {"kid": signer.kid}
    if jku is not None:
        header["jku"] = jku
    return make_token(key=signer, header=header, iss=iss)


def refused(response: Any, says: str) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["resourceType"] == "OperationOutcome"
    assert says in response.json()["issue"][0]["details"]["text"], response.json()


def test_an_allowlisted_jku_is_fetched_once_and_cached_by_kid(server: JwksServer, secure_settings: Settings,
                                                              make_token: TokenFactory) -> None:
    first = key("rot-1")
    server.sets["/jwks.json"] = public_set(first)
    with app_for(server, secure_settings) as client:
        assert call(client, token(make_token, first, f"{server.url}/jwks.json")).status_code == 200
        assert call(client, token(make_token, first, f"{server.url}/jwks.json")).status_code == 200
    assert server.requests == ["/jwks.json"], "fetched once, then the cached key is used"


def test_a_new_kid_fetches_the_set_again_so_keys_rotate_without_a_redeploy(
        server: JwksServer, secure_settings: Settings, make_token: TokenFactory) -> None:
    old, new = key("rot-1"), key("rot-2")
    jku = f"{server.url}/jwks.json"
    server.sets["/jwks.json"] = public_set(old)
    with app_for(server, secure_settings) as client:
        assert call(client, token(make_token, old, jku)).status_code == 200
        server.sets["/jwks.json"] = public_set(new)  # the EHR rotates its key
        assert call(client, token(make_token, new, jku)).status_code == 200
        refused(call(client, token(make_token, old, jku)), "no key with kid 'rot-1'")
    assert server.requests == ["/jwks.json"] * 3, "a kid not held fetches again; a withdrawn key is gone"


def test_unknown_kids_do_not_flood_the_ehr(server: JwksServer, secure_settings: Settings,
                                           make_token: TokenFactory) -> None:
    server.sets["/jwks.json"] = public_set(key("rot-1"))
    jku = f"{server.url}/jwks.json"
    with app_for(server, secure_settings, cds_jku_min_refresh_seconds=60.0) as client:
        for n in range(5):
            refused(call(client, token(make_token, key(f"made-up-{n}"), jku)), "no key with kid")
    assert server.requests == ["/jwks.json"], "at most one fetch per URL per cds_jku_min_refresh_seconds"


def test_without_a_jku_the_issuers_listed_set_is_used(server: JwksServer, secure_settings: Settings,
                                                      make_token: TokenFactory) -> None:
    signer = key("rot-3")
    server.sets["/jwks.json"] = public_set(signer)
    with app_for(server, secure_settings) as client:
        assert call(client, token(make_token, signer, None)).status_code == 200
    assert server.requests == ["/jwks.json"]


@pytest.mark.parametrize("path", ["/other.json", "/jwks.json?x=1", "/JWKS.json"])
def test_a_jku_not_on_the_allowlist_is_never_fetched(server: JwksServer, secure_settings: Settings,
                                                     make_token: TokenFactory, path: str) -> None:
    attacker = key("attacker-1")
    server.sets["/other.json"] = public_set(attacker)
    with app_for(server, secure_settings) as client:
        refused(call(client, token(make_token, attacker, f"{server.url}{path}")), "is not on this service's allowlist")
        refused(call(client, token(make_token, attacker, "https://attacker.example.com/jwks", iss=ISSUER)),
                "so it was not fetched")
    assert server.requests == [], "nothing was asked of any server"


def test_another_issuers_allowlisted_jku_is_not_used(server: JwksServer, secure_settings: Settings,
                                                     make_token: TokenFactory) -> None:
    signer = key("rot-4")
    server.sets["/jwks.json"] = public_set(signer)
    with app_for(server, secure_settings) as client:
        refused(call(client, token(make_token, signer, f"{server.url}/jwks.json", iss=ISSUER)), "allowlist")
    assert server.requests == []


def test_a_slow_jwks_server_is_cut_off_by_the_timeout(server: JwksServer, secure_settings: Settings,
                                                      make_token: TokenFactory) -> None:
    signer = key("rot-5")
    server.sets["/slow.json"] = public_set(signer)
    server.delay["/slow.json"] = 3.0
    with app_for(server, secure_settings) as client:
        started = time.monotonic()
        refused(call(client, token(make_token, signer, f"{server.url}/slow.json")), "could not be fetched (timed out)")
        assert time.monotonic() - started < 2.5


def test_a_set_with_private_keys_is_refused(server: JwksServer, secure_settings: Settings,
                                            make_token: TokenFactory) -> None:
    signer = key("rot-6")
    server.sets["/jwks.json"] = {"keys": [signer.as_dict(private=True)]}
    with app_for(server, secure_settings) as client:
        refused(call(client, token(make_token, signer, f"{server.url}/jwks.json")), "private key material")


def test_a_token_without_typ_is_refused(client: TestClient, make_token: TokenFactory, signing_key: ECKey) -> None:
    from joserfc import jws

    now = int(time.time())
    claims = {"iss": ISSUER, "aud": f"{PUBLIC}{SERVICE_URL}", "iat": now, "exp": now + 300, "jti": "no-typ-1"}
    untyped = jws.serialize_compact({"alg": "ES384", "kid": "ehr-es384-1"}, json.dumps(claims), signing_key,
                                    algorithms=["ES384"])
    assert "typ" not in jws.extract_compact(untyped.encode()).protected
    refused(call(client, untyped), "The JWT header has no typ; it must be 'JWT'.")
    assert call(client, make_token(header={"typ": "jwt"})).status_code == 200, "the value is case-insensitive"


def test_jku_urls_must_be_https_or_local() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="DECISION_AID_CDS_ISSUER_JKU"):
        Settings(cds_issuer_jku={ROTATING: ["http://ehr.example.org/jwks.json"]})
