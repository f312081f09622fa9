"""The web service writes guides with ``guide_json`` (pre-written JSON, compiled conditions) for
speed; it must give, byte for byte, what the reference ``build_guide(...).model_dump_json()`` gives."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from profile_strategies import profiles

from decision_aid.engine import build_guide, guide_json, prepare
from decision_aid.knowledge_base import KnowledgeBase, load_knowledge_base
from decision_aid.profile import parse_profile

KB = load_knowledge_base()
PREPARED = prepare(KB)


def _same(profile_data: dict[str, Any], kb: KnowledgeBase = KB) -> None:
    profile = parse_profile(profile_data, kb.drugs)
    prepared = PREPARED if kb is KB else prepare(kb)
    served, rule_ids = guide_json(profile, prepared)
    reference = build_guide(profile, kb)
    assert served == reference.model_dump_json().encode(), profile_data
    assert rule_ids == [item.id for item in reference.urgent] + [point.id for point in reference.points]


@pytest.mark.parametrize("rule_id", [rule.id for rule in KB.rules])
def test_every_rule_example(rule_id: str) -> None:
    examples = KB.by_id[rule_id].examples
    for example in [*examples.triggers, *examples.does_not_trigger]:
        for audience in ("patient", "clinician"):
            _same({**example, "audience": audience})


@given(profiles)
@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_generated_profiles(profile: dict[str, Any]) -> None:
    _same(profile)


def test_a_small_knowledge_base_too() -> None:
    from pathlib import Path

    small = load_knowledge_base(Path(__file__).resolve().parents[1] / "fixtures" / "rules_minimal")
    for profile in ({}, {"sites": ["bone"]}, {"audience": "clinician", "sites": ["bone", "liver"]}):
        _same(profile, small)


def test_the_prepared_form_follows_the_knowledge_base_it_was_made_from() -> None:
    assert PREPARED.kb is KB
    assert [part.rule.id for part in PREPARED.rules] == [rule.id for rule in KB.rules]
