"""Five hand-written patients, end to end through the real app: the right cards, the right wording
for clinician and patient viewers, and the card that says what was read from the record.

Rules are asserted by meaning (topic, drug or gene named, the profile facts in "why"), not by id,
because the knowledge base changes; the wording is checked against the loaded rule's own text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds.cds_support import SERVICE_URL, Auth, hook_body, load
from decision_aid.knowledge_base import KnowledgeBase

CLINICIAN = "Practitioner/onc-1"
PATIENT_VIEWER = "Patient/{}"


@pytest.fixture(scope="module")
def kb(client: TestClient) -> KnowledgeBase:
    """The knowledge base the app loaded, so the wording is compared with what it actually served."""
    loaded: KnowledgeBase = client.app.state.knowledge_base  # type: ignore[attr-defined]
    return loaded


def cards_for(client: TestClient, auth: Auth, fixture: str, patient_id: str,
              user: str = CLINICIAN) -> list[dict[str, Any]]:
    response = client.post(SERVICE_URL, json=hook_body(load(fixture), patient_id, user=user), headers=auth())
    assert response.status_code == 200, response.text
    cards: list[dict[str, Any]] = response.json()["cards"]
    return cards


def rule_id(card: dict[str, Any]) -> str | None:
    match = re.search(r"/v1/knowledge-base/rules/([a-z0-9-]+)$", card["source"]["url"])
    return match.group(1) if match else None


def facts_card(cards: list[dict[str, Any]]) -> dict[str, Any]:
    found = [c for c in cards if c["source"]["topic"]["code"] == "record"]
    assert len(found) == 1
    return found[0]


def section(detail: str, heading: str) -> str:
    """The bullet lines under one bold heading of a card's Markdown detail."""
    match = re.search(rf"\*\*{re.escape(heading)}\*\*\n\n(.*?)(?:\n\n\*\*|\n\n_|\n\nRule `|\Z)", detail, re.DOTALL)
    return match.group(1) if match else ""


def topics(cards: list[dict[str, Any]]) -> list[str]:
    return [c["source"]["topic"]["code"] for c in cards]


def assert_wording(cards: list[dict[str, Any]], kb: KnowledgeBase, audience: str) -> None:
    rule_cards = [c for c in cards if rule_id(c)]
    assert rule_cards
    for card in rule_cards:
        rule = kb.by_id[rule_id(card) or ""]
        mine, other = (rule.patient, rule.clinician) if audience == "patient" else (rule.clinician, rule.patient)
        assert card["detail"].startswith(mine), f"{rule.id}: {audience} wording"
        assert other not in card["detail"]
        assert card["summary"] == rule.title


def assert_guide_order(cards: list[dict[str, Any]], kb: KnowledgeBase) -> None:
    urgent = [c for c in cards if c["indicator"] == "critical"]
    assert cards[: len(urgent)] == urgent, "urgent cards first"
    assert topics(cards)[len(urgent)] == "record", "then what the guide was built from"
    general = [not kb.by_id[rule_id(c) or ""].personal("clinician") for c in cards[len(urgent) + 1:]]
    assert general == sorted(general), "then the points, personal ones first"
    assert all(c["indicator"] == "info" for c in cards[len(urgent) + 1:])


def mentions(cards: list[dict[str, Any]], pattern: str, *, why: str | None = None) -> list[dict[str, Any]]:
    """Rule cards whose text names ``pattern`` and, if given, whose "why" names ``why``."""
    found = []
    for card in cards:
        if not rule_id(card) or not re.search(pattern, card["detail"], re.IGNORECASE):
            continue
        reasons = section(card["detail"], "Why this appears") + section(card["detail"], "Why you are seeing this")
        if why is None or re.search(why, reasons, re.IGNORECASE):
            found.append(card)
    return found


# --- 1. ER+/HER2- after an aromatase inhibitor, with a PIK3CA variant ----------------------------

def test_hr_positive_after_aromatase_inhibitor_with_pik3ca(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "hr_positive_after_ai_pik3ca.json", "mbc-hr-1")
    assert_guide_order(cards, kb)
    assert_wording(cards, kb, "clinician")
    assert "hormone_receptor_positive" in topics(cards)
    assert "bone" in topics(cards) and "other_sites" in topics(cards)
    assert mentions(cards, r"alpelisib|capivasertib|inavolisib", why=r"PIK3CA test: a change"), "a PIK3CA option"
    assert mentions(cards, r".", why=r"Treatment listed: letrozole .*the cancer grew during it")
    assert mentions(cards, r".", why=r"Treatment listed: anastrozole .*for earlier breast cancer.*ended 8 months")
    assert not mentions(cards, r".", why=r"fulvestrant"), "a proposal is not a treatment given"

    facts = facts_card(cards)
    assert facts["indicator"] == "info"
    assert facts["summary"].startswith("Built from the record:")
    read = section(facts["detail"], "Read from the record")
    for line in ("ER: positive", "PR: positive", "HER2: negative (IHC 0", "PIK3CA: a change (mutation) was found",
                 "ESR1: tested, no change found", "Spread to: bones", "Spread to: liver",
                 "Treatment: palbociclib, for metastatic cancer, the cancer grew during it, disease status worse",
                 "Presentation: recurrent"):
        assert line in read, line
    assert "Menopausal status not found" in section(facts["detail"], "Not found in the record")
    assert "hr1-fulvestrant-plan is a proposal" in section(facts["detail"], "Read but left out")
    assert facts["detail"].rstrip().endswith(f"_{kb.meta.disclaimer.clinician}_")


def test_the_same_patient_seen_by_the_patient_gets_patient_wording(client: TestClient, auth: Auth,
                                                                   kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "hr_positive_after_ai_pik3ca.json", "mbc-hr-1", user="Patient/mbc-hr-1")
    assert_wording(cards, kb, "patient")
    facts = facts_card(cards)
    assert facts["summary"].startswith("What this guide used from your record")
    assert kb.meta.disclaimer.patient in facts["detail"]
    assert "Why you are seeing this" in cards[-1]["detail"]
    proxy = cards_for(client, auth, "hr_positive_after_ai_pik3ca.json", "mbc-hr-1", user="RelatedPerson/daughter-1")
    assert [rule_id(c) for c in proxy] == [rule_id(c) for c in cards]


# --- 2. HER2+ with brain metastases, seen by the patient ----------------------------------------

def test_her2_positive_with_brain_metastases_for_the_patient(client: TestClient, auth: Auth,
                                                             kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "her2_positive_brain.json", "mbc-her2-2", user=PATIENT_VIEWER.format("mbc-her2-2"))
    assert_guide_order(cards, kb)
    assert_wording(cards, kb, "patient")
    assert {"her2_positive", "brain"} <= set(topics(cards))
    assert "hormone_receptor_positive" not in topics(cards)
    assert mentions(cards, r".", why=r"HER2: HER2-positive|Type of breast cancer: HER2-positive")
    assert mentions(cards, r".", why=r"brain")

    facts = facts_card(cards)
    found = section(facts["detail"], "Found in your record")
    for line in ("HER2: positive (ISH amplified", "Spread to: brain", "Spread to: lungs",
                 "PR: negative (Observation/her2-pr, LOINC 85339-0, 2025-01-15; 0% of cells stained",
                 "Treatment: pertuzumab", "Treatment: docetaxel", "Presentation: de novo"):
        assert line in found, line
    assert "her2-refuted-liver is marked refuted" in section(facts["detail"], "Left out")
    assert "liver" not in " ".join(topics(cards))
    assert "PIK3CA" not in section(facts["detail"], "Not found in your record"), "not relevant to HR-negative disease"


# --- 3. Triple negative with a germline BRCA1 variant and a PD-L1 result -------------------------

def test_triple_negative_with_germline_brca1_and_pdl1(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "triple_negative_gbrca1_pdl1.json", "mbc-tnbc-3")
    assert_guide_order(cards, kb)
    assert_wording(cards, kb, "clinician")
    assert "triple_negative" in topics(cards)
    assert mentions(cards, r"pembrolizumab", why=r"PD-L1 test: positive")
    assert mentions(cards, r"olaparib|talazoparib|PARP", why=r"germline\) BRCA test: a change")

    facts = facts_card(cards)
    read = section(facts["detail"], "Read from the record")
    for line in ("Sex: female (Patient/mbc-tnbc-3, US Core birth sex)", "ER: negative", "HER2: negative (IHC 0",
                 "PD-L1: positive (CPS 15", "Inherited (germline) BRCA: a change was found", "Menopausal status: pre",
                 "Spread to: lymph nodes"):
        assert line in read, line
    left_out = section(facts["detail"], "Read but left out")
    assert "axillary lymph nodes, which are regional" in left_out
    assert "BRCA2 variant reported as 'Uncertain significance'" in left_out
    assert "ondansetron" in left_out
    assert "No cancer medicines found" in section(facts["detail"], "Not found in the record")


# --- 4. Malformed, unknown and misplaced resources ----------------------------------------------

def test_malformed_and_unknown_resources_are_skipped_and_named(client: TestClient, auth: Auth,
                                                                kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "malformed_and_unknown.json", "mbc-mixed-4")
    assert_guide_order(cards, kb)
    facts = facts_card(cards)
    assert facts["indicator"] == "warning", "a non-breast primary puts the whole guide in doubt"
    assert "not breast cancer" in section(facts["detail"], "Check")
    assert re.search(r"\b6 resources not read$", facts["summary"])
    skipped = section(facts["detail"], "Resources that could not be read")
    for named in ("Condition/someone-elses-brain", "belongs to Patient/another-patient",
                  "'Foo' is not a FHIR R4 resource type", "'medication\\_statements' is not a FHIR resource",
                  "mixed-missing-medication", "Observation/mixed-er-bad-value"):
        assert named in skipped, named
    left_out = section(facts["detail"], "Read but left out")
    # A bad date or an unknown element is set aside, named, and the rest is read; a malformed value is not.
    for named in ("Condition/mixed-bad-date", "onsetDateTime", "mixed-unknown-element", "severityScore"):
        assert named in left_out, named
    assert "Spread to: liver (Condition/mixed-bad-date" in section(facts["detail"], "Read from the record")
    assert "gefitinib" in left_out and "Conditions from the legacy system were not included" in left_out
    assert "does not say amplified or not amplified" in left_out
    assert "bone" in topics(cards), "what did parse is still used"
    assert "brain" not in topics(cards), "another patient's condition never reaches this patient's guide"
    assert mentions(cards, r".", why=r"zoledronic acid")


# --- 5. Older data: MedicationStatement, STU1-style codes ----------------------------------------

def test_older_medication_statement_data(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "older_medication_statements.json", "mbc-old-5")
    assert_guide_order(cards, kb)
    assert_wording(cards, kb, "clinician")
    assert "hormone_receptor_positive" in topics(cards)
    assert mentions(cards, r".", why=r"Treatment listed: tamoxifen .*for earlier breast cancer")
    facts = facts_card(cards)
    read = section(facts["detail"], "Read from the record")
    for line in ("Treatment: tamoxifen, for earlier breast cancer, completed, ended 24 months before the spread",
                 "Treatment: exemestane, for metastatic cancer, stopped because of side effects",
                 "Treatment: fulvestrant, for metastatic cancer, still being taken",
                 "Metastatic: TNM distant metastasis M1", "Menopausal status: post", "ER: positive", "PR: negative",
                 "Spread to: bones"):
        assert line in read, line
    assert "Kisqali" not in facts["detail"] and "ribociclib" not in read, "not-taken is not a treatment"
    assert "HER2 IHC score not found" in section(facts["detail"], "Not found in the record")
