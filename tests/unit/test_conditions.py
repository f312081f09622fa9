from __future__ import annotations

from typing import Any

import pytest

from decision_aid.conditions import parse_when
from decision_aid.errors import KnowledgeBaseError
from decision_aid.facts import Facts
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile


def _fail(message: str, path: tuple[str | int, ...]) -> KnowledgeBaseError:
    return KnowledgeBaseError(message, location=path)


def _check(kb: KnowledgeBase, when: dict[str, Any], profile: dict[str, Any]) -> tuple[bool, list[str]]:
    condition = parse_when(when, kb.drugs, _fail)
    facts = Facts.of(parse_profile(profile, kb.drugs), kb.drugs)
    return condition.matches(facts), condition.why(facts)


ENDOCRINE_RESISTANT = {"treatments": {"any": {"group": "endocrine", "setting": "early", "on_or_within_months": 12}}}


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"treatments": [{"drug": "anastrozole", "setting": "early", "months_since_end": 6}]}, True),
        ({"treatments": [{"drug": "anastrozole", "setting": "early", "months_since_end": 12}]}, True),
        ({"treatments": [{"drug": "anastrozole", "setting": "early", "months_since_end": 13}]}, False),
        ({"treatments": [{"drug": "tamoxifen", "setting": "early", "outcome": "progressed"}]}, True),
        ({"treatments": [{"drug": "tamoxifen", "setting": "early", "outcome": "completed"}]}, False),
        ({"treatments": [{"drug": "letrozole", "setting": "metastatic", "months_since_end": 2}]}, False),
        ({"treatments": [{"drug": "paclitaxel", "setting": "early", "months_since_end": 2}]}, False),
    ],
)
def test_relapse_on_or_within_twelve_months_of_adjuvant_endocrine_therapy(
        kb: KnowledgeBase, profile: dict[str, Any], expected: bool) -> None:
    assert _check(kb, ENDOCRINE_RESISTANT, profile)[0] is expected


def test_why_names_the_treatment_as_read(kb: KnowledgeBase) -> None:
    matched, why = _check(kb, {"treatments": {"any": {"class": "cdk46_inhibitor", "outcome": "progressed"}}},
                          {"treatments": [{"drug": "Ibrance", "outcome": "progressed"}]})
    assert matched
    assert why == ["Treatment listed: 'Ibrance' (read as palbociclib, CDK4/6 inhibitor), for metastatic cancer, "
                   "the cancer grew during it"]


def test_list_modes(kb: KnowledgeBase) -> None:
    profile = {"symptoms": ["back_pain", "constipation", "nausea"]}
    assert _check(kb, {"symptoms": {"all_of": ["back_pain", "nausea"]}}, profile)[0]
    assert not _check(kb, {"symptoms": {"all_of": ["back_pain", "fever"]}}, profile)[0]
    assert _check(kb, {"symptoms": {"at_least": 2, "of": ["constipation", "nausea", "fever"]}}, profile)[0]
    assert not _check(kb, {"symptoms": {"at_least": 3, "of": ["constipation", "nausea", "fever"]}}, profile)[0]
    assert _check(kb, {"symptoms": {"none_of": ["fever"]}}, profile)[0]
    assert _check(kb, {"symptoms": {"at_least": 2, "of": ["constipation", "nausea"]}}, profile)[1] == [
        "Symptoms listed: constipation, nausea"]


def test_combinators_and_describe(kb: KnowledgeBase) -> None:
    when = {"any": [{"sites": ["bone"]}, {"all": [{"er": "positive"}, {"not": {"sex": "male"}}]}]}
    condition = parse_when(when, kb.drugs, _fail)
    assert condition.describe() == "any of: sites include any of: bone; or (er is positive and not (sex is male))"
    assert _check(kb, when, {"receptors": {"er": "positive"}})[0]
    assert not _check(kb, when, {"receptors": {"er": "positive"}, "sex": "male"})[0]
    assert _check(kb, when, {"sites": ["bone"], "sex": "male"}) == (True, ["Cancer has spread to: bones"])


def test_derived_subtype_condition(kb: KnowledgeBase) -> None:
    when = {"subtype": "triple_negative"}
    assert _check(kb, when, {"receptors": {"er": "negative", "pr": "negative", "her2": "low"}}) == (
        True, ["Type of breast cancer: triple negative"])
    assert not _check(kb, when, {"receptors": {"er": "negative", "her2": "low"}})[0]


def test_empty_when_means_always(kb: KnowledgeBase) -> None:
    assert _check(kb, {}, {}) == (True, [])
