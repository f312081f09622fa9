"""CDS Hooks 2.0 conformance, checked through the real app (INTEROP.md §2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from cds.cds_support import MINIMAL_RULES, PUBLIC, SERVICE, SERVICE_URL, Auth, hook_body, load
from decision_aid.engine import build_guide
from decision_aid.profile import Profile
from decision_aid.vocabulary import Audience

_TOKEN = re.compile(r"\{\{([^}]*)\}\}")
_ALLOWED_TOKENS = {"context.patientId", "context.userId", "context.encounterId", "userPractitionerId",
                   "userPractitionerRoleId", "userPatientId", "userRelatedPersonId"}
_RESOURCE_TYPE = re.compile(r"^[A-Z][A-Za-z]+$")

EMPTY_BUNDLE = {"resourceType": "Bundle", "type": "searchset", "total": 0}
NULL_PREFETCH = {"patient": None, "conditions": EMPTY_BUNDLE, "tumor_markers": EMPTY_BUNDLE,
                 "medication_requests": EMPTY_BUNDLE}


def assert_conformant_card(card: dict[str, Any]) -> None:
    assert isinstance(card["summary"], str) and 0 < len(card["summary"]) < 140
    assert card["indicator"] in ("info", "warning", "critical")
    assert card["source"]["label"]
    assert card["source"]["url"].startswith("https://")
    topic = card["source"]["topic"]
    assert topic["code"] and topic["system"]
    assert "suggestions" not in card and "selectionBehavior" not in card
    assert "links" not in card or all(link["type"] == "absolute" for link in card["links"])
    assert isinstance(card["detail"], str) and card["detail"].strip()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", card["uuid"])


# --- discovery ----------------------------------------------------------------------------------

def test_discovery_lists_one_patient_view_service(client: TestClient, auth: Auth) -> None:
    response = client.get("/cds-services", headers=auth("/cds-services"))
    assert response.status_code == 200
    services = response.json()["services"]
    assert len(services) == 1
    service = services[0]
    assert service["hook"] == "patient-view"
    assert service["id"] == SERVICE
    assert service["title"] and service["description"] and service["usageRequirements"]
    for word in ("recommend", "dose", "rank"):
        assert word in service["description"]


def test_prefetch_templates_use_only_the_recommended_query_subset(client: TestClient, auth: Auth) -> None:
    prefetch = client.get("/cds-services", headers=auth("/cds-services")).json()["services"][0]["prefetch"]
    assert {"patient", "conditions", "tumor_markers", "genomic_variants", "medication_requests",
            "medication_statements", "medication_administrations"} <= set(prefetch)
    for key, template in prefetch.items():
        assert not template.startswith(("/", "http")), f"{key}: templates are relative"
        assert set(_TOKEN.findall(template)) <= _ALLOWED_TOKENS, key
        path, _, query = template.partition("?")
        if not query:
            resource_type, _, token = path.partition("/")
            assert _RESOURCE_TYPE.match(resource_type) and token == "{{context.patientId}}", f"{key}: instance read"
            continue
        assert _RESOURCE_TYPE.match(path), f"{key}: type-level search"
        for parameter in query.split("&"):
            name, _, value = parameter.partition("=")
            assert name in ("patient", "category", "code", "_count", "_sort"), f"{key}: {name}"
            assert ":" not in name, f"{key}: no search modifiers"
            assert "," not in value, f"{key}: token equality, one value"
        assert "patient={{context.patientId}}" in query


# --- the service --------------------------------------------------------------------------------

def test_a_valid_call_returns_conformant_cards_and_never_writes(client: TestClient, auth: Auth) -> None:
    body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1")
    response = client.post(SERVICE_URL, json=body, headers=auth())
    assert response.status_code == 200
    answer = response.json()
    assert set(answer) == {"cards"}, "no systemActions: the aid never writes to the record"
    assert len(answer["cards"]) > 3
    for card in answer["cards"]:
        assert_conformant_card(card)
    assert len({card["uuid"] for card in answer["cards"]}) == len(answer["cards"])


def test_card_details_are_markdown_with_why_questions_and_sources(client: TestClient, auth: Auth) -> None:
    body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1")
    cards = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    rule_cards = [c for c in cards if "/v1/knowledge-base/rules/" in c["source"]["url"]]
    assert rule_cards
    for card in rule_cards:
        assert "**Why this appears**" in card["detail"]
        assert "**Sources**" in card["detail"]
        assert re.search(r"^- .+", card["detail"], re.MULTILINE), "bulleted lists"
        rule_id = card["source"]["url"].rsplit("/", 1)[-1]
        assert f"Rule `{rule_id}`" in card["detail"]


def test_card_uuids_are_stable_for_the_same_hook_instance(client: TestClient, auth: Auth) -> None:
    body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1")
    first = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    again = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    assert [c["uuid"] for c in first] == [c["uuid"] for c in again]
    body["hookInstance"] = "another-instance"
    other = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    assert not {c["uuid"] for c in first} & {c["uuid"] for c in other}


@pytest.mark.parametrize("missing", [["patient"], ["conditions", "tumor_markers"], ["medication_requests"]])
def test_missing_required_prefetch_is_412_naming_the_keys(client: TestClient, auth: Auth, missing: list[str]) -> None:
    prefetch = {k: v for k, v in load("hr_positive_after_ai_pik3ca.json").items() if k not in missing}
    response = client.post(SERVICE_URL, json=hook_body(prefetch, "mbc-hr-1"), headers=auth())
    assert response.status_code == 412
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    issue = outcome["issue"][0]
    assert issue["severity"] == "error" and issue["code"] == "processing"
    for key in missing:
        assert key in issue["diagnostics"]
        assert key in issue["details"]["text"]


def test_no_prefetch_at_all_is_412(client: TestClient, auth: Auth) -> None:
    response = client.post(SERVICE_URL, json=hook_body(None, "p-1"), headers=auth())
    assert response.status_code == 412
    assert "patient" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize("user, audience", [("Patient/p-1", "patient"), ("Practitioner/onc-1", "clinician")])
def test_null_and_empty_prefetch_give_the_general_cards(client: TestClient, auth: Auth, user: str,
                                                        audience: Audience) -> None:
    response = client.post(SERVICE_URL, json=hook_body(NULL_PREFETCH, "p-1", user=user), headers=auth())
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert cards[0]["source"]["topic"]["code"] == "record"
    general = build_guide(Profile(audience=audience), client.app.state.knowledge_base)  # type: ignore[attr-defined]
    shown = [c["source"]["url"].rsplit("/", 1)[-1] for c in cards[1:]]
    assert shown == [point.id for point in general.points], "the same points as an empty profile"
    facts = cards[0]["detail"]
    assert "Patient record not found" in facts and "ER status not found" in facts


def test_unknown_service_is_404(client: TestClient, auth: Auth) -> None:
    path = "/cds-services/no-such-service"
    response = client.post(path, json=hook_body(NULL_PREFETCH, "p-1"), headers=auth(path))
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_wrong_hook_is_400(client: TestClient, auth: Auth) -> None:
    body = hook_body(NULL_PREFETCH, "p-1", hook="order-sign")
    response = client.post(SERVICE_URL, json=body, headers=auth())
    assert response.status_code == 400
    assert "patient-view" in response.json()["issue"][0]["details"]["text"]


@pytest.mark.parametrize("body, named", [
    (b"{not json", "not valid JSON"),
    (b"[]", "HookRequest"),
    (b'{"hook": "patient-view", "context": {"userId": "Practitioner/1", "patientId": "p"}}', "hookInstance"),
    (b'{"hook": "patient-view", "hookInstance": "h", "context": {"userId": "Practitioner/1"}}', "patientId"),
    (b'{"hook": "patient-view", "hookInstance": "h", "context": {"userId": "x", "patientId": "../Patient"}}',
     "patientId"),
])
def test_malformed_requests_are_400_and_name_the_problem(client: TestClient, auth: Auth, body: bytes,
                                                          named: str) -> None:
    response = client.post(SERVICE_URL, content=body, headers={**auth(), "Content-Type": "application/json"})
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert named in issue["details"]["text"] + issue.get("diagnostics", "")


@pytest.mark.parametrize("prefetch", [
    {"patient": "Patient/1", "conditions": 7, "tumor_markers": [], "medication_requests": True},
    {"patient": {"resourceType": "Patient"}, "conditions": {"resourceType": "Bundle", "entry": "x"},
     "tumor_markers": {"resourceType": "Bundle", "entry": [None, 1, {"resource": []}, {"resource": {}}]},
     "medication_requests": {"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "MedicationRequest"}}]}},
    {"patient": {"resourceType": "Observation", "id": "1", "status": "final", "code": {}},
     "conditions": {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "timeout"}]},
     "tumor_markers": {"resourceType": "Bundle", "entry": [{"resource": {
         "resourceType": "Observation", "status": "final", "code": {"text": "HER2"},
         "valueQuantity": {"value": 1e308}}}]},
     "medication_requests": {"resourceType": "Bundle", "entry": [{"resource": {
         "resourceType": "MedicationRequest", "status": "stopped", "intent": "order",
         "subject": {"reference": "Patient/p-1"}, "medicationReference": {"reference": "#missing"}}}]}},
])
def test_odd_prefetch_never_gives_a_500(client: TestClient, auth: Auth, prefetch: dict[str, Any]) -> None:
    response = client.post(SERVICE_URL, json=hook_body(prefetch, "p-1"), headers=auth())
    assert response.status_code == 200, response.text
    assert response.json()["cards"][0]["source"]["topic"]["code"] == "record"


def test_an_ehr_error_in_prefetch_is_named_in_the_facts_card(client: TestClient, auth: Auth) -> None:
    prefetch = {**NULL_PREFETCH, "conditions": {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "Condition search timed out"}]}}
    cards = client.post(SERVICE_URL, json=hook_body(prefetch, "p-1"), headers=auth()).json()["cards"]
    assert "Condition search timed out" in cards[0]["detail"]


def test_a_paged_prefetch_says_further_pages_were_not_read(client: TestClient, auth: Auth) -> None:
    paged = {**EMPTY_BUNDLE, "link": [{"relation": "next", "url": "https://ehr.example.org/fhir?page=2"}]}
    cards = client.post(SERVICE_URL, json=hook_body({**NULL_PREFETCH, "conditions": paged}, "p-1"),
                        headers=auth()).json()["cards"]
    assert "more results on further pages, which were not read" in cards[0]["detail"]


# --- feedback -----------------------------------------------------------------------------------

def test_feedback_is_accepted_and_counted(client: TestClient, auth: Auth) -> None:
    path = f"{SERVICE_URL}/feedback"
    body = {"feedback": [
        {"card": "4a1b9e7c-1f2d-5a3b-8c4d-0e1f2a3b4c5d", "outcome": "overridden",
         "overrideReason": {"reason": {"code": "not-relevant", "system": "https://ehr.example.org/reasons",
                                       "display": "Not relevant"}, "userComment": "Seen already"},
         "outcomeTimestamp": "2026-11-20T10:15:00.52Z"},
        {"card": "9b8c7d6e-5f4a-5b3c-9d2e-1f0a9b8c7d6e", "outcome": "accepted", "acceptedSuggestions": [],
         "outcomeTimestamp": "2026-11-20T10:16:00Z"},
    ]}
    response = client.post(path, json=body, headers=auth(path))
    assert response.status_code == 200
    assert response.json() == {"received": 2}
    counts = client.app.state.cds_feedback  # type: ignore[attr-defined]
    assert counts["overridden"] >= 1 and counts["accepted"] >= 1


@pytest.mark.parametrize("body", [
    {"feedback": []},
    {"feedback": [{"card": "x", "outcome": "ignored", "outcomeTimestamp": "2026-11-20T10:15:00Z"}]},
    {"feedback": [{"card": "x", "outcome": "overridden"}]},
    {"feedback": [{"card": "x", "outcome": "overridden", "outcomeTimestamp": "yesterday"}]},
])
def test_malformed_feedback_is_400(client: TestClient, auth: Auth, body: dict[str, Any]) -> None:
    path = f"{SERVICE_URL}/feedback"
    response = client.post(path, json=body, headers=auth(path))
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_feedback_needs_its_own_audience(client: TestClient, auth: Auth) -> None:
    path = f"{SERVICE_URL}/feedback"
    body = {"feedback": [{"card": "x", "outcome": "overridden", "outcomeTimestamp": "2026-11-20T10:15:00Z"}]}
    response = client.post(path, json=body, headers=auth(SERVICE_URL))
    assert response.status_code == 401


# --- CORS, and the rest of the API is untouched -------------------------------------------------

def test_cors_preflight_is_answered_for_allowed_origins(secure_settings: Settings) -> None:
    settings = secure_settings.model_copy(update={"cors_origins": ["https://ehr.example.org"]})
    with TestClient(create_app(settings)) as browser:
        for path in ("/cds-services", SERVICE_URL):
            response = browser.options(path, headers={
                "Origin": "https://ehr.example.org", "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type"})
            assert response.status_code == 200
            assert response.headers["access-control-allow-origin"] == "https://ehr.example.org"
            assert "authorization" in response.headers["access-control-allow-headers"].lower()
        refused = browser.options(SERVICE_URL, headers={
            "Origin": "https://evil.example.com", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in refused.headers


def test_v1_routes_need_no_cds_token(client: TestClient) -> None:
    assert client.post("/v1/guide", json={}).status_code == 200
    assert client.get("/v1/knowledge-base").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_card_source_links_point_at_the_public_rule_page(secure_settings: Settings, auth: Auth) -> None:
    settings = secure_settings.model_copy(update={"rules_dir": MINIMAL_RULES})
    bone = {**NULL_PREFETCH, "conditions": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "resourceType": "Condition", "id": "b1", "subject": {"reference": "Patient/p-1"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C79.51"}]}}}]}}
    with TestClient(create_app(settings)) as minimal:
        cards = minimal.post(SERVICE_URL, json=hook_body(bone, "p-1"), headers=auth()).json()["cards"]
    by_url = {c["source"]["url"]: c for c in cards}
    assert set(by_url) == {f"{PUBLIC}/v1/knowledge-base", f"{PUBLIC}/v1/knowledge-base/rules/test-bone-medicines"}
    bone_card = by_url[f"{PUBLIC}/v1/knowledge-base/rules/test-bone-medicines"]
    assert bone_card["summary"] == "Medicines that help protect the bones"
    assert bone_card["source"]["topic"]["code"] == "bone"
    assert bone_card["source"]["label"] == "Metastatic breast cancer decision aid, knowledge base 2026.11.0"
    assert bone_card["indicator"] == "info"
    assert "Bone-modifying agents" in bone_card["detail"], "clinician wording for a Practitioner"
    assert "Cancer has spread to: bones" in bone_card["detail"]
    assert "Would a medicine to strengthen my bones help me?" in bone_card["detail"]
