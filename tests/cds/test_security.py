"""JWT client authentication, with keys made at test time and real signed tokens."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey
from pydantic import ValidationError

from api.main import create_app
from api.settings import Settings
from cds.cds_support import ISSUER, PUBLIC, SERVICE_URL, Auth, TokenFactory, hook_body

EMPTY = {"resourceType": "Bundle", "type": "searchset"}
PREFETCH = {"patient": None, "conditions": EMPTY, "tumor_markers": EMPTY, "medication_requests": EMPTY}


def call(client: TestClient, token: str | None, path: str = SERVICE_URL) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(path, json=hook_body(PREFETCH, "p-1"), headers=headers)


def refused(response: Any, says: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == "login"
    assert says in outcome["issue"][0]["details"]["text"]


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_valid_token_is_accepted(client: TestClient, make_token: TokenFactory) -> None:
    assert call(client, make_token()).status_code == 200


def test_discovery_needs_a_token_for_its_own_url(client: TestClient, auth: Auth) -> None:
    assert client.get("/cds-services", headers=auth("/cds-services")).status_code == 200
    refused(client.get("/cds-services"), "No Authorization header")
    refused(client.get("/cds-services", headers=auth(SERVICE_URL)), "aud")


def test_no_token_is_refused(client: TestClient) -> None:
    refused(call(client, None), "No Authorization header")


def test_a_token_in_another_scheme_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    response = client.post(SERVICE_URL, json=hook_body(PREFETCH, "p-1"),
                           headers={"Authorization": f"Basic {make_token()}"})
    refused(response, "Bearer <JWT>")


def test_garbage_is_refused(client: TestClient) -> None:
    refused(call(client, "not.a.jwt"), "not a compact JWS")


def test_alg_none_is_refused(client: TestClient) -> None:
    now = int(time.time())
    unsigned = _b64({"alg": "none", "typ": "JWT", "kid": "ehr-es384-1"}) + "." + _b64(
        {"iss": ISSUER, "aud": f"{PUBLIC}{SERVICE_URL}", "iat": now, "exp": now + 300, "jti": "n-1"}) + "."
    refused(call(client, unsigned), "unsigned (alg 'none')")


def test_hs256_is_refused_even_when_keyed_with_the_public_key(client: TestClient, make_token: TokenFactory,
                                                              signing_key: ECKey) -> None:
    # The classic confusion attack: an HMAC keyed with the server's own public key material.
    public = json.dumps(signing_key.as_dict(private=False)).encode()
    token = make_token(header={"alg": "HS256"}, key=OctKey.import_key(public), algorithms=["HS256"])
    refused(call(client, token), "symmetric (HMAC)")


def test_an_unlisted_asymmetric_alg_is_refused() -> None:
    with pytest.raises(ValidationError, match="never none or HS"):
        Settings(cds_jwt_algorithms=["ES384", "HS256"])


def test_wrong_audience_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    refused(call(client, make_token(aud="https://cds.example.org/cds-services/other")), "aud")
    refused(call(client, make_token(aud=f"http://testserver{SERVICE_URL}")), "must be this endpoint's URL")
    refused(call(client, make_token(aud=None)), "aud is missing")


def test_audience_may_be_a_list_holding_this_endpoint(client: TestClient, make_token: TokenFactory) -> None:
    token = make_token(aud=["https://other.example.org", f"{PUBLIC}{SERVICE_URL}"])
    assert call(client, token).status_code == 200


def test_an_expired_token_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    now = int(time.time())
    refused(call(client, make_token(iat=now - 600, exp=now - 120)), "expired")


def test_small_clock_skew_is_tolerated(client: TestClient, make_token: TokenFactory) -> None:
    now = int(time.time())
    assert call(client, make_token(iat=now + 10, exp=now - 10 + 300)).status_code == 200
    assert call(client, make_token(iat=now - 300, exp=now - 10)).status_code == 200


def test_a_token_from_the_future_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    now = int(time.time())
    refused(call(client, make_token(iat=now + 600, exp=now + 900)), "iat is in the future")


def test_a_long_lived_token_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    now = int(time.time())
    refused(call(client, make_token(iat=now, exp=now + 7 * 24 * 3600)), "at most 3600")


def test_missing_claims_are_refused(client: TestClient, make_token: TokenFactory) -> None:
    refused(call(client, make_token(exp=None)), "exp")
    refused(call(client, make_token(iat=None)), "iat")
    refused(call(client, make_token(jti=None)), "jti")
    refused(call(client, make_token(iss=None)), "no iss")


def test_a_replayed_jti_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    token = make_token()
    assert call(client, token).status_code == 200
    refused(call(client, token), "used before")
    refused(call(client, make_token(jti=json.loads(base64.urlsafe_b64decode(
        token.split(".")[1] + "==").decode())["jti"])), "used before")


def test_an_unknown_kid_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    other = ECKey.generate_key("P-384", parameters={"kid": "unknown-kid"}, private=True)
    refused(call(client, make_token(key=other, header={"kid": "unknown-kid"})), "no key with kid 'unknown-kid'")


def test_a_missing_kid_is_refused(client: TestClient, make_token: TokenFactory, signing_key: ECKey) -> None:
    now = int(time.time())
    token = jwt.encode({"alg": "ES384", "typ": "JWT"}, {"iss": ISSUER, "aud": f"{PUBLIC}{SERVICE_URL}", "iat": now,
                                                          "exp": now + 300, "jti": "k-0"}, signing_key,
                       algorithms=["ES384"])
    refused(call(client, token), "no kid")


def test_an_unknown_issuer_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    refused(call(client, make_token(iss="https://attacker.example.com")), "not a trusted CDS client")


def test_a_tampered_signature_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    header, payload, signature = make_token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["iss"] = ISSUER
    claims["tenant"] = "another-hospital"
    tampered = f"{header}.{_b64(claims)}.{signature}"
    refused(call(client, tampered), "signature does not verify")
    flipped = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
    refused(call(client, f"{header}.{payload}.{flipped}"), "signature does not verify")


def test_a_key_from_another_signer_with_a_trusted_kid_is_refused(client: TestClient,
                                                                 make_token: TokenFactory) -> None:
    impostor = ECKey.generate_key("P-384", parameters={"kid": "ehr-es384-1"}, private=True)
    refused(call(client, make_token(key=impostor)), "signature does not verify")


def test_jku_is_never_fetched(client: TestClient, make_token: TokenFactory) -> None:
    # A jku pointing at an attacker's key set changes nothing: keys come from configuration only.
    impostor = ECKey.generate_key("P-384", parameters={"kid": "attacker-key"}, private=True)
    token = make_token(key=impostor, header={"kid": "attacker-key", "jku": "https://attacker.example.com/jwks"})
    refused(call(client, token), "no key with kid 'attacker-key'")


def test_a_wrong_typ_is_refused(client: TestClient, make_token: TokenFactory) -> None:
    refused(call(client, make_token(header={"typ": "at+jwt"})), "typ")


def test_rsa_clients_are_accepted(secure_settings: Settings) -> None:
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"}, private=True)
    settings = secure_settings.model_copy(update={"cds_trusted_issuers": {
        "https://rsa-ehr.example.org": {"keys": [rsa.as_dict(private=False)]}}})
    now = int(time.time())
    token = jwt.encode({"alg": "RS384", "typ": "JWT", "kid": "rsa-1"},
                       {"iss": "https://rsa-ehr.example.org", "aud": f"{PUBLIC}{SERVICE_URL}", "iat": now,
                        "exp": now + 300, "jti": "rsa-jti-1"}, rsa, algorithms=["RS384"])
    with TestClient(create_app(settings)) as rsa_client:
        assert call(rsa_client, token).status_code == 200


@pytest.mark.parametrize("jwks, says", [
    ({"keys": []}, "not a JWK Set"),
    ({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": "s"}]}, "only EC, RSA and OKP"),
    ({"keys": [{**ECKey.generate_key("P-256", private=True).as_dict(private=True), "kid": "p"}]}, "private key"),
    ({"keys": [{k: v for k, v in ECKey.generate_key("P-256").as_dict(private=False).items() if k != "kid"}]},
     "without a kid"),
])
def test_unsafe_trusted_keys_are_refused_at_start(jwks: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Settings(cds_trusted_issuers={ISSUER: jwks})


def test_verification_is_on_by_default() -> None:
    assert Settings().cds_verify_jwt is True
    with TestClient(create_app(Settings())) as default:
        refused(call(default, None), "No Authorization header")


def test_verification_can_be_turned_off_for_local_use_and_says_so_loudly(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DECISION_AID_CDS_VERIFY_JWT", "false")
    settings = Settings()
    assert settings.cds_verify_jwt is False
    capsys.readouterr()
    app = create_app(settings)
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert any(entry["level"] == "warning" and "VERIFICATION IS OFF" in entry["msg"] for entry in logged), logged
    with TestClient(app) as local:
        assert call(local, None).status_code == 200
