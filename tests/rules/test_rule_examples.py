"""Every rule's example profiles, run through the real engine (like ehrQL's assurance tests)."""

from __future__ import annotations

import pytest

from decision_aid.checks import ExampleCase, example_cases
from decision_aid.knowledge_base import KnowledgeBase, load_knowledge_base

CASES = list(example_cases(load_knowledge_base()))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.case_id)
def test_rule_example(case: ExampleCase, kb: KnowledgeBase) -> None:
    failure = case.failure(kb)
    assert failure is None, failure


def test_every_rule_has_examples_both_ways(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        assert rule.examples.triggers, rule.id
        assert rule.examples.does_not_trigger, rule.id


def test_every_rule_cites_a_source_that_resolves(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        assert rule.sources, rule.id
        for source in rule.sources:
            assert kb.sources[source.id].citation, (rule.id, source.id)


def test_every_glossary_term_a_rule_names_is_defined(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        for term in rule.glossary:
            assert kb.glossary[term], (rule.id, term)


def test_non_urgent_rules_have_questions(kb: KnowledgeBase) -> None:
    assert [r.id for r in kb.rules if not r.urgent and not r.questions] == []


def test_an_empty_profile_triggers_no_red_flag_and_no_drug_specific_point(kb: KnowledgeBase) -> None:
    from decision_aid.engine import matching_rules
    from decision_aid.profile import Profile

    fired = matching_rules(Profile(), kb)
    topics = {r.topic for r in fired}
    assert "red_flags" not in topics
    assert not topics & {"hormone_receptor_positive", "her2_positive", "triple_negative", "side_effects"}
