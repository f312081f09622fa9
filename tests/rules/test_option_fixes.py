"""The option fixes of knowledge base 2026.12.0, pinned with whole guides built by the real engine.

Each test takes a profile from the clinical review (errors E1 and E4 to E10, and the points shown when
they should not be, W1 to W3) and states what the reader must, or must not, be shown. The rule
examples pin each rule on its own; these pin what a person reads.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from decision_aid.engine import build_guide
from decision_aid.guide import Guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile

HR_POS = {"er": "positive", "pr": "positive", "her2": "negative"}
HR_POS_LOW = {"er": "positive", "pr": "positive", "her2": "low"}
HER2_POS = {"er": "negative", "pr": "negative", "her2": "positive"}
TNBC = {"er": "negative", "pr": "negative", "her2": "negative"}


def _guide(kb: KnowledgeBase, profile: dict[str, Any]) -> Guide:
    return build_guide(parse_profile(profile, kb.drugs), kb)


def _points(kb: KnowledgeBase, profile: dict[str, Any]) -> dict[str, str]:
    guide = _guide(kb, profile)
    return {p.id: f"{p.title} {p.text} {' '.join(p.questions)}" for p in guide.points}


def _mt(drug: str, outcome: str, **extra: Any) -> dict[str, Any]:
    return {"drug": drug, "setting": "metastatic", "outcome": outcome, **extra}


# --- E1 / W1: abemaciclib on its own never after a CDK4/6 inhibitor ---------------------------------

@pytest.mark.parametrize("cdk46", [
    _mt("Verzenio", "progressed"), _mt("palbociclib", "progressed"), _mt("Kisqali", "stopped_side_effects"),
    {"drug": "abemaciclib", "setting": "early", "outcome": "completed", "months_since_end": 30},
])
def test_abemaciclib_alone_is_not_offered_after_any_cdk46_inhibitor(kb: KnowledgeBase,
                                                                    cdk46: dict[str, Any]) -> None:
    points = _points(kb, {"receptors": HR_POS, "treatments": [
        _mt("letrozole", "progressed"), cdk46, _mt("capecitabine", "progressed")]})
    assert "hrpos-after-chemotherapy-trop2" in points
    for pid, text in points.items():
        assert not re.search(r"abemaciclib[^.?]*\b(?:on its own|alone)\b", text, re.IGNORECASE), pid


def test_abemaciclib_alone_is_named_when_no_cdk46_inhibitor_was_used(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": HR_POS, "treatments": [
        _mt("letrozole", "progressed"), _mt("capecitabine", "progressed")]})
    assert "abemaciclib on its own" in points["hrpos-cdk46-not-yet-used"]


# --- W2: the first-line CDK4/6 point is not shown to someone already taking one --------------------

def test_first_line_cdk46_point_is_hidden_while_on_first_line_cdk46(kb: KnowledgeBase) -> None:
    on_it = _points(kb, {"receptors": HR_POS, "treatments": [_mt("letrozole", "ongoing"), _mt("Ibrance", "ongoing")]})
    assert "hrpos-first-line-cdk46" not in on_it
    not_yet = _points(kb, {"receptors": HR_POS, "sites": ["bone", "liver"]})
    text = not_yet["hrpos-first-line-cdk46"]
    assert "different things" in text, "S1: the trials found different things"
    assert text.index("liver") < text.index("There are three"), "S9: liver and lungs follow the first sentence"


# --- W3: remission is not explained right after the cancer grew ------------------------------------

def test_remission_point_is_not_shown_after_the_cancer_grew(kb: KnowledgeBase) -> None:
    grew = [_mt("letrozole", "progressed"), _mt("Ibrance", "progressed")]
    assert "about-remission" not in _points(kb, {"receptors": HR_POS, "treatments": grew})
    assert "about-remission" in _points(kb, {"receptors": HR_POS, "treatments": grew, "concerns": ["prognosis"]})
    assert "about-remission" in _points(kb, {"receptors": HR_POS, "treatments": [_mt("letrozole", "ongoing")]})
    assert "about-remission" in _points(kb, {"receptors": HR_POS, "concerns": ["treatment_break"]})


# --- E4: TNBC not a candidate for immunotherapy -----------------------------------------------------

def test_tnbc_relapse_after_neoadjuvant_pembrolizumab_sees_the_first_line_adcs(kb: KnowledgeBase) -> None:
    points = _points(kb, {"presentation": "recurrent", "receptors": TNBC, "biomarkers": {"pdl1": "positive"},
                          "treatments": [{"drug": "pembrolizumab", "setting": "early", "outcome": "completed",
                                          "months_since_end": 3}]})
    assert "tnbc-pdl1-positive-first-line" not in points
    assert "Datroway" in points["tnbc-pdl1-negative-first-line"]
    assert "Datroway" in points["tnbc-early-relapse"]


def test_pdl1_positive_point_names_people_who_cannot_have_immunotherapy(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": TNBC, "biomarkers": {"pdl1": "positive"}})
    assert "autoimmune" in points["tnbc-pdl1-positive-first-line"]
    assert "tnbc-pdl1-negative-first-line" not in points


# --- E5 / E6: ovarian function suppression in HR+/HER2+; men after an aromatase inhibitor -----------

def test_premenopausal_hr_positive_her2_positive_sees_ovarian_function_suppression(kb: KnowledgeBase) -> None:
    points = _points(kb, {"sex": "female", "menopausal_status": "pre",
                          "receptors": {"er": "positive", "pr": "positive", "her2": "positive"}})
    assert "hrpos-ovarian-function-suppression" in points
    assert "HER2-positive" in points["hrpos-ovarian-function-suppression"]


def test_men_after_an_aromatase_inhibitor_see_exemestane_and_everolimus(kb: KnowledgeBase) -> None:
    points = _points(kb, {"sex": "male", "receptors": HR_POS,
                          "treatments": [_mt("anastrozole", "progressed"), _mt("Zoladex", "progressed")]})
    text = points["hrpos-after-letrozole-or-anastrozole"]
    assert "everolimus" in text and "GnRH agonist" in text
    assert not any("ovar" in t.lower() for t in points.values()), "no ovarian text reaches men"


# --- E7 / E8: HER2 after T-DXd stopped for side effects; heart checks on T-DXd ----------------------

def test_her2_next_options_after_tdxd_stopped_for_side_effects(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": HER2_POS, "treatments": [
        _mt("Phesgo", "progressed"), _mt("Enhertu", "stopped_side_effects")]})
    for pid in ("her2-later-lines", "her2-later-lines-tucatinib", "her2-later-lines-tdm1"):
        assert pid in points, pid
    assert "not restarted" in points["monitor-side-effect-change"]


def test_heart_checks_with_tdxd_in_her2_low_disease(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": HR_POS_LOW, "treatments": [_mt("Enhertu", "ongoing")]})
    assert "her2-heart-checks" in points


# --- E9: approval status stated plainly; no stale decision date -------------------------------------

def test_no_news_report_hedge_or_stale_decision_date(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        assert "news reports" not in rule.patient.lower(), rule.id
        if "gedatolisib" in rule.clinician:
            assert "17 Jul" not in rule.clinician, rule.id


# --- E10: chemotherapy after an antibody-drug conjugate in HR+ disease -----------------------------

def test_chemotherapy_point_after_tdxd_in_hr_positive_her2_low(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": HR_POS_LOW, "treatments": [
        _mt("letrozole", "progressed"), _mt("palbociclib", "progressed"), _mt("Enhertu", "progressed")]})
    assert "hrpos-chemotherapy-after-hormone-therapy" in points


# --- S4: oral SERDs were studied mainly after a CDK4/6 inhibitor -----------------------------------

def test_oral_serd_point_says_it_was_studied_after_a_cdk46_inhibitor(kb: KnowledgeBase) -> None:
    points = _points(kb, {"receptors": HR_POS, "biomarkers": {"esr1": "mutated"}, "treatments": [
        {"drug": "anastrozole", "setting": "early", "outcome": "progressed"}]})
    assert "already had a CDK4/6 inhibitor" in points["hrpos-esr1-oral-serd"]
