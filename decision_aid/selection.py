"""What comes first: the order of a guide's points and the few questions to ask first.

A person has about fifteen minutes with their team, so the guide puts what is personal and what the
appointment is about first. Both the guide model (:func:`decision_aid.engine.build_guide`) and the
JSON writer (:func:`decision_aid.engine.guide_json`) call these functions on the rules that fired, so
the two can never order a guide differently. The rules are written out in rules/README.md, "Order".
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from typing import Protocol, TypeVar

from decision_aid.facts import Facts
from decision_aid.vocabulary import Kind, Visit

MAX_TOP_QUESTIONS = 8
MIN_TOP_QUESTIONS = 3

#: For each kind of appointment, the kinds of point in the order they come (personal, then general).
KIND_ORDER: dict[Visit, tuple[Kind, ...]] = {
    "treatment_decision": ("option", "test", "safety", "support", "background"),
    "scan_results": ("option", "test", "safety", "support", "background"),
    "new_diagnosis": ("option", "test", "support", "background", "safety"),
    "side_effects": ("safety", "option", "support", "test", "background"),
    "check_up": ("safety", "support", "test", "option", "background"),
    "unknown": ("option", "test", "safety", "support", "background"),
}

#: The kinds of point whose first question leads the top questions, for each kind of appointment.
LEAD_KINDS: dict[Visit, tuple[Kind, ...]] = {
    "treatment_decision": ("option",),
    "scan_results": ("option", "test"),
    "new_diagnosis": ("option", "test"),
    "side_effects": ("safety",),
    "check_up": ("safety", "support"),
    "unknown": ("option",),
}
MAX_LEAD = 3
MAX_CONCERNS = 3
ROUNDS_OF_KINDS = 2


class Ranked(Protocol):
    """What the selection reads of a rule (``decision_aid.knowledge_base.Rule``)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def questions(self) -> tuple[str, ...]: ...

    def personal(self, audience: str) -> bool: ...


R = TypeVar("R", bound=Ranked)


def infer_visit(given: Visit, facts: Facts) -> Visit:
    """The appointment the guide is for: as given, or what the profile shows.

    Growth on (or stopping for side effects) the latest cancer treatment listed for metastatic cancer
    reads as a treatment decision. No cancer treatment for metastatic cancer yet, with the spread
    described, reads as a new diagnosis. Anything else stays unknown.
    """
    if given != "unknown":
        return given
    metastatic = [t for t in facts.treatments if t.given.setting == "metastatic"]
    if metastatic:
        if metastatic[-1].given.outcome in ("progressed", "stopped_side_effects"):
            return "treatment_decision"
        return "unknown"
    profile = facts.profile
    if profile.sites or profile.presentation == "de_novo":
        return "new_diagnosis"
    return "unknown"


def order_points(rules: Sequence[R], audience: str, visit: Visit, concerned: Set[str]) -> list[R]:
    """Personal points first, then general ones; each group by the kind order of the visit; within a kind
    other than options, points about a ticked concern (their ids in ``concerned``) first; then in
    knowledge-base order (topic, then file order), which puts the options of the cancer's own type
    before the general ones."""
    rank = {kind: i for i, kind in enumerate(KIND_ORDER[visit])}
    indexed = list(enumerate(rules))
    indexed.sort(key=lambda item: (not item[1].personal(audience), rank[item[1].kind],
                                   item[1].kind != "option" and item[1].id not in concerned, item[0]))
    return [rule for _, rule in indexed]


def top_questions(ordered: Sequence[R], audience: str, visit: Visit, concerned: Set[str]) -> list[tuple[str, str]]:
    """The questions to ask first, most important first, as (question, rule id); at most eight.

    Each point gives at most its first question, taken in this order until there are eight:

    1. the points of the visit's lead kinds (options when the cancer grew or a decision is coming,
       safety when the visit is about side effects…), personal ones only, at most three;
    2. the personal points about a concern the person ticked, at most three;
    3. the other personal points, one of each kind in the visit's kind order, in two rounds (so a
       test or a safety point is not crowded out by more options);
    4. when fewer than three were found and some point is personal: the next questions of the
       personal points, then the questions of the general points (first questions first).
    """
    chosen: dict[str, str] = {}
    used: set[str] = set()

    def take(rule: R, index: int = 0) -> bool:
        if len(chosen) >= MAX_TOP_QUESTIONS or index >= len(rule.questions):
            return False
        question = rule.questions[index]
        if question in chosen:
            return False
        chosen[question] = rule.id
        used.add(rule.id)
        return True

    personal = [rule for rule in ordered if rule.personal(audience)]
    lead_kinds = LEAD_KINDS[visit]
    led = 0
    for rule in personal:
        if led < MAX_LEAD and rule.kind in lead_kinds and take(rule):
            led += 1
    about_concerns = 0
    for rule in personal:
        if about_concerns < MAX_CONCERNS and rule.id in concerned and rule.id not in used and take(rule):
            about_concerns += 1
    for _ in range(ROUNDS_OF_KINDS):
        for kind in KIND_ORDER[visit]:
            candidate = next((r for r in personal if r.kind == kind and r.id not in used and r.questions
                              and r.questions[0] not in chosen), None)
            if candidate is not None:
                take(candidate)
    if personal and len(chosen) < MIN_TOP_QUESTIONS:
        general = [rule for rule in ordered if not rule.personal(audience)]
        deepest = max(len(rule.questions) for rule in ordered)
        for group, start in ((personal, 1), (general, 0)):
            for index in range(start, deepest):
                for rule in group:
                    if len(chosen) < MIN_TOP_QUESTIONS:
                        take(rule, index)
    return list(chosen.items())


def question_order(top: Sequence[tuple[str, str]], urgent: Sequence[Ranked],
                   ordered: Sequence[Ranked]) -> list[str]:
    """Every question once: the top questions first, then the urgent items' and the points' in guide order."""
    questions = dict.fromkeys(question for question, _ in top)
    for rule in (*urgent, *ordered):
        questions.update(dict.fromkeys(rule.questions))
    return list(questions)
