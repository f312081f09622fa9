"""The safety fixes of knowledge base 2026.12.0, pinned with whole guides built by the real engine.

Each test states a profile from the clinical review (or one like it) and what the reader must, or
must not, be shown. The rule examples in the YAML files pin each rule on its own; these tests pin
what a person actually reads: the urgent list, the point texts and the wording that matters.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from decision_aid.engine import build_guide
from decision_aid.guide import Guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile

RULES = Path(__file__).resolve().parents[2] / "rules"
SAFETY_FILES = ["red_flags.yaml", "side_effects.yaml", "bone.yaml", "brain.yaml"]
HR_POS = {"er": "positive", "pr": "positive", "her2": "negative"}


def _guide(kb: KnowledgeBase, profile: dict[str, Any]) -> Guide:
    return build_guide(parse_profile(profile, kb.drugs), kb)


def _urgent(guide: Guide) -> dict[str, str]:
    return {u.id: f"{u.title} {u.text}" for u in guide.urgent}


def _points(guide: Guide) -> dict[str, str]:
    return {p.id: f"{p.title} {p.text} {' '.join(p.questions)}" for p in guide.points}


# --- U1: back pain with bone metastases ------------------------------------------------------------

def test_back_pain_with_bone_metastases_is_urgent_over_http(client: TestClient) -> None:
    """The review's profile: bone metastases and back pain, legs and bladder fine."""
    response = client.post("/v1/guide", json={"sites": ["bone"], "symptoms": ["back_pain"],
                                                "receptors": HR_POS})
    assert response.status_code == 200
    urgent = {u["id"]: u["text"] for u in response.json()["urgent"]}
    assert "red-flag-back-pain-spine" in urgent
    text = urgent["red-flag-back-pain-spine"]
    assert "today" in text and "not wait more than 24 hours" in text
    assert "how soon you need a scan" in text, "the call is within 24 hours; the scan may come later (CG75)"
    for feature in ("upper or middle back or the neck", "keeps getting worse", "cough", "lie flat",
                    "stops you sleeping", "tender", "band around your chest"):
        assert feature in text, feature
    assert "red-flag-spinal-cord-compression" not in urgent


def test_back_pain_with_weak_legs_says_call_at_once_not_within_24_hours(kb: KnowledgeBase) -> None:
    urgent = _urgent(_guide(kb, {"sites": ["bone"], "symptoms": ["back_pain", "leg_weakness_or_numbness"]}))
    assert "red-flag-spinal-cord-compression" in urgent
    assert "red-flag-back-pain-spine" not in urgent


def test_bone_pain_point_no_longer_treats_new_back_pain_as_routine(kb: KnowledgeBase) -> None:
    points = _points(_guide(kb, {"sites": ["bone"], "symptoms": ["back_pain"]}))
    assert "Tell your team about any new back pain" not in points["bone-pain-relief"]
    assert "within 24 hours at most" in points["bone-pain-relief"]


# --- U5, U6: fever and liver ----------------------------------------------------------------------

def test_fever_warning_gives_temperatures_and_a_fallback(kb: KnowledgeBase) -> None:
    on_paclitaxel = [{"drug": "paclitaxel", "setting": "metastatic", "outcome": "ongoing"}]
    urgent = _urgent(_guide(kb, {"symptoms": ["fever"], "treatments": on_paclitaxel}))
    text = urgent["red-flag-fever-low-white-cells"]
    assert "37.5 °C" in text and "36 °C" in text
    assert "38 °C" not in text, "NICE's diagnostic 38 °C is for clinicians; patients call sooner (UKONS)"
    assert "even with a normal temperature" in text
    assert "emergency department" in text
    assert "Ask your team which temperature means you need to call" not in text


def test_liver_warning_says_today(kb: KnowledgeBase) -> None:
    text = _urgent(_guide(kb, {"sites": ["liver"], "symptoms": ["abdominal_swelling", "jaundice"]}))["red-flag-liver"]
    assert "today" in text
    assert "soon" not in text


# --- U3 + E3: diarrhoea ---------------------------------------------------------------------------

@pytest.mark.parametrize("drug", [
    "abemaciclib", "capivasertib", "alpelisib", "inavolisib", "sacituzumab govitecan", "capecitabine",
    "neratinib", "tucatinib", "lapatinib", "trastuzumab deruxtecan", "everolimus", "pembrolizumab",
    "Keytruda", "Xeloda", "Nerlynx", "Enhertu", "chemo", "checkpoint inhibitor",
])
def test_diarrhoea_is_urgent_on_every_drug_whose_label_warns_of_it(kb: KnowledgeBase, drug: str) -> None:
    guide = _guide(kb, {"symptoms": ["diarrhoea"], "treatments": [{"drug": drug, "outcome": "ongoing"}]})
    assert "red-flag-diarrhoea-on-treatment" in _urgent(guide)


@pytest.mark.parametrize("drug", ["letrozole", "fulvestrant", "tamoxifen", "goserelin", "denosumab"])
def test_diarrhoea_on_hormone_or_bone_medicine_alone_is_not_a_drug_warning(kb: KnowledgeBase, drug: str) -> None:
    guide = _guide(kb, {"symptoms": ["diarrhoea"], "treatments": [{"drug": drug, "outcome": "ongoing"}]})
    assert "red-flag-diarrhoea-on-treatment" not in _urgent(guide)


def test_diarrhoea_after_immunotherapy_stopped_is_still_urgent(kb: KnowledgeBase) -> None:
    guide = _guide(kb, {"symptoms": ["diarrhoea"], "treatments": [
        {"drug": "pembrolizumab", "setting": "metastatic", "outcome": "stopped_side_effects", "months_since_end": 3}]})
    assert "colitis" in _urgent(guide)["red-flag-diarrhoea-on-treatment"]


def test_sacituzumab_boxed_warning_is_stated_as_fact(kb: KnowledgeBase) -> None:
    rule = next(r for r in kb.rules if r.id == "red-flag-diarrhoea-on-treatment")
    assert "boxed warning for neutropenia and diarrhoea" in rule.clinician


@pytest.mark.parametrize("name", SAFETY_FILES)
def test_no_hedges_remain_in_the_safety_files(name: str) -> None:
    """Label facts are stated; a hedge in place of a fact erodes trust and hides a real warning."""
    text = (RULES / name).read_text(encoding="utf-8").lower()
    for hedge in ("not separately confirmed", "could not confirm", "was not confirmed", "were not confirmed",
                  "check the current label", "unconfirmed"):
        assert hedge not in text, (name, hedge)


# --- U4 + E2: cough on lung-inflaming drugs, everolimus ------------------------------------------

@pytest.mark.parametrize("drug", ["Enhertu", "Datroway", "everolimus", "Ibrance", "ribociclib", "Verzenio", "Keytruda"])
def test_new_cough_on_a_lung_inflaming_drug_is_urgent_today(kb: KnowledgeBase, drug: str) -> None:
    guide = _guide(kb, {"symptoms": ["cough"], "treatments": [{"drug": drug, "outcome": "ongoing"}]})
    text = _urgent(guide)["red-flag-cough-on-lung-inflammation-drugs"]
    assert "today" in text


def test_cough_without_such_a_drug_is_not_that_warning(kb: KnowledgeBase) -> None:
    guide = _guide(kb, {"symptoms": ["cough"], "treatments": [{"drug": "letrozole", "outcome": "ongoing"}]})
    assert "red-flag-cough-on-lung-inflammation-drugs" not in _urgent(guide)


def test_everolimus_gets_lung_and_mouth_points(kb: KnowledgeBase) -> None:
    points = _points(_guide(kb, {"receptors": HR_POS, "treatments": [
        {"drug": "Afinitor", "setting": "metastatic", "outcome": "ongoing"},
        {"drug": "exemestane", "setting": "metastatic", "outcome": "ongoing"}]}))
    assert "side-effects-lung-inflammation" in points
    assert "steroid mouthwash" in points["side-effects-everolimus-mouth"]


# --- Supportive topics shown only with the drug --------------------------------------------------

@pytest.mark.parametrize(("drug", "rule_id", "words"), [
    ("capecitabine", "side-effects-capecitabine", ["hand-foot syndrome", "DPD deficiency"]),
    ("Datroway", "side-effects-datopotamab-eyes-mouth", ["eye drops", "mouthwash"]),
    ("pembrolizumab", "side-effects-immunotherapy", ["thyroid", "bowel", "months after the last dose"]),
    ("Xgeva", "bone-thigh-or-groin-pain", ["thigh, hip or groin"]),
])
def test_supportive_point_shows_with_its_drug_and_not_without(
        kb: KnowledgeBase, drug: str, rule_id: str, words: list[str]) -> None:
    points = _points(_guide(kb, {"treatments": [{"drug": drug, "outcome": "ongoing"}]}))
    for word in words:
        assert word in points[rule_id], word
    assert rule_id not in _points(_guide(kb, {"treatments": [{"drug": "letrozole", "outcome": "ongoing"}]}))
    assert rule_id not in _points(_guide(kb, {"treatments": [{"drug": drug, "outcome": "progressed"}]}))


def test_new_supportive_points_stay_short(kb: KnowledgeBase) -> None:
    """A guide must not get much longer: the new points are a paragraph and at most three questions."""
    for rule_id in ("side-effects-capecitabine", "side-effects-datopotamab-eyes-mouth", "side-effects-immunotherapy",
                    "side-effects-everolimus-mouth", "bone-thigh-or-groin-pain", "brain-new-headache"):
        rule = next(r for r in kb.rules if r.id == rule_id)
        assert len(rule.patient.split()) <= 110, rule_id
        assert 1 <= len(rule.questions) <= 3, rule_id


# --- U7: brain medicines ---------------------------------------------------------------------------

def test_steroid_and_seizure_points_say_not_to_stop_a_medicine_alone(kb: KnowledgeBase) -> None:
    points = _points(_guide(kb, {"sites": ["brain"]}))
    for rule_id in ("brain-steroids", "brain-seizure-medicines"):
        assert "Do not stop or change a medicine you have been given without talking to your team" in points[rule_id]


# --- U9: the new symptoms --------------------------------------------------------------------------

NEW_SYMPTOMS = {
    "sudden_bone_pain_or_cannot_bear_weight": "red-flag-possible-fracture",
    "swollen_painful_leg": "red-flag-blood-clot",
    "vomiting_cannot_keep_fluids_down": "red-flag-cannot-keep-fluids-down",
    "palpitations_or_fainting": "red-flag-palpitations-or-fainting",
    "severe_rash_or_blisters": "red-flag-severe-rash",
    "eye_pain_or_blurred_vision": "red-flag-eye-pain-or-blurred-vision",
}


@pytest.mark.parametrize(("symptom", "rule_id"), NEW_SYMPTOMS.items())
def test_each_new_symptom_on_its_own_brings_its_urgent_warning(kb: KnowledgeBase, symptom: str, rule_id: str) -> None:
    urgent = _urgent(_guide(kb, {"symptoms": [symptom]}))
    assert rule_id in urgent
    assert re.search(r"\bnow\b", urgent[rule_id])


def test_new_double_vision_without_known_brain_spread_is_no_longer_silent(kb: KnowledgeBase) -> None:
    """The review: new double vision with no known brain metastases produced no point at all."""
    assert "red-flag-eye-pain-or-blurred-vision" in _urgent(_guide(kb, {"symptoms": ["vision_change"]}))


def test_new_headache_without_known_brain_spread_is_a_tell_your_team_point_not_a_red_flag(kb: KnowledgeBase) -> None:
    guide = _guide(kb, {"sites": ["bone"], "symptoms": ["new_persistent_headache"]})
    assert "within the next few days" in _points(guide)["brain-new-headache"]
    assert "red-flag-brain-symptoms" not in _urgent(guide)


def test_new_headache_with_brain_spread_or_neurological_signs_is_urgent_instead(kb: KnowledgeBase) -> None:
    for profile in ({"sites": ["brain"], "symptoms": ["new_persistent_headache"]},
                    {"symptoms": ["new_persistent_headache", "vomiting_cannot_keep_fluids_down"]},
                    {"symptoms": ["new_persistent_headache", "eye_pain_or_blurred_vision"]}):
        guide = _guide(kb, profile)
        assert "red-flag-brain-symptoms" in _urgent(guide), profile
        assert "brain-new-headache" not in _points(guide), profile


def test_vomiting_that_keeps_fluids_out_counts_as_vomiting_for_high_calcium(kb: KnowledgeBase) -> None:
    guide = _guide(kb, {"sites": ["bone"], "symptoms": ["constipation", "vomiting_cannot_keep_fluids_down"]})
    assert "red-flag-high-calcium" in _urgent(guide)


def test_high_calcium_cites_the_esmo_bone_health_guideline(kb: KnowledgeBase) -> None:
    rule = next(r for r in kb.rules if r.id == "red-flag-high-calcium")
    assert "ESMO-BONE" in [s.id for s in rule.sources]
    assert "Coleman" in kb.sources["ESMO-BONE"].citation


def test_the_safety_sources_are_appended_as_one_block() -> None:
    """Sources added in this release are appended, so two people adding sources do not collide."""
    ids = [s["id"] for s in yaml.safe_load((RULES / "sources.yaml").read_text(encoding="utf-8"))["sources"]]
    block = ["NICE-CG75", "CRUK-MSCC", "UKONS-TRIAGE", "ESMO-BONE"]
    start = ids.index("NICE-CG75")
    assert ids[start:start + len(block)] == block


def test_fever_on_chemotherapy_for_earlier_cancer_is_urgent_too(kb: KnowledgeBase) -> None:
    guide = _guide(kb, {"symptoms": ["fever"], "treatments": [{"drug": "paclitaxel", "setting": "early",
                                                                "outcome": "ongoing"}]})
    assert "red-flag-fever-low-white-cells" in _urgent(guide)


def test_a_cough_soon_after_stopping_trastuzumab_deruxtecan_is_urgent(kb: KnowledgeBase) -> None:
    stopped = {"drug": "Enhertu", "outcome": "stopped_side_effects", "months_since_end": 1}
    assert "red-flag-cough-on-lung-inflammation-drugs" in _urgent(_guide(kb, {"symptoms": ["cough"],
                                                                              "treatments": [stopped]}))
    long_ago = {**stopped, "months_since_end": 12}
    assert "red-flag-cough-on-lung-inflammation-drugs" not in _urgent(_guide(kb, {"symptoms": ["cough"],
                                                                                  "treatments": [long_ago]}))
