"""The compiled conditions (the served path's) answer and explain exactly as the conditions do, for
condition shapes the rules do not use yet as well as those they do."""

from __future__ import annotations

from typing import Any, get_args

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_aid import vocabulary as v
from decision_aid.compiled import TOKENS, Compiler
from decision_aid.conditions import parse_when
from decision_aid.errors import KnowledgeBaseError
from decision_aid.facts import Facts
from decision_aid.knowledge_base import load_knowledge_base
from decision_aid.profile import parse_profile

KB = load_knowledge_base()
# The classes and groups a rule may name: never only medicines that are not cancer treatments (the
# loader refuses those). Profiles still list every accepted name, supportive medicines included.
_CLASSES = sorted(key for key, cls in KB.drugs.classes.items() if cls.groups != ("supportive",))
_GROUPS = sorted(key for key in KB.drugs.groups if key != "supportive")
_NAMES = sorted(KB.drugs.accepted_names())


def _fail(message: str, path: tuple[str | int, ...]) -> KnowledgeBaseError:
    return KnowledgeBaseError(message, location=path)


def _some(values: tuple[str, ...] | list[str]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(values), min_size=1, max_size=3)


_fields = st.sampled_from([
    ("subtype", get_args(v.Subtype)), ("her2", get_args(v.Her2Status)), ("er", get_args(v.ReceptorStatus)),
    ("audience", get_args(v.Audience)), ("menopausal_status", get_args(v.MenopausalStatus)),
    ("esr1", get_args(v.GeneStatus)),
]).flatmap(lambda field: _some(field[1]).map(lambda values: {field[0]: values}))
_lists = st.sampled_from([("sites", v.SITES[:4]), ("symptoms", v.SYMPTOMS[:4])]).flatmap(
    lambda pair: st.one_of(
        _some(pair[1]).map(lambda values: {pair[0]: values}),
        st.tuples(st.sampled_from(["any_of", "all_of", "none_of"]), _some(pair[1])).map(
            lambda mode: {pair[0]: {mode[0]: mode[1]}}),
        st.tuples(st.integers(1, 3), _some(pair[1])).map(lambda n: {pair[0]: {"at_least": n[0], "of": n[1]}}),
    ))
_match = st.fixed_dictionaries({}, optional={
    "class": _some(_CLASSES), "group": _some(_GROUPS), "setting": st.sampled_from(get_args(v.Setting)),
    "outcome": _some(get_args(v.Outcome)), "on_or_within_months": st.sampled_from([1, 6, 12]),
    "lowers_white_cells": st.booleans(),
}).filter(bool)
_treatments = st.one_of(
    st.tuples(st.sampled_from(["any", "none"]), _match).map(lambda m: {"treatments": {m[0]: m[1]}}),
    st.booleans().map(lambda wanted: {"has_treatments": wanted}),
)
_leaves = st.one_of(_fields, _lists, _treatments)
_whens = st.recursive(_leaves, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3).map(lambda parts: {"all": parts}),
    st.lists(inner, min_size=1, max_size=3).map(lambda parts: {"any": parts}),
    inner.map(lambda part: {"not": part}),
), max_leaves=6)

_profiles = st.fixed_dictionaries({}, optional={
    "audience": st.sampled_from(get_args(v.Audience)),
    "menopausal_status": st.sampled_from(get_args(v.MenopausalStatus)),
    "receptors": st.fixed_dictionaries({}, optional={
        "er": st.sampled_from(get_args(v.ReceptorStatus)), "pr": st.sampled_from(get_args(v.ReceptorStatus)),
        "her2": st.sampled_from(get_args(v.Her2Status))}),
    "biomarkers": st.fixed_dictionaries({}, optional={"esr1": st.sampled_from(get_args(v.GeneStatus))}),
    "sites": st.lists(st.sampled_from(v.SITES[:4]), max_size=3),
    "symptoms": st.lists(st.sampled_from(v.SYMPTOMS[:4]), max_size=3),
    "treatments": st.lists(st.fixed_dictionaries(
        {"drug": st.sampled_from(_NAMES)},
        optional={"setting": st.sampled_from(get_args(v.Setting)), "outcome": st.sampled_from(get_args(v.Outcome)),
                  "months_since_end": st.integers(0, 14)}), max_size=3),
})


@given(_whens, st.lists(_profiles, min_size=1, max_size=4))
@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
def test_compiled_conditions_answer_and_explain_as_the_conditions_do(when: dict[str, Any],
                                                                     profiles: list[dict[str, Any]]) -> None:
    condition = parse_when(when, KB.drugs, _fail)
    compiler = Compiler([condition], KB.drugs)
    test, explain, gate = compiler.test(condition), compiler.explain(condition), compiler.gate(condition)
    for data in profiles:
        facts = Facts.of(parse_profile(data, KB.drugs), KB.drugs)
        memo = compiler.start(facts)
        tokens = memo[TOKENS]
        expected = condition.matches(facts)
        assert test(facts, memo) == expected, (when, data)
        assert (gate.needs <= tokens and gate.excludes.isdisjoint(tokens)
                and (gate.rest is None or gate.rest(facts, memo))) == expected, (when, data)
        if expected:
            assert explain(facts, memo) == condition.why(facts), (when, data)


def test_every_field_a_rule_may_name_is_worked_out_once_per_profile() -> None:
    from decision_aid.conditions import _FIELDS
    from decision_aid.facts import single_values
    from decision_aid.profile import Profile

    assert set(single_values(Profile())) == set(_FIELDS)
