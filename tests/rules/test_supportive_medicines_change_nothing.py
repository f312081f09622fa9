"""Medicines that are not cancer treatments never change a guide's points: every rule's examples,
with such a medicine added in any setting and with any outcome, give the same point and urgent ids,
and the served fast path still writes exactly the reference guide."""

from __future__ import annotations

from itertools import product
from typing import Any, get_args

import pytest

from decision_aid import vocabulary as v
from decision_aid.checks import ExampleCase, example_cases
from decision_aid.conditions import parse_when
from decision_aid.engine import build_guide, guide_json, prepare
from decision_aid.errors import KnowledgeBaseError
from decision_aid.facts import Facts
from decision_aid.knowledge_base import load_knowledge_base
from decision_aid.profile import MAX_TREATMENTS, parse_profile

KB = load_knowledge_base()
PREPARED = prepare(KB)
CASES = list(example_cases(KB))
#: Every accepted name that stands for such a medicine (generics, brands, aliases, class names).
SUPPORTIVE_NAMES = sorted(n for n in KB.drugs.accepted_names() if KB.drugs.resolve(n).supportive)
HOW_GIVEN = [{"setting": s, "outcome": o, **({"months_since_end": m} if m is not None else {})}
             for s, o, m in product(get_args(v.Setting), get_args(v.Outcome), (None, 0, 3, 24))]


def _fail(message: str, path: tuple[str | int, ...]) -> KnowledgeBaseError:
    return KnowledgeBaseError(message, location=path)


def _ids(profile_data: dict[str, Any]) -> tuple[list[str], list[str]]:
    guide = build_guide(parse_profile(profile_data, KB.drugs), KB)
    return [u.id for u in guide.urgent], [p.id for p in guide.points]


def _with(profile_data: dict[str, Any], added: list[dict[str, Any]], first: bool) -> dict[str, Any]:
    treatments = list(profile_data.get("treatments", []))
    room = MAX_TREATMENTS - len(treatments)
    added = added[:room]
    return {**profile_data, "treatments": added + treatments if first else treatments + added}


def test_there_are_many_such_names_to_try() -> None:
    assert len(SUPPORTIVE_NAMES) > 150 and "ondansetron" in SUPPORTIVE_NAMES and "steroids" not in SUPPORTIVE_NAMES


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.case_id)
def test_adding_medicines_that_are_not_cancer_treatments_changes_no_point(case: ExampleCase) -> None:
    number = CASES.index(case)
    before = _ids(case.profile)
    # Each case gets its own medicines and ways of giving them, so that over all cases every name
    # and every setting, outcome and month count is tried, first and last in the list.
    for turn in range(3):
        k = 3 * number + turn
        added = [{"drug": SUPPORTIVE_NAMES[(k + j * 7) % len(SUPPORTIVE_NAMES)], **HOW_GIVEN[(k + j) % len(HOW_GIVEN)]}
                 for j in range(1 + turn)]
        data = _with(case.profile, added, first=turn % 2 == 0)
        assert _ids(data) == before, (case.case_id, added)
        profile = parse_profile(data, KB.drugs)
        body, rule_ids = guide_json(profile, PREPARED)
        reference = build_guide(profile, KB)
        assert body == reference.model_dump_json().encode(), (case.case_id, added)
        assert rule_ids == [u.id for u in reference.urgent] + [p.id for p in reference.points]
        medicine_notices = [n for n in reference.notices if n.code == "not_a_cancer_medicine"]
        assert len(medicine_notices) == len({KB.drugs.resolve(a["drug"]) for a in added})


@pytest.mark.parametrize("name", SUPPORTIVE_NAMES)
def test_each_such_medicine_alone_gives_the_guide_of_no_treatment(name: str) -> None:
    before = _ids({})
    for how in HOW_GIVEN[::5]:
        assert _ids({"treatments": [{"drug": name, **how}]}) == before, (name, how)


@pytest.mark.parametrize("when", [
    {"has_treatments": True},
    {"has_treatments": False},
    {"treatments": {"none": {"setting": "metastatic", "outcome": "progressed"}}},
    {"treatments": {"any": {"outcome": "progressed"}}},
    {"treatments": {"any": {"lowers_white_cells": False}}},
    {"treatments": {"none": {"lowers_white_cells": False}}},
    {"treatments": {"any": {"on_or_within_months": 12}}},
])
def test_no_treatment_condition_reads_such_a_medicine(when: dict[str, Any]) -> None:
    condition = parse_when(when, KB.drugs, _fail)
    empty = Facts.of(parse_profile({}, KB.drugs), KB.drugs)
    for how in HOW_GIVEN:
        facts = Facts.of(parse_profile({"treatments": [{"drug": "ondansetron", **how},
                                                       {"drug": "Tylenol", **how}]}, KB.drugs), KB.drugs)
        assert facts.treatments == ()
        assert condition.matches(facts) == condition.matches(empty), (when, how)


@pytest.mark.parametrize("match", [{"drug": "ondansetron"}, {"class": "steroid"}, {"class": ["antiemetic", "laxative"]},
                                   {"group": "supportive"}])
def test_a_rule_may_not_ask_about_such_a_medicine(match: dict[str, Any]) -> None:
    """A condition that could never hold is refused when the rules load, rather than silently never firing."""
    with pytest.raises(KnowledgeBaseError, match="not cancer treatments"):
        parse_when({"treatments": {"any": match}}, KB.drugs, _fail)
    # A match that also names a cancer medicine's class is still allowed.
    if "class" in match:
        classes = [match["class"]] if isinstance(match["class"], str) else match["class"]
        parse_when({"treatments": {"any": {"class": [*classes, "chemotherapy"]}}}, KB.drugs, _fail)


def test_every_notice_is_plain() -> None:
    """A notice is patient text too: each medicine's notice stays within the readability limit."""
    from decision_aid.notices import medicine_notices
    from decision_aid.readability import MAX_LIMIT, grade, masker_for

    mask = masker_for(KB)
    grades = {}
    for name in SUPPORTIVE_NAMES:
        (notice,) = medicine_notices(parse_profile({"treatments": [{"drug": name}]}, KB.drugs), KB.drugs)
        grades[notice.text] = grade(notice.text, mask)
    assert max(grades.values()) <= MAX_LIMIT, max(grades.items(), key=lambda item: item[1])
