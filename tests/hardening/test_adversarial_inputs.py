"""Regressions from an adversarial pass: each bad input gets a 4xx in the contract's shape whose
message names the field, the value as it was sent and what is accepted (with a "did you mean" where
one is close), the patient page never answers 500, and HTTP details (HEAD, compressed bodies, CORS
refusals) are answered like the rest of the service. Real HTTP through the app, and a real server."""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE, Server, running_server

from api.main import create_app
from api.settings import Settings
from decision_aid import page_text
from decision_aid.profile import MAX_MONTHS

JSON = {"content-type": "application/json"}
SITES = "bone, liver, lung, pleura, brain, leptomeninges, lymph_nodes, skin, chest_wall, other"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("adversarial")) as running:
        yield running


@pytest.fixture(autouse=True)
def still_serving(client: TestClient) -> Iterator[None]:
    yield
    assert client.post("/v1/guide", json=SAMPLE_PROFILE).status_code == 200


def _error(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert list(response.json()) == ["detail"]
    assert "Traceback" not in response.text
    error: dict[str, Any] = response.json()["detail"][0]
    return error


# --- explicit null for a field that has a default -----------------------------------------------

@pytest.mark.parametrize(("profile", "loc", "expected"), [
    ({"audience": None}, ["audience"],
     "audience: null is not an accepted value. Accepted values: patient, clinician. "
     "Leave the field out for the default, 'patient'."),
    ({"receptors": {"er": None}}, ["receptors", "er"],
     "receptors.er: null is not an accepted value. Accepted values: positive, negative, unknown. "
     "Leave the field out for the default, 'unknown'."),
    ({"treatments": [{"drug": "letrozole", "setting": None}]}, ["treatments", 0, "setting"],
     "treatments[0].setting: null is not an accepted value. Accepted values: early, metastatic. "
     "Leave the field out for the default, 'metastatic'."),
    ({"sites": None}, ["sites"],
     f"sites: null is not a list. Send a list of values, such as [\"bone\"], or leave the field out. "
     f"Accepted values: {SITES}."),
    ({"receptors": None}, ["receptors"],
     'receptors: null is not an object. Send an object such as {"er": "positive", "pr": "positive", '
     '"her2": "negative"}, or leave the field out. Accepted fields: er, pr, her2.'),
])
def test_an_explicit_null_is_named_as_null_with_what_to_send(client: TestClient, profile: dict[str, Any],
                                                             loc: list[Any], expected: str) -> None:
    """Only ``months_since_end`` takes null; elsewhere the message says null (not Python's None) and how
    to get the default."""
    error = _error(client.post("/v1/guide", json=profile))
    assert error["loc"] == ["body", *loc]
    assert error["msg"] == expected
    assert error["input"] is None


def test_null_months_since_end_is_accepted(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"treatments": [{"drug": "letrozole", "months_since_end": None}]})
    assert response.status_code == 200, response.text


# --- values of the wrong type ---------------------------------------------------------------------

@pytest.mark.parametrize(("profile", "shown", "did_you_mean"), [
    ({"audience": True}, "audience: true is not an accepted value", []),
    ({"audience": ["patient"]}, 'audience: ["patient"] is not an accepted value', []),
    ({"sites": "bone"}, "sites: 'bone' is not a list.", ["bone"]),
    ({"sites": {"bone": True}}, 'sites: {"bone": true} is not a list.', []),
    ({"treatments": ["Ibrance"]}, "treatments[0]: 'Ibrance' is not a treatment.", [{"drug": "Ibrance"}]),
    ({"treatments": {"drug": "letrozole"}}, 'treatments: {"drug": "letrozole"} is not a list.', None),
    ({"biomarkers": "pik3ca"}, "biomarkers: 'pik3ca' is not an object.", []),
    ([], "body: [] is not a profile. Send a JSON object", None),
])
def test_a_value_of_the_wrong_type_is_shown_as_json(client: TestClient, profile: Any, shown: str,
                                                    did_you_mean: list[Any] | None) -> None:
    error = _error(client.post("/v1/guide", json=profile))
    assert error["msg"].startswith(shown), error["msg"]
    assert "Accepted " in error["msg"]
    if did_you_mean is not None:
        assert error["ctx"].get("did_you_mean", []) == did_you_mean
        if did_you_mean:
            assert "Did you mean" in error["msg"]


@pytest.mark.parametrize(("treatment", "start"), [
    ({"setting": "early"}, "treatments[0].drug: missing. Every treatment needs a drug: a generic name"),
    ({"drug": None}, "treatments[0].drug: null is not a name. Send the drug as text"),
    ({"drug": 5}, "treatments[0].drug: 5 is not a name. Send the drug as text"),
    ({"drug": "  "}, "treatments[0].drug: '  ' is empty. Name the drug"),
])
def test_a_missing_or_empty_drug_says_what_to_send(client: TestClient, treatment: dict[str, Any], start: str) -> None:
    error = _error(client.post("/v1/guide", json={"treatments": [treatment]}))
    assert error["loc"] == ["body", "treatments", 0, "drug"]
    assert error["msg"].startswith(start), error["msg"]
    assert "GET /v1/knowledge-base/drugs" in error["msg"]


@pytest.mark.parametrize(("number", "shown", "did_you_mean"), [
    (b"1.0", "1.0", [1]),
    (b"-0.0", "-0.0", [0]),
    (b'"6"', "'6'", [6]),
    (b"1.5", "1.5", []),
    (b"true", "true", []),
    (b"-1", "-1", []),
    (b"NaN", "NaN", []),
    (b"1e400", "Infinity", []),
])
def test_months_since_end_names_the_value_and_the_range(client: TestClient, number: bytes, shown: str,
                                                        did_you_mean: list[int]) -> None:
    body = b'{"treatments": [{"drug": "letrozole", "months_since_end": ' + number + b"}]}"
    error = _error(client.post("/v1/guide", content=body, headers=JSON))
    assert error["loc"] == ["body", "treatments", 0, "months_since_end"]
    assert error["msg"].startswith(f"treatments[0].months_since_end: {shown} is not accepted. Accepted values: a "
                                   f"whole number of months from 0 to {MAX_MONTHS}"), error["msg"]
    assert error["ctx"]["did_you_mean"] == did_you_mean
    json.dumps(error, allow_nan=False)  # whatever is echoed is valid JSON to send back


@pytest.mark.parametrize(("body", "problem"), [
    (b'{"sites": ["bone"],}', "Invalid JSON: trailing comma at line 1 column 20"),
    (b"{'sites': ['bone']}", "Invalid JSON: key must be a string at line 1 column 2"),
    (b'{"sites": [', "Invalid JSON: EOF while parsing a list at line 1 column 11"),
])
def test_invalid_json_says_what_to_send(client: TestClient, body: bytes, problem: str) -> None:
    error = _error(client.post("/v1/guide", content=body, headers=JSON))
    assert (error["type"], error["loc"]) == ("json_invalid", ["body"])
    assert error["msg"] == (f"body: {problem}. Send the profile as a JSON object in UTF-8, such as "
                            '{"sites": ["bone"]}; an empty object {} is the empty profile.')


# --- "did you mean" for other words and look-alike characters -------------------------------------

@pytest.mark.parametrize(("profile", "suggested"), [
    ({"treatments": [{"drug": "letrozole", "setting": "adjuvant"}]}, "early"),
    ({"treatments": [{"drug": "letrozole", "setting": "neo-adjuvant"}]}, "early"),
    ({"receptors": {"er": "pos"}}, "positive"),
    ({"receptors": {"her2": "3+"}}, "positive"),
    ({"menopausal_status": "postmenopausal"}, "post"),
    ({"biomarkers": {"pik3ca": "positive"}}, "mutated"),
    ({"biomarkers": {"esr1": "wild-type"}}, "not_detected"),
])
def test_other_common_words_get_a_did_you_mean(client: TestClient, profile: dict[str, Any], suggested: str) -> None:
    error = _error(client.post("/v1/guide", json=profile))
    assert error["type"] == "unknown_value"
    assert error["ctx"]["did_you_mean"] == [suggested]
    assert error["msg"].endswith(f"Did you mean {suggested!r}?")


@pytest.mark.parametrize("name", [
    "\uff4c\uff45\uff54\uff52\uff4f\uff5a\uff4f\uff4c\uff45",  # full-width letters
    "letro\u200bzole",                                       # zero-width space
    "\u202eletrozole",                                       # right-to-left override
    "l\u0435trozole",                                        # Cyrillic e
    "letrozole.",
    "letrozole 2.5mg",
])
def test_a_look_alike_drug_name_suggests_only_the_real_one(client: TestClient, name: str) -> None:
    error = _error(client.post("/v1/guide", json={"treatments": [{"drug": name}]}))
    assert error["type"] == "unknown_value", "look-alikes are refused, not silently read"
    assert error["ctx"]["did_you_mean"] == ["letrozole"]
    assert error["msg"].endswith("Did you mean 'letrozole'?")


@pytest.mark.parametrize("name", ["radiotherapy", "radiation", "surgery", "mastectomy"])
def test_radiotherapy_or_surgery_is_not_matched_to_a_medicine(client: TestClient, name: str) -> None:
    """Before: 'radiotherapy' got "Did you mean 'immunotherapy', 'chemotherapy'?"."""
    error = _error(client.post("/v1/guide", json={"treatments": [{"drug": name}]}))
    assert error["ctx"]["did_you_mean"] == []
    assert "Did you mean" not in error["msg"]
    assert error["msg"].endswith("Radiotherapy and surgery are not asked for here: list only the medicines.")


def test_a_near_miss_is_not_buried_among_distant_names(client: TestClient) -> None:
    error = _error(client.post("/v1/guide", json={"treatments": [{"drug": "palbociclib 125"}]}))
    assert error["ctx"]["did_you_mean"] == ["palbociclib"]


# --- HTTP: compressed bodies, HEAD, CORS refusals -------------------------------------------------

def test_a_compressed_body_is_415_not_a_json_error(client: TestClient) -> None:
    """Before: a gzip body got 422 "Invalid JSON" with the compressed bytes echoed back."""
    body = gzip.compress(json.dumps(SAMPLE_PROFILE).encode())
    response = client.post("/v1/guide", content=body, headers={**JSON, "content-encoding": "gzip"})
    assert response.status_code == 415
    assert response.json() == {"detail": "Send the profile uncompressed: Content-Encoding 'gzip' is not accepted "
                                         "(leave the header out, or send identity)."}
    assert response.headers["x-request-id"] and response.headers["content-security-policy"]
    identity = client.post("/v1/guide", json=SAMPLE_PROFILE, headers={"content-encoding": "identity"})
    assert identity.status_code == 200


def _raw(server: Server, request: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(request)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}, body


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/", "/v1/knowledge-base", "/v1/knowledge-base/drugs",
                                  "/v1/knowledge-base/rules/care-team", "/drug-names.json", "/static/page.css"])
def test_head_is_answered_like_get_on_a_real_server(server: Server, path: str) -> None:
    """Before: HEAD on every GET route but the docs got 405 (load balancers and uptime checks use HEAD)."""
    get_status, get_headers, get_body = _raw(server, f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                                             .encode())
    status, headers, body = _raw(server, f"HEAD {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    assert status == get_status == "HTTP/1.1 200 OK"
    assert body == b""
    assert headers["content-type"] == get_headers["content-type"]
    assert headers["content-length"] == get_headers["content-length"] == str(len(get_body))
    assert headers["x-request-id"] and headers["content-security-policy"]


def test_head_on_a_post_route_is_still_405(client: TestClient) -> None:
    response = client.head("/v1/guide")
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.content == b""


def test_a_refused_cors_preflight_is_json() -> None:
    """Before: 400 with the plain text "Disallowed CORS origin"."""
    settings = Settings(cors_origins=["https://portal.example"])
    with TestClient(create_app(settings)) as cors_client:
        refused = cors_client.options("/v1/guide", headers={"Origin": "https://elsewhere.example",
                                                             "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400
        assert refused.headers["content-type"] == "application/json"
        detail = refused.json()["detail"]
        assert detail.startswith("This cross-origin request is refused (origin not allowed).")
        assert "GET, POST" in detail and "portal.example" not in detail
        assert refused.headers["x-request-id"]
        allowed = cors_client.options("/v1/guide", headers={"Origin": "https://portal.example",
                                                             "Access-Control-Request-Method": "POST"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://portal.example"


# --- the patient page -----------------------------------------------------------------------------

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("months", ["\u00b2", "\u00b9\u00b2", "\u2167"])
def test_odd_digits_for_months_on_the_page_are_a_friendly_error(client: TestClient, months: str) -> None:
    """Before: a superscript two ("²".isdigit() is true, int("²") fails) gave a 500."""
    response = client.post("/", data={"treatment-0-drug": "letrozole", "treatment-0-months": months}, headers=FORM)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>Error:" in response.text
    assert page_text.text("bad_months") in response.text


def test_radiotherapy_on_the_page_is_not_matched_to_a_medicine(client: TestClient) -> None:
    response = client.post("/", data={"treatment-0-drug": "radiotherapy"}, headers=FORM)
    assert response.status_code == 200
    assert "We do not know the medicine radiotherapy." in response.text
    assert "immunotherapy or" not in response.text and "Did you mean" not in response.text


def test_the_page_suggests_only_the_close_drug_name(client: TestClient) -> None:
    response = client.post("/", data={"treatment-0-drug": "letrozole."}, headers=FORM)
    assert "Did you mean letrozole?" in response.text


def test_the_page_with_gzip_or_junk_is_never_a_500(client: TestClient) -> None:
    for body in (gzip.compress(b"sites=bone"), bytes(range(256)), b"sites=%zz&er=%"):
        response = client.post("/", content=body, headers={**FORM, "content-encoding": "gzip"})
        assert response.status_code < 500
        download = client.post("/my-questions.md", content=body, headers=FORM)
        assert download.status_code < 500


def test_a_real_server_answers_the_page_and_keeps_serving(server: Server) -> None:
    body = b"treatment-0-drug=letrozole&treatment-0-months=%C2%B2"
    status, headers, _ = _raw(server, b"POST / HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded"
                                      b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\nConnection: close"
                                      b"\r\n\r\n" + body)
    # The form goes by GET to /guide now; a POST (an older page) is sent on there.
    assert status == "HTTP/1.1 303 See Other"
    assert headers["location"].startswith("/guide?")
    status, headers, _ = _raw(server, b"GET /guide?" + body + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert status == "HTTP/1.1 200 OK"
    assert headers["content-type"].startswith("text/html")
    status, _, _ = _raw(server, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert status == "HTTP/1.1 200 OK"
