"""The guide's shape for every profile: kinds, personal points first, the few top questions, what it
understood and its notices (rules/README.md, "Order")."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from profile_strategies import profiles

from decision_aid.engine import build_guide
from decision_aid.facts import Facts
from decision_aid.guide import Guide
from decision_aid.knowledge_base import load_knowledge_base
from decision_aid.profile import Profile, parse_profile
from decision_aid.selection import KIND_ORDER
from decision_aid.vocabulary import KINDS, VISITS

KB = load_knowledge_base()
EXAMPLES = [example for rule in KB.rules for example in (*rule.examples.triggers, *rule.examples.does_not_trigger)]

GREW_ON_LETROZOLE_AND_IBRANCE: dict[str, Any] = {
    "receptors": {"er": "positive", "pr": "positive", "her2": "negative"}, "sites": ["bone"],
    "treatments": [{"drug": "letrozole", "outcome": "progressed"}, {"drug": "Ibrance", "outcome": "progressed"}],
}


def guide_for(data: dict[str, Any]) -> Guide:
    return build_guide(parse_profile(data, KB.drugs), KB)


def assert_shape(data: dict[str, Any]) -> None:
    profile = parse_profile(data, KB.drugs)
    guide = build_guide(profile, KB)
    empty_facts = Facts.of(Profile(audience=profile.audience), KB.drugs)
    for point in guide.points:
        assert point.kind in KINDS
        assert point.personal == (not KB.by_id[point.id].when.matches(empty_facts)), point.id
    personal = [p.personal for p in guide.points]
    assert personal == sorted(personal, reverse=True), "personal points first"
    for group in (True, False):
        ranks = [KIND_ORDER[guide.visit].index(p.kind) for p in guide.points if p.personal is group]
        assert ranks == sorted(ranks), "each group in the visit's kind order"
    top = [q.text for q in guide.top_questions]
    assert len(top) <= 8 and len(set(top)) == len(top)
    if any(personal):
        assert len(top) >= 3
    assert guide.questions[: len(top)] == top, "questions start with the top questions"
    assert len(set(guide.questions)) == len(guide.questions)
    questions_of = {p.id: p.questions for p in guide.points}
    for question in guide.top_questions:
        assert question.text in questions_of.get(question.point_id, []), question
    assert (guide.safety_line is None) == (profile.audience == "clinician")
    if data in ({}, {"audience": "clinician"}):
        assert guide.understood == [] and not any(personal)


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_every_rule_example_has_the_focused_shape(index: int) -> None:
    for audience in ("patient", "clinician"):
        assert_shape({**EXAMPLES[index], "audience": audience})


@given(profiles)
@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_generated_profiles_have_the_focused_shape(profile: dict[str, Any]) -> None:
    assert_shape(profile)


def test_an_empty_profile_is_all_background_with_no_top_questions() -> None:
    guide = guide_for({})
    assert guide.points and not any(p.personal for p in guide.points)
    assert guide.top_questions == [] and guide.understood == [] and guide.notices == []
    assert guide.safety_line and "emergency services" in guide.safety_line


def test_growth_on_letrozole_and_ibrance_reads_as_a_treatment_decision_and_asks_about_options_first() -> None:
    guide = guide_for(GREW_ON_LETROZOLE_AND_IBRANCE)
    assert guide.visit == "treatment_decision"
    first = guide.top_questions[0]
    assert next(p for p in guide.points if p.id == first.point_id).kind == "option"
    assert guide.points[0].kind == "option" and guide.points[0].personal
    assert "Palbociclib (Ibrance) for metastatic cancer: the cancer grew during it" in guide.understood
    assert "ER positive, PR positive, HER2 negative" in guide.understood


def test_the_visit_changes_what_comes_first_never_which_points_exist() -> None:
    data = {**GREW_ON_LETROZOLE_AND_IBRANCE, "concerns": ["side_effects"]}
    ids = {visit: {p.id for p in guide_for({**data, "visit": visit}).points} for visit in VISITS}
    assert len({frozenset(found) for found in ids.values()}) == 1
    side_effects = guide_for({**data, "visit": "side_effects"})
    assert side_effects.points[0].kind == "safety"
    lead = next(p for p in side_effects.points if p.id == side_effects.top_questions[0].point_id)
    assert lead.kind == "safety"


def test_a_ticked_concern_gets_a_top_question() -> None:
    guide = guide_for({**GREW_ON_LETROZOLE_AND_IBRANCE, "concerns": ["stopping_treatment"]})
    stopping = next(p for p in guide.points if p.id == "monitor-stopping-treatment")
    assert stopping.questions[0] in [q.text for q in guide.top_questions]


def test_a_new_diagnosis_is_inferred_when_no_metastatic_treatment_is_listed() -> None:
    assert guide_for({"presentation": "de_novo", "receptors": {"her2": "positive"}}).visit == "new_diagnosis"
    assert guide_for({"sites": ["liver"], "treatments": [{"drug": "letrozole", "setting": "early"}]}).visit == \
        "new_diagnosis"
    assert guide_for({"treatments": [{"drug": "letrozole", "outcome": "ongoing"}]}).visit == "unknown"
    assert guide_for({**GREW_ON_LETROZOLE_AND_IBRANCE, "visit": "check_up"}).visit == "check_up"


@pytest.mark.parametrize(("data", "rule_id"), [
    ({"receptors": {"er": "positive", "her2": "negative"}, "treatments": [{"drug": "Herceptin", "outcome": "ongoing"}]},
     "details-her2-medicine-her2-negative"),
    ({"receptors": {"er": "negative", "pr": "negative", "her2": "negative"},
      "treatments": [{"drug": "Femara", "outcome": "ongoing"}]}, "details-hormone-medicine-hr-negative"),
])
def test_details_that_do_not_fit_get_a_notice_and_a_point(data: dict[str, Any], rule_id: str) -> None:
    guide = guide_for(data)
    assert [n.code for n in guide.notices] == ["details_do_not_fit"]
    assert "confirm your ER, PR and HER2 results" in guide.notices[0].text
    point = next(p for p in guide.points if p.id == rule_id)
    assert point.personal and point.kind == "test"
    assert point.questions[0] in [q.text for q in guide.top_questions]


def test_details_that_fit_get_no_notice() -> None:
    assert guide_for({"receptors": {"er": "negative", "pr": "negative", "her2": "low"},
                      "treatments": [{"drug": "Enhertu", "outcome": "ongoing"}]}).notices == []
