"""Everything a caller can send has a bound, and going past it gets a readable 4xx in the contract's
shape, ``{"detail": ...}``: never a 500, never a stack trace, and the service keeps answering."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE

from api.error_bounds import MAX_ERRORS
from api.main import create_app
from api.settings import Settings
from decision_aid.profile import MAX_DRUG_NAME, MAX_LIST, MAX_TREATMENTS

JSON = {"content-type": "application/json"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _refused(response: Any, status: int) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["detail"], body
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body["detail"]


def _only_error(response: Any) -> dict[str, Any]:
    detail = _refused(response, 422)
    assert isinstance(detail, list) and detail, detail
    error: dict[str, Any] = detail[0]
    assert {"type", "loc", "msg", "input"} <= set(error)
    return error


@pytest.fixture(autouse=True)
def still_serving(client: TestClient) -> Iterator[None]:
    yield
    after = client.post("/v1/guide", json=SAMPLE_PROFILE)
    assert after.status_code == 200, after.text


# --- size -----------------------------------------------------------------------------------------

def test_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"concerns": [' + b'"side_effects",' * 5000 + b'"prognosis"]}'
    detail = _refused(client.post("/v1/guide", content=body, headers=JSON), 413)
    assert detail == "The request body is larger than 64 KiB."


def test_body_over_the_limit_without_a_length_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"concerns": ['
        for _ in range(5000):
            yield b'"side_effects",'
        yield b'"prognosis"]}'

    _refused(client.post("/v1/guide", content=chunks(), headers=JSON), 413)


@pytest.mark.parametrize(("field", "item"), [("sites", "bone"), ("symptoms", "fatigue"), ("concerns", "prognosis")])
def test_lists_have_a_length_limit(client: TestClient, field: str, item: str) -> None:
    error = _only_error(client.post("/v1/guide", json={field: [item] * (MAX_LIST + 1)}))
    assert error["type"] == "too_long"
    assert error["loc"] == ["body", field]
    assert str(MAX_LIST) in error["msg"]


def test_treatments_have_a_length_limit(client: TestClient) -> None:
    error = _only_error(client.post("/v1/guide", json={"treatments": [{"drug": "letrozole"}] * (MAX_TREATMENTS + 1)}))
    assert (error["type"], error["loc"]) == ("too_long", ["body", "treatments"])


def test_drug_names_have_a_length_limit(client: TestClient) -> None:
    error = _only_error(client.post("/v1/guide", json={"treatments": [{"drug": "x" * (MAX_DRUG_NAME + 1)}]}))
    assert error["type"] == "string_too_long"
    assert error["loc"] == ["body", "treatments", 0, "drug"]
    assert error["msg"].startswith(f"treatments[0].drug: the name is {MAX_DRUG_NAME + 1} characters long; at most "
                                   f"{MAX_DRUG_NAME} are accepted. Send a generic name, a brand name or a class")
    assert len(error["input"]) <= 201, "the echoed input is cut short"


def test_a_long_unknown_key_is_refused_and_not_echoed_whole(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"k" * 20_000: 1})
    error = _only_error(response)
    assert error["type"] == "unknown_field"
    assert len(response.content) < 45_000


def test_many_mistakes_give_a_bounded_answer(client: TestClient) -> None:
    """Each unknown drug's error lists every accepted name: unbounded, 3 KiB in gave 230 KiB out."""
    profile = {"treatments": [{"drug": "x", "setting": "y", "outcome": "z", "extra": 1}] * MAX_TREATMENTS}
    response = client.post("/v1/guide", json=profile)
    detail = _refused(response, 422)
    assert len(detail) == MAX_ERRORS + 1
    assert detail[-1] == {"type": "too_many_errors", "loc": ["body"], "input": None,
                          "ctx": {"not_listed": 4 * MAX_TREATMENTS - MAX_ERRORS},
                          "msg": f"body: {4 * MAX_TREATMENTS - MAX_ERRORS} more problems were found and not "
                                 "listed; fix these first."}
    assert len(response.content) < 64 * 1024


# --- JSON shape -----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [250, 20_000])
def test_deep_nesting_is_refused_with_the_limit(client: TestClient, depth: int) -> None:
    body = b'{"sites": ' + b"[" * depth + b"]" * depth + b"}"
    error = _only_error(client.post("/v1/guide", content=body, headers=JSON))
    assert error == {"type": "json_too_deep", "loc": ["body"], "input": None, "ctx": error.get("ctx"),
                     "msg": "body: the JSON is nested more than 200 levels deep. A profile is an object whose "
                            "treatments are a list of objects: four levels at most."}


def test_moderate_nesting_under_a_known_key_is_a_plain_422(client: TestClient) -> None:
    error = _only_error(client.post("/v1/guide", json={"sites": [[[["bone"]]]]}))
    assert error["loc"][:2] == ["body", "sites"]


@pytest.mark.parametrize(("body", "kind"), [
    (b'{"sites": [', "json_invalid"),
    (b'{"sites": ["bone",]}', "json_invalid"),
    (b"{'sites': ['bone']}", "json_invalid"),
    (b"", None),  # an empty body is the empty profile
    (b"null", "model_type"),
    (b"[]", "model_type"),
    (b'"a profile"', "model_type"),
    (b"42", "model_type"),
])
def test_malformed_or_wrong_json(client: TestClient, body: bytes, kind: str | None) -> None:
    response = client.post("/v1/guide", content=body, headers=JSON)
    if kind is None:
        assert response.status_code == 200, response.text
        return
    error = _only_error(response)
    assert error["type"] == kind
    assert error["loc"] == ["body"]
    assert error["msg"].startswith("body: ")


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"1.5", b"-1",
                                    b"99999999999999999999"])
def test_odd_numbers_are_422_not_500(client: TestClient, number: bytes) -> None:
    body = b'{"treatments": [{"drug": "letrozole", "months_since_end": ' + number + b"}]}"
    error = _only_error(client.post("/v1/guide", content=body, headers=JSON))
    assert error["loc"][:2] == ["body", "treatments"]


# --- odd Unicode ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "kind"), [
    (b'{"sites": ["\xff\xfe"]}', "json_invalid"),              # not UTF-8
    (b'{"sites": ["bon\xc3"]}', "json_invalid"),               # cut in the middle of a character
    (b'{"sites": ["\xc0\xaf"]}', "json_invalid"),              # overlong encoding of "/"
    (b'{"treatments": [{"drug": "\\ud800"}]}', "json_invalid"),  # lone surrogate
    (b"\xef\xbb\xbf{}", "json_invalid"),                      # byte-order mark
    (b"\xff\xfe{\x00}\x00", "json_invalid"),                  # UTF-16
])
def test_bytes_that_are_not_utf8_json(client: TestClient, raw: bytes, kind: str) -> None:
    error = _only_error(client.post("/v1/guide", content=raw, headers=JSON))
    assert error["type"] == kind
    json.dumps(error)  # whatever was echoed is valid to send back


@pytest.mark.parametrize("name", [
    "letro\u0000zole",      # NUL
    "letro\u202ezole",      # right-to-left override
    "letro\u200bzole",      # zero-width space
    "letrozole\u0301",      # combining accent
    "\U0001f48a",            # an emoji
    "ｌｅｔｒｏｚｏｌｅ",   # full-width letters
    "\u0000" * 20,
])
def test_odd_characters_in_a_drug_name_are_an_unknown_drug(client: TestClient, name: str) -> None:
    error = _only_error(client.post("/v1/guide", json={"treatments": [{"drug": name}]}))
    assert error["type"] == "unknown_value"
    assert error["loc"] == ["body", "treatments", 0, "drug"]
    assert "\u202e" not in error["msg"] and "\u0000" not in error["msg"], "the message quotes it escaped"


def test_odd_characters_in_a_value_are_an_unknown_value(client: TestClient) -> None:
    error = _only_error(client.post("/v1/guide", json={"sites": ["bo\u200bne"]}))
    assert error["type"] == "unknown_value"
    assert error["ctx"]["did_you_mean"] == ["bone"]


# --- content type and method ----------------------------------------------------------------------

@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml",
    "text/html", "application/octet-stream",
])
def test_a_body_that_is_not_json_is_415(client: TestClient, content_type: str) -> None:
    detail = _refused(client.post("/v1/guide", content=b"{}", headers={"content-type": content_type}), 415)
    assert detail.startswith("Send the profile as JSON (Content-Type: application/json), not ")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "application/fhir+json",
                                          "APPLICATION/JSON"])
def test_json_content_types_are_accepted(client: TestClient, content_type: str) -> None:
    response = client.post("/v1/guide", content=b"{}", headers={"content-type": content_type})
    assert response.status_code == 200, response.text


def test_wrong_method_and_unknown_path(client: TestClient) -> None:
    assert _refused(client.get("/v1/guide"), 405) == "Method Not Allowed"
    assert _refused(client.put("/v1/guide", json={}), 405) == "Method Not Allowed"
    assert _refused(client.get("/v1/nothing-here"), 404) == "Not Found"


def test_a_long_rule_id_is_404_and_cut_short(client: TestClient) -> None:
    detail = _refused(client.get("/v1/knowledge-base/rules/" + "x" * 5000), 404)
    assert len(detail) < 200
