"""The engine: a pure function from (profile, knowledge base) to a discussion guide.

No I/O, no clock, no environment: the same profile and knowledge base always give the same guide.

:func:`build_guide` is the reference: it returns the :class:`~decision_aid.guide.Guide` model.
:func:`guide_json` is the same guide written straight to JSON for the web service, byte for byte
what ``build_guide(profile, kb).model_dump_json()`` gives. It is faster because everything in a
guide that does not depend on the profile (each rule's id, title, text, questions and sources;
the disclaimer; the glossary) is written once, by :func:`prepare`, when the knowledge base loads,
and because a condition that appears in several rules is decided once per guide (see
:class:`_Compiler`). Tests check that the two give the same bytes for every rule's examples and for
generated profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import to_json

from decision_aid.conditions import All, AnyOf, Condition, Not
from decision_aid.facts import Facts
from decision_aid.guide import GlossaryEntry, Guide, KnowledgeBaseInfo, Point, SourceRef, UrgentItem
from decision_aid.knowledge_base import KnowledgeBase, Rule
from decision_aid.profile import Profile

SHOWN_TO_EVERYONE = "General information for anyone with metastatic breast cancer"


def matching_rules(profile: Profile, kb: KnowledgeBase) -> list[Rule]:
    """The rules whose conditions hold for ``profile``, in guide order."""
    facts = Facts.of(profile, kb.drugs)
    return [rule for rule in kb.rules if rule.when.matches(facts)]


def fired(profile: Profile, kb: KnowledgeBase) -> Iterator[tuple[Rule, list[str]]]:
    """Each rule that fires for ``profile``, in guide order, with the facts that made it fire."""
    facts = Facts.of(profile, kb.drugs)
    for rule in kb.rules:
        if rule.when.matches(facts):
            yield rule, list(dict.fromkeys(rule.when.why(facts))) or [SHOWN_TO_EVERYONE]


def build_guide(profile: Profile, kb: KnowledgeBase) -> Guide:
    """Build the discussion guide for one profile.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> guide = build_guide(Profile(), load_knowledge_base())
        >>> guide.urgent, bool(guide.disclaimer)
        ([], True)
    """
    clinician = profile.audience == "clinician"
    urgent: list[UrgentItem] = []
    points: list[Point] = []
    questions: dict[str, None] = {}
    terms: set[str] = set()
    for rule, why in fired(profile, kb):
        sources = [SourceRef(id=s.id, citation=s.citation) for s in rule.sources]
        text = rule.clinician if clinician else rule.patient
        if rule.urgent:
            urgent.append(UrgentItem(id=rule.id, title=rule.title, text=text, why=why, sources=sources))
        else:
            points.append(Point(id=rule.id, topic=rule.topic, title=rule.title, text=text, why=why,
                                questions=list(rule.questions), sources=sources))
        for question in rule.questions:
            questions.setdefault(question, None)
        terms.update(rule.glossary)
    glossary = [GlossaryEntry(term=t, definition=d) for t, d in kb.glossary.items() if t in terms]
    return Guide(
        disclaimer=_disclaimer(kb, clinician),
        audience=profile.audience,
        knowledge_base=_info(kb),
        urgent=urgent,
        points=points,
        questions=list(questions),
        glossary=glossary,
    )


def _disclaimer(kb: KnowledgeBase, clinician: bool) -> str:
    return kb.meta.disclaimer.clinician if clinician else kb.meta.disclaimer.patient


def _info(kb: KnowledgeBase) -> KnowledgeBaseInfo:
    return KnowledgeBaseInfo(version=kb.meta.version, reviewed_on=kb.meta.reviewed_on.isoformat())


# --- deciding which rules fire, with less work ------------------------------------------------

# A guide's memo: slot i holds leaf i's answer (None: not yet asked); slot n + i, its reasons.
_Memo = list[Any]
_Test = Callable[[Facts, _Memo], bool]
_Explain = Callable[[Facts, _Memo], list[str]]


class _Compiler:
    """Turn condition trees into closures that give the answers of ``matches`` and ``why``.

    ``all``, ``any`` and ``not`` become plain closures. Every other condition is a leaf, asked
    through its own ``matches`` and ``why``, and equal leaves share one memo slot, so the subtype
    test that thirty rules share is decided once per guide.
    """

    def __init__(self) -> None:
        self.leaves: dict[Condition, int] = {}

    def test(self, node: Condition) -> _Test:
        if type(node) is All or type(node) is AnyOf:
            parts = tuple(self.test(part) for part in node.parts)
            if len(parts) == 1:
                return parts[0]
            if type(node) is All:
                return _all_of(parts)
            return _any_of(parts)
        if type(node) is Not:
            inner = self.test(node.part)
            return lambda facts, memo: not inner(facts, memo)
        slot = self.leaves.setdefault(node, len(self.leaves))
        matches = node.matches

        def leaf(facts: Facts, memo: _Memo) -> bool:
            answer: bool | None = memo[slot]
            if answer is None:
                answer = memo[slot] = matches(facts)
            return answer

        return leaf

    def explain(self, node: Condition) -> _Explain:
        if type(node) is All:
            parts = tuple(self.explain(part) for part in node.parts)
            return lambda facts, memo: [line for part in parts for line in part(facts, memo)]
        if type(node) is AnyOf:
            pairs = tuple((self.test(part), self.explain(part)) for part in node.parts)
            return lambda facts, memo: next((why(facts, memo) for holds, why in pairs if holds(facts, memo)), [])
        if type(node) is Not:
            return lambda facts, memo: []
        index = self.leaves.setdefault(node, len(self.leaves))
        why = node.why

        def leaf(facts: Facts, memo: _Memo) -> list[str]:
            slot = len(memo) // 2 + index
            lines: list[str] | None = memo[slot]
            if lines is None:
                lines = memo[slot] = why(facts)
            return lines

        return leaf


def _all_of(parts: tuple[_Test, ...]) -> _Test:
    def all_of(facts: Facts, memo: _Memo) -> bool:
        for part in parts:  # noqa: SIM110 - a loop, not all(genexpr): it runs for every rule of every guide
            if not part(facts, memo):
                return False
        return True

    return all_of


def _any_of(parts: tuple[_Test, ...]) -> _Test:
    def any_of(facts: Facts, memo: _Memo) -> bool:
        for part in parts:  # noqa: SIM110 - as above
            if part(facts, memo):
                return True
        return False

    return any_of


# --- the same guide, written straight to JSON ---------------------------------------------------

_WHY = b'"why":[]'
_ENDING = b'"urgent":[],"points":[],"questions":[],"glossary":[]}'


@dataclass(frozen=True, slots=True)
class _Written:
    """One rule as JSON, split where its ``why`` list goes (``head + why + tail``), and its condition
    compiled."""

    rule: Rule
    heads: tuple[bytes, bytes]  # for patients, for clinicians
    tail: bytes
    holds: _Test
    explain: _Explain


@dataclass(frozen=True)
class PreparedKnowledgeBase:
    """A knowledge base with every part of a guide that does not depend on the profile written as JSON."""

    kb: KnowledgeBase
    rules: tuple[_Written, ...]
    leaves: int
    openings: Mapping[str, bytes]  # by audience: the guide up to its urgent list
    questions: Mapping[str, bytes]
    glossary: Mapping[str, bytes]
    glossary_order: Mapping[str, int]


def prepare(kb: KnowledgeBase) -> PreparedKnowledgeBase:
    """Write once what every guide from ``kb`` shares; pass the result to :func:`guide_json`.

    Each piece is written by the guide's own pydantic models, so the JSON cannot drift from
    ``Guide.model_dump_json()``.
    """
    compiler = _Compiler()
    rules: list[_Written] = []
    for rule in kb.rules:
        heads = []
        tail = b""
        for text in (rule.patient, rule.clinician):
            sources = [SourceRef(id=s.id, citation=s.citation) for s in rule.sources]
            model: UrgentItem | Point
            if rule.urgent:
                model = UrgentItem(id=rule.id, title=rule.title, text=text, why=[], sources=sources)
            else:
                model = Point(id=rule.id, topic=rule.topic, title=rule.title, text=text, why=[],
                              questions=list(rule.questions), sources=sources)
            head, found, tail = model.model_dump_json().encode().partition(_WHY)
            if not found:
                raise AssertionError(f"{rule.id}: the written point has no empty 'why' list to fill in")
            heads.append(head + b'"why":')
        rules.append(_Written(rule, (heads[0], heads[1]), tail, compiler.test(rule.when),
                              compiler.explain(rule.when)))
    openings = {}
    for audience in ("patient", "clinician"):
        empty = Guide(disclaimer=_disclaimer(kb, audience == "clinician"), audience=audience,
                      knowledge_base=_info(kb), urgent=[], points=[], questions=[], glossary=[])
        written = empty.model_dump_json().encode()
        if not written.endswith(_ENDING):
            raise AssertionError("the Guide model's last fields are no longer urgent, points, questions, glossary")
        openings[audience] = written[: -len(_ENDING)] + b'"urgent":['
    questions = {q: to_json(q) for rule in kb.rules for q in rule.questions}
    glossary = {t: GlossaryEntry(term=t, definition=d).model_dump_json().encode() for t, d in kb.glossary.items()}
    return PreparedKnowledgeBase(kb, tuple(rules), len(compiler.leaves), openings, questions, glossary,
                                 {term: i for i, term in enumerate(kb.glossary)})


def guide_json(profile: Profile, prepared: PreparedKnowledgeBase) -> tuple[bytes, list[str]]:
    """The guide for ``profile`` as JSON, and the ids of the rules that fired (urgent ones first).

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> body, rule_ids = guide_json(Profile(), prepare(kb))
        >>> body == build_guide(Profile(), kb).model_dump_json().encode()
        True
    """
    urgent: list[bytes] = []
    points: list[bytes] = []
    urgent_ids: list[str] = []
    point_ids: list[str] = []
    questions: dict[str, None] = {}
    terms: set[str] = set()
    clinician = profile.audience == "clinician"
    facts = Facts.of(profile, prepared.kb.drugs)
    memo: _Memo = [None] * (2 * prepared.leaves)
    for part in prepared.rules:
        if not part.holds(facts, memo):
            continue
        rule = part.rule
        why = list(dict.fromkeys(part.explain(facts, memo))) or [SHOWN_TO_EVERYONE]
        piece = part.heads[clinician] + to_json(why) + part.tail
        if rule.urgent:
            urgent.append(piece)
            urgent_ids.append(rule.id)
        else:
            points.append(piece)
            point_ids.append(rule.id)
        for question in rule.questions:
            questions.setdefault(question, None)
        terms.update(rule.glossary)
    order = prepared.glossary_order
    body = b"".join((
        prepared.openings[profile.audience], b",".join(urgent),
        b'],"points":[', b",".join(points),
        b'],"questions":[', b",".join([prepared.questions[q] for q in questions]),
        b'],"glossary":[', b",".join([prepared.glossary[t] for t in sorted(terms, key=order.__getitem__)]),
        b"]}",
    ))
    return body, urgent_ids + point_ids
