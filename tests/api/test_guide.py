from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

CONTRACT_SAMPLE: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "contract_sample.json").read_text())


def test_contract_sample_profile(client: TestClient) -> None:
    response = client.post("/v1/guide", json=CONTRACT_SAMPLE)
    assert response.status_code == 200, response.text
    guide = response.json()
    assert list(guide)[:5] == ["disclaimer", "audience", "knowledge_base", "urgent", "points"]
    assert {"understood", "notices", "top_questions", "visit", "safety_line"} <= set(guide)
    assert guide["notices"] == [], "the sample lists cancer medicines only"
    assert guide["disclaimer"]
    assert guide["knowledge_base"]["version"]
    assert guide["points"]
    for point in guide["points"]:
        assert set(point) == {"id", "topic", "kind", "personal", "title", "text", "why", "questions", "sources"}
        assert point["sources"] and all(set(s) == {"id", "label", "url", "citation"} for s in point["sources"])
    assert guide["visit"] == "treatment_decision"  # the cancer grew on the latest treatment
    assert "Palbociclib (Ibrance) for metastatic cancer: the cancer grew during it" in guide["understood"]
    assert 3 <= len(guide["top_questions"]) <= 8
    assert guide["questions"][: len(guide["top_questions"])] == [q["text"] for q in guide["top_questions"]]


def test_empty_profile(client: TestClient) -> None:
    response = client.post("/v1/guide", json={})
    assert response.status_code == 200, response.text
    assert response.json()["urgent"] == []


def test_empty_body_is_an_empty_profile(client: TestClient) -> None:
    response = client.post("/v1/guide", content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 200, response.text


def test_red_flag_comes_first(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"sites": ["bone"], "symptoms": ["back_pain", "leg_weakness_or_numbness"]})
    assert response.status_code == 200, response.text
    urgent = response.json()["urgent"]
    assert urgent
    assert "spinal cord" in (urgent[0]["title"] + urgent[0]["text"]).lower()


def test_unknown_receptor_value_gets_the_whole_contract_error(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"receptors": {"her2": "postive"}})
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{
        "type": "unknown_value",
        "loc": ["body", "receptors", "her2"],
        "msg": "receptors.her2: 'postive' is not an accepted value. Accepted values: positive, low, ultralow, "
               "negative, unknown. Did you mean 'positive'?",
        "input": "postive",
        "ctx": {"accepted": ["positive", "low", "ultralow", "negative", "unknown"], "did_you_mean": ["positive"]},
    }]}


def test_unknown_field_gets_a_suggestion(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"receptor": {"er": "positive"}})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["type"] == "unknown_field"
    assert error["loc"] == ["body", "receptor"]
    assert error["msg"].startswith("Unknown field 'receptor'. Accepted fields: audience, sex,")
    assert error["msg"].endswith("Did you mean 'receptors'?")
    assert error["ctx"]["did_you_mean"] == ["receptors"]


def test_unknown_nested_field(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"biomarkers": {"pik3": "mutated"}})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["msg"] == ("Unknown field 'pik3' in biomarkers. Accepted fields: pik3ca, esr1, akt_pathway, gbrca, "
                            "pdl1. Did you mean 'pik3ca'?")


def test_unknown_drug_names_field_value_and_suggestion(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"treatments": [{"drug": "Ibranse"}]})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "treatments", 0, "drug"]
    assert error["msg"].startswith("treatments[0].drug: 'Ibranse' is not a known drug name, brand name or class.")
    assert "Did you mean 'Ibrance'" in error["msg"]
    assert "Ibrance" in error["ctx"]["did_you_mean"]
    assert "letrozole" in error["ctx"]["accepted"] and "Femara" in error["ctx"]["accepted"]


def test_unknown_list_value(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"symptoms": ["back pain"]})
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["ctx"]["did_you_mean"] == ["back_pain"]


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"{not json", 422), (b"[]", 422), (b'"text"', 422), (b"null", 422), (b'{"sites": "bone"}', 422),
     (b'{"treatments": [{"drug": 5}]}', 422),
     (b'{"treatments": [{"drug": "letrozole", "months_since_end": 1.5}]}', 422),
     (b"\xff\xfe", 422), (b'{"sites": ["bone\\u0000"]}', 422)],
)
def test_bad_bodies_get_a_readable_4xx(client: TestClient, body: bytes, status: int) -> None:
    response = client.post("/v1/guide", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    assert all(isinstance(e["msg"], str) and e["msg"] for e in detail)
    assert "Traceback" not in response.text


def test_oversized_body_gets_413(client: TestClient) -> None:
    response = client.post("/v1/guide", content=b'{"sites": [' + b'"bone",' * 12000 + b'"bone"]}',
                           headers={"content-type": "application/json"})
    assert response.status_code == 413, response.text
    assert "64 KiB" in response.json()["detail"]


def test_wrong_content_type_gets_415(client: TestClient) -> None:
    response = client.post("/v1/guide", content=b"{}", headers={"content-type": "text/plain"})
    assert response.status_code == 415, response.text


def test_openapi_has_a_worked_example(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/v1/guide"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/Profile"}
    example = next(iter(body["examples"].values()))["value"]
    assert example == CONTRACT_SAMPLE
    assert client.post("/v1/guide", json=example).status_code == 200


def test_openapi_documents_the_422_and_the_new_fields(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "422" in schema["paths"]["/v1/guide"]["post"]["responses"]
    profile = schema["components"]["schemas"]["Profile"]["properties"]
    assert "visit" in profile and "description" in profile["visit"]
    guide = schema["components"]["schemas"]["Guide"]["properties"]
    assert {"understood", "notices", "top_questions", "visit", "safety_line"} <= set(guide)
