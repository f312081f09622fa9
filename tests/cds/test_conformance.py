"""CDS Hooks 2.0 conformance, checked through the real app (INTEROP.md §2)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from cds.cds_support import MINIMAL_RULES, PUBLIC, SERVICE, SERVICE_URL, Auth, card_with_topic, hook_body, load
from decision_aid.engine import build_guide
from decision_aid.fhir.cards import build_cards, profile_from_fragment
from decision_aid.fhir.reading import read_record
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
    assert "links" not in card or all(link["type"] == "absolute" and link["label"] and
                                      link["url"].startswith(f"{PUBLIC}/") for link in card["links"])
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
    for card in answer["cards"]:
        assert_conformant_card(card)
    assert len({card["uuid"] for card in answer["cards"]}) == len(answer["cards"])


def test_a_few_cards_urgent_items_then_the_summary_then_the_record(client: TestClient, auth: Auth) -> None:
    """CONTRACT, CDS Hooks: one critical card per urgent item, one info summary card, the record card."""
    body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1")
    cards = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    assert [c["source"]["topic"]["code"] for c in cards] == ["guide", "record"], "no urgent item: two cards"
    assert not [c for c in cards if "/v1/knowledge-base/rules/" in c["source"]["url"]], "no card per point"
    kb = client.app.state.knowledge_base  # type: ignore[attr-defined]
    profile = Profile.model_validate(profile_from_fragment(card_with_topic(cards, "guide")["links"][0]["url"]
                                                           .split("#", 1)[1]), context={"drugs": kb.drugs})
    guide = build_guide(profile.model_copy(update={"symptoms": ["leg_weakness_or_numbness", "seizure"]}), kb)
    assert len(guide.urgent) >= 2
    reading = read_record(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1", kb.drugs)
    with_urgent = [c.model_dump(exclude_none=True) for c in build_cards(guide, reading, base_url=PUBLIC,
                                                                         hook_instance="h-1")]
    assert [c["indicator"] for c in with_urgent] == ["critical"] * len(guide.urgent) + ["info", "info"]
    assert [c["summary"] for c in with_urgent[: len(guide.urgent)]] == [item.title for item in guide.urgent]
    for card, item in zip(with_urgent, guide.urgent, strict=False):
        assert card["source"]["url"] == f"{PUBLIC}/v1/knowledge-base/rules/{item.id}"
        assert card["detail"].startswith(item.text) and "**Sources**" in card["detail"]
        assert f"Rule `{item.id}`" in card["detail"]
    for card in with_urgent:
        assert_conformant_card(card)


def test_the_summary_card_has_the_top_questions_and_a_link_to_the_full_guide(client: TestClient,
                                                                             auth: Auth) -> None:
    body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1")
    cards = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
    summary = card_with_topic(cards, "guide")
    assert summary["indicator"] == "info"
    assert summary["source"]["url"] == f"{PUBLIC}/v1/knowledge-base"
    (link,) = summary["links"]
    assert link["type"] == "absolute" and link["label"] == "Open the full discussion guide"
    page, _, fragment = link["url"].partition("#")
    assert page == f"{PUBLIC}/guide/view", "nothing but the page in the part a browser sends"
    data = profile_from_fragment(fragment)
    assert data["audience"] == "clinician"
    assert "mbc-hr-1" not in json.dumps(data) and "Patient/" not in json.dumps(data), "no identifiers"
    guide = client.post("/v1/guide", json=data).json()
    numbered = re.findall(r"^\d+\. (.+)$", summary["detail"], re.MULTILINE)
    assert numbered == [item["text"] for item in guide["top_questions"]], "the top questions, in order"
    assert 3 <= len(numbered) <= 8
    assert "**Questions to ask first**" in summary["detail"]


def test_a_patient_or_related_person_gets_a_patient_link(client: TestClient, auth: Auth) -> None:
    for user in ("Patient/mbc-hr-1", "RelatedPerson/daughter-1"):
        body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1", user=user)
        cards = client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"]
        summary = card_with_topic(cards, "guide")
        assert summary["links"][0]["label"] == "Open your full guide"
        assert profile_from_fragment(summary["links"][0]["url"].split("#", 1)[1])["audience"] == "patient"
        assert "Questions you may want to ask first" in summary["detail"]


def test_the_record_card_says_what_was_read_and_what_was_not_found(client: TestClient, auth: Auth) -> None:
    for user in ("Practitioner/onc-1", "Patient/mbc-hr-1"):
        body = hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1", user=user)
        record = card_with_topic(client.post(SERVICE_URL, json=body, headers=auth()).json()["cards"], "record")
        assert "**Read from the record**" in record["detail"]
        assert "**Not found in the record**" in record["detail"]


def test_the_guide_page_renders_from_the_fragment_with_its_own_script(client: TestClient) -> None:
    response = client.get("/guide/view")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "script-src" not in response.headers["content-security-policy"], "the strict policy: no inline code"
    html = response.text
    assert "<noscript>" in html and "needs JavaScript" in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.DOTALL)
    assert scripts and all("src=" in attrs and not code.strip() for attrs, code in scripts), "no inline script"
    assert re.search(r'data-guide-url="/v1/guide"', html)
    source = client.get(re.search(r'<script src="([^"]*guide-view\.js[^"]*)"', html).group(1))  # type: ignore[union-attr]
    assert source.status_code == 200 and "location.hash" in source.text and "textContent" in source.text
    assert "innerHTML" not in source.text, "record-derived text is never parsed as HTML"


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
    if not cards:
        return  # the relevance gate: a record with no metastatic breast cancer gets no cards
    link = card_with_topic(cards, "guide")["links"][0]["url"]
    assert profile_from_fragment(link.split("#", 1)[1]) == {"audience": audience}, "the same as an empty profile"
    facts = card_with_topic(cards, "record")["detail"]
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
    cards = response.json()["cards"]
    assert not cards or card_with_topic(cards, "record")


def test_an_ehr_error_in_prefetch_is_named_in_the_facts_card(client: TestClient, auth: Auth) -> None:
    prefetch = {**NULL_PREFETCH, "conditions": {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "Condition search timed out"}]}}
    cards = client.post(SERVICE_URL, json=hook_body(prefetch, "p-1"), headers=auth()).json()["cards"]
    assert not cards or "Condition search timed out" in card_with_topic(cards, "record")["detail"]


def test_a_paged_prefetch_says_further_pages_were_not_read(client: TestClient, auth: Auth) -> None:
    paged = {**EMPTY_BUNDLE, "link": [{"relation": "next", "url": "https://ehr.example.org/fhir?page=2"}]}
    cards = client.post(SERVICE_URL, json=hook_body({**NULL_PREFETCH, "conditions": paged}, "p-1"),
                        headers=auth()).json()["cards"]
    assert not cards or "more results on further pages, which were not read" in card_with_topic(cards, "record")[
        "detail"]


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


def test_card_sources_point_at_the_public_knowledge_base(secure_settings: Settings, auth: Auth) -> None:
    settings = secure_settings.model_copy(update={"rules_dir": MINIMAL_RULES})
    bone = {**NULL_PREFETCH, "conditions": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {
        "resourceType": "Condition", "id": "b1", "subject": {"reference": "Patient/p-1"},
        "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C79.51"}]}}}]}}
    with TestClient(create_app(settings)) as minimal:
        cards = minimal.post(SERVICE_URL, json=hook_body(bone, "p-1"), headers=auth()).json()["cards"]
        summary = card_with_topic(cards, "guide")
        guide = minimal.post("/v1/guide", json=profile_from_fragment(summary["links"][0]["url"].split("#")[1])).json()
    assert {c["source"]["url"] for c in cards} == {f"{PUBLIC}/v1/knowledge-base"}
    assert summary["source"]["label"] == "Metastatic breast cancer decision aid, knowledge base 2026.11.0"
    assert summary["summary"].startswith("Discussion guide: ")
    (point,) = [p for p in guide["points"] if p["id"] == "test-bone-medicines"]
    assert "Bone-modifying agents" in point["text"], "clinician wording for a Practitioner"
    assert "Cancer has spread to: bones" in point["why"]
    assert "Would a medicine to strengthen my bones help me?" in summary["detail"]


SANDBOX = "https://sandbox.cds-hooks.org"


def test_the_cds_hooks_sandbox_origin_is_one_setting_for_cds_services_only(secure_settings: Settings,
                                                                           auth: Auth) -> None:
    settings = secure_settings.model_copy(update={"cds_cors_origins": [SANDBOX]})
    preflight = {"Origin": SANDBOX, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    with TestClient(create_app(settings)) as browser:
        for path in ("/cds-services", SERVICE_URL, f"{SERVICE_URL}/feedback"):
            response = browser.options(path, headers=preflight)
            assert response.status_code == 200, path
            assert response.headers["access-control-allow-origin"] == SANDBOX
            assert "authorization" in response.headers["access-control-allow-headers"].lower()
            assert "access-control-allow-credentials" not in response.headers
        call = browser.post(SERVICE_URL, json=hook_body(load("hr_positive_after_ai_pik3ca.json"), "mbc-hr-1"),
                            headers={**auth(), "Origin": SANDBOX})
        assert call.status_code == 200 and call.headers["access-control-allow-origin"] == SANDBOX
        unsigned = browser.post(SERVICE_URL, json=hook_body(NULL_PREFETCH, "p-1"), headers={"Origin": SANDBOX})
        assert unsigned.status_code == 401, "CORS lets the browser in; the JWT still has to verify"
        v1 = browser.options("/v1/guide", headers=preflight)
        assert "access-control-allow-origin" not in v1.headers, "the sandbox may call CDS Hooks, not /v1"


def test_a_refused_cds_preflight_is_an_operation_outcome_not_a_405(client: TestClient) -> None:
    response = client.options(SERVICE_URL, headers={"Origin": SANDBOX, "Access-Control-Request-Method": "POST",
                                                    "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/fhir+json")
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "forbidden"
    assert "DECISION_AID_CDS_CORS_ORIGINS" in outcome["issue"][0]["details"]["text"]
    assert "access-control-allow-origin" not in response.headers


def test_the_cds_cors_setting_refuses_wildcards() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="DECISION_AID_CDS_CORS_ORIGINS: '\\*' is not allowed"):
        Settings(cds_cors_origins=["*"])
