"""Five hand-written patients, end to end through the real app: a few cards, the guide their link
opens with the right points and the right wording for clinician and patient viewers, and the card
that says what was read from the record.

Rules are asserted by meaning (topic, drug or gene named, the profile facts in "why"), not by id,
because the knowledge base changes; the wording is checked against the loaded rule's own text.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds.cds_support import PUBLIC, SERVICE_URL, Auth, hook_body, load
from decision_aid.fhir.cards import GUIDE_VIEW_PATH, profile_from_fragment
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


def facts_card(cards: list[dict[str, Any]]) -> dict[str, Any]:
    found = [c for c in cards if c["source"]["topic"]["code"] == "record"]
    assert len(found) == 1
    return found[0]


def summary_card(cards: list[dict[str, Any]]) -> dict[str, Any]:
    found = [c for c in cards if c["source"]["topic"]["code"] == "guide"]
    assert len(found) == 1
    return found[0]


def opened_guide(client: TestClient, cards: list[dict[str, Any]]) -> dict[str, Any]:
    """The guide the summary card's link opens: its fragment's profile, sent to POST /v1/guide as the page does."""
    (link,) = summary_card(cards)["links"]
    assert link["type"] == "absolute" and link["url"].startswith(f"{PUBLIC}{GUIDE_VIEW_PATH}#")
    response = client.post("/v1/guide", json=profile_from_fragment(link["url"].split("#", 1)[1]))
    assert response.status_code == 200, response.text
    guide: dict[str, Any] = response.json()
    return guide


def section(detail: str, heading: str) -> str:
    """The bullet lines under one bold heading of a card's Markdown detail."""
    match = re.search(rf"\*\*{re.escape(heading)}\*\*\n\n(.*?)(?:\n\n\*\*|\n\n_|\n\nRule `|\Z)", detail, re.DOTALL)
    return match.group(1) if match else ""


def topics(guide: dict[str, Any]) -> list[str]:
    return [point["topic"] for point in guide["points"]]


def assert_wording(guide: dict[str, Any], kb: KnowledgeBase, audience: str) -> None:
    assert guide["points"]
    for point in guide["points"]:
        rule = kb.by_id[point["id"]]
        mine, other = (rule.patient, rule.clinician) if audience == "patient" else (rule.clinician, rule.patient)
        assert point["text"].startswith(mine), f"{rule.id}: {audience} wording"
        assert other not in point["text"]
        assert point["title"] == rule.title


def assert_card_shape(cards: list[dict[str, Any]], guide: dict[str, Any], kb: KnowledgeBase) -> None:
    """A few cards: one critical card per urgent item, then the summary card, then the record card."""
    urgent = [c for c in cards if c["indicator"] == "critical"]
    assert [c["summary"] for c in urgent] == [item["title"] for item in guide["urgent"]]
    assert cards[: len(urgent)] == urgent, "urgent cards first"
    assert [c["source"]["topic"]["code"] for c in cards[len(urgent):]] == ["guide", "record"]
    summary = summary_card(cards)
    assert summary["indicator"] == "info"
    for item in guide["top_questions"]:
        assert item["text"] in summary["detail"], "the top questions are on the summary card"
    general = [not kb.by_id[point["id"]].personal("clinician") for point in guide["points"]]
    assert general == sorted(general), "the guide's points, personal ones first"


def mentions(guide: dict[str, Any], pattern: str, *, why: str | None = None) -> list[dict[str, Any]]:
    """Points whose text names ``pattern`` and, if given, whose "why" names ``why``."""
    found = []
    for point in guide["points"]:
        if not re.search(pattern, point["text"], re.IGNORECASE):
            continue
        if why is None or re.search(why, " ".join(point["why"]), re.IGNORECASE):
            found.append(point)
    return found


# --- 1. ER+/HER2- after an aromatase inhibitor, with a PIK3CA variant ----------------------------

def test_hr_positive_after_aromatase_inhibitor_with_pik3ca(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "hr_positive_after_ai_pik3ca.json", "mbc-hr-1")
    guide = opened_guide(client, cards)
    assert_card_shape(cards, guide, kb)
    assert_wording(guide, kb, "clinician")
    assert "hormone_receptor_positive" in topics(guide)
    assert "bone" in topics(guide) and "other_sites" in topics(guide)
    assert mentions(guide, r"alpelisib|capivasertib|inavolisib", why=r"PIK3CA test: a change"), "a PIK3CA option"
    assert mentions(guide, r".", why=r"Treatment listed: letrozole .*the cancer grew during it")
    assert mentions(guide, r".", why=r"Treatment listed: anastrozole .*for earlier breast cancer.*ended 8 months")
    assert not mentions(guide, r".", why=r"fulvestrant"), "a proposal is not a treatment given"

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
    guide = opened_guide(client, cards)
    assert_wording(guide, kb, "patient")
    facts = facts_card(cards)
    assert facts["summary"].startswith("What this guide used from your record")
    assert kb.meta.disclaimer.patient in facts["detail"]
    assert "Questions you may want to ask first" in summary_card(cards)["detail"]
    proxy = cards_for(client, auth, "hr_positive_after_ai_pik3ca.json", "mbc-hr-1", user="RelatedPerson/daughter-1")
    proxy_guide = opened_guide(client, proxy)
    assert [p["id"] for p in proxy_guide["points"]] == [p["id"] for p in guide["points"]]
    assert [p["text"] for p in proxy_guide["points"]] == [p["text"] for p in guide["points"]], "patient wording"


# --- 2. HER2+ with brain metastases, seen by the patient ----------------------------------------

def test_her2_positive_with_brain_metastases_for_the_patient(client: TestClient, auth: Auth,
                                                             kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "her2_positive_brain.json", "mbc-her2-2", user=PATIENT_VIEWER.format("mbc-her2-2"))
    guide = opened_guide(client, cards)
    assert_card_shape(cards, guide, kb)
    assert_wording(guide, kb, "patient")
    assert {"her2_positive", "brain"} <= set(topics(guide))
    assert "hormone_receptor_positive" not in topics(guide)
    assert mentions(guide, r".", why=r"HER2: HER2-positive|Type of breast cancer: HER2-positive")
    assert mentions(guide, r".", why=r"brain")

    facts = facts_card(cards)
    found = section(facts["detail"], "Read from the record")
    for line in ("HER2: positive (ISH amplified", "Spread to: brain", "Spread to: lungs",
                 "PR: negative (Observation/her2-pr, LOINC 85339-0, 2025-01-15; 0% of cells stained",
                 "Treatment: pertuzumab", "Treatment: docetaxel", "Presentation: de novo"):
        assert line in found, line
    assert "her2-refuted-liver is marked refuted" in section(facts["detail"], "Left out")
    assert "liver" not in " ".join(topics(guide))
    assert "PIK3CA" not in section(facts["detail"], "Not found in the record"), "not relevant to HR-negative disease"


# --- 3. Triple negative with a germline BRCA1 variant and a PD-L1 result -------------------------

def test_triple_negative_with_germline_brca1_and_pdl1(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "triple_negative_gbrca1_pdl1.json", "mbc-tnbc-3")
    guide = opened_guide(client, cards)
    assert_card_shape(cards, guide, kb)
    assert_wording(guide, kb, "clinician")
    assert "triple_negative" in topics(guide)
    assert mentions(guide, r"pembrolizumab", why=r"PD-L1 test: positive")
    assert mentions(guide, r"olaparib|talazoparib|PARP", why=r"germline\) BRCA test: a change")

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
    guide = opened_guide(client, cards)
    assert_card_shape(cards, guide, kb)
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
    assert "bone" in topics(guide), "what did parse is still used"
    assert "brain" not in topics(guide), "another patient's condition never reaches this patient's guide"
    assert mentions(guide, r".", why=r"zoledronic acid")


# --- 5. Older data: MedicationStatement, STU1-style codes ----------------------------------------

def test_older_medication_statement_data(client: TestClient, auth: Auth, kb: KnowledgeBase) -> None:
    cards = cards_for(client, auth, "older_medication_statements.json", "mbc-old-5")
    guide = opened_guide(client, cards)
    assert_card_shape(cards, guide, kb)
    assert_wording(guide, kb, "clinician")
    assert "hormone_receptor_positive" in topics(guide)
    assert mentions(guide, r".", why=r"Treatment listed: tamoxifen .*for earlier breast cancer")
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
