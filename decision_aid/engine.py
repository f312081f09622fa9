"""The engine: a pure function from (profile, knowledge base) to a discussion guide.

No I/O, no clock, no environment: the same profile and knowledge base always give the same guide.

:func:`build_guide` is the reference: it returns the :class:`~decision_aid.guide.Guide` model.
:func:`guide_json` is the same guide written straight to JSON for the web service, byte for byte
what ``build_guide(profile, kb).model_dump_json()`` gives. It is faster because everything in a
guide that does not depend on the profile (each rule's id, title, text, questions and sources;
the disclaimer; the glossary, and the whole JSON of a rule whose "why" lines cannot depend on the
profile) is written once, by :func:`prepare`, when the knowledge base loads, and because the
conditions are compiled into set operations and closures (see :mod:`decision_aid.compiled`). Tests
check that the two give the same bytes for every rule's examples and for generated profiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain

from pydantic_core import to_json

from decision_aid.compiled import TOKENS, Compiler, Explain, Memo, Test
from decision_aid.facts import Facts
from decision_aid.guide import GlossaryEntry, Guide, KnowledgeBaseInfo, Point, SourceRef, UrgentItem
from decision_aid.knowledge_base import KnowledgeBase, Rule
from decision_aid.notices import medicine_notices
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
        disclaimer=disclaimer_for(kb, clinician),
        audience=profile.audience,
        knowledge_base=_info(kb),
        notices=medicine_notices(profile, kb.drugs),
        urgent=urgent,
        points=points,
        questions=list(questions),
        glossary=glossary,
    )


def disclaimer_for(kb: KnowledgeBase, clinician: bool) -> str:
    """The disclaimer for clinicians or for patients."""
    return kb.meta.disclaimer.clinician if clinician else kb.meta.disclaimer.patient


def _info(kb: KnowledgeBase) -> KnowledgeBaseInfo:
    return KnowledgeBaseInfo(version=kb.meta.version, reviewed_on=kb.meta.reviewed_on.isoformat())


# --- the same guide, written straight to JSON ---------------------------------------------------

_WHY = b'"why":[]'
_ENDING = b'"notices":[],"urgent":[],"points":[],"questions":[],"glossary":[]}'


@dataclass(frozen=True, slots=True)
class _Written:
    """One rule, ready to be written: its condition compiled, and its JSON for each audience, either
    whole (``pieces``, when its ``why`` list cannot depend on the profile) or split where the ``why``
    list goes (``heads[audience] + why + tail``)."""

    rule: Rule
    urgent: bool
    needs: frozenset[str]  # the compiled condition: see decision_aid.compiled.Gate
    excludes: frozenset[str]
    rest: Test | None
    pieces: tuple[bytes, bytes] | None  # for patients, for clinicians
    heads: tuple[bytes, bytes]
    tail: bytes
    explain: Explain
    questions: tuple[bytes, ...]  # each question as JSON, in order
    terms: tuple[int, ...]  # positions of its glossary terms in the knowledge base's glossary


@dataclass(frozen=True)
class PreparedKnowledgeBase:
    """A knowledge base with every part of a guide that does not depend on the profile written as JSON."""

    kb: KnowledgeBase
    rules: tuple[_Written, ...]
    start: Callable[[Facts], Memo]  # the memo for one guide
    openings: Mapping[str, bytes]  # by audience: the guide up to its notices
    glossary: tuple[bytes, ...]  # in the knowledge base's order


def prepare(kb: KnowledgeBase) -> PreparedKnowledgeBase:
    """Write once what every guide from ``kb`` shares; pass the result to :func:`guide_json`.

    Each piece is written by the guide's own pydantic models, so the JSON cannot drift from
    ``Guide.model_dump_json()``.
    """
    compiler = Compiler([rule.when for rule in kb.rules], kb.drugs)
    term_position = {term: i for i, term in enumerate(kb.glossary)}
    rules = tuple(_write_rule(rule, compiler, term_position) for rule in kb.rules)
    openings = {}
    for audience in ("patient", "clinician"):
        empty = Guide(disclaimer=disclaimer_for(kb, audience == "clinician"), audience=audience,
                      knowledge_base=_info(kb), urgent=[], points=[], questions=[], glossary=[])
        written = empty.model_dump_json().encode()
        if not written.endswith(_ENDING):
            raise AssertionError("the Guide model's last fields are no longer notices, urgent, points, questions, "
                                 "glossary")
        openings[audience] = written[: -len(_ENDING)] + b'"notices":['
    glossary = tuple(GlossaryEntry(term=t, definition=d).model_dump_json().encode() for t, d in kb.glossary.items())
    return PreparedKnowledgeBase(kb, rules, compiler.start, openings, glossary)


def _write_rule(rule: Rule, compiler: Compiler, term_position: Mapping[str, int]) -> _Written:
    heads = []
    tail = b""
    sources = [SourceRef(id=s.id, citation=s.citation) for s in rule.sources]
    for text in (rule.patient, rule.clinician):
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
    fixed = rule.when.fixed_why()
    pieces = None
    if fixed is not None:
        why = to_json(list(dict.fromkeys(fixed)) or [SHOWN_TO_EVERYONE])
        pieces = (heads[0] + why + tail, heads[1] + why + tail)
    gate = compiler.gate(rule.when)
    return _Written(rule, rule.urgent, gate.needs, gate.excludes, gate.rest, pieces, (heads[0], heads[1]), tail,
                    compiler.explain(rule.when), tuple(to_json(q) for q in rule.questions),
                    tuple(term_position[t] for t in rule.glossary))


def guide_json(profile: Profile, prepared: PreparedKnowledgeBase) -> tuple[bytes, list[str]]:
    """The guide for ``profile`` as JSON, and the ids of the rules that fired (urgent ones first).

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> body, rule_ids = guide_json(Profile(), prepare(kb))
        >>> body == build_guide(Profile(), kb).model_dump_json().encode()
        True
    """
    clinician = profile.audience == "clinician"
    facts = Facts.of(profile, prepared.kb.drugs)
    memo = prepared.start(facts)
    tokens = memo[TOKENS]
    fired = [part for part in prepared.rules if part.needs <= tokens and part.excludes.isdisjoint(tokens)
             and (part.rest is None or part.rest(facts, memo))]
    urgent: list[bytes] = []
    points: list[bytes] = []
    for part in fired:
        if part.pieces is not None:
            written = part.pieces[clinician]
        else:
            why = list(dict.fromkeys(part.explain(facts, memo))) or [SHOWN_TO_EVERYONE]
            written = b"".join((part.heads[clinician], to_json(why), part.tail))
        (urgent if part.urgent else points).append(written)
    questions = dict.fromkeys(chain.from_iterable([part.questions for part in fired]))
    terms = sorted(set(chain.from_iterable([part.terms for part in fired])))
    glossary = prepared.glossary
    notices = [notice.model_dump_json().encode() for notice in medicine_notices(profile, prepared.kb.drugs)]
    body = b"".join((
        prepared.openings[profile.audience], b",".join(notices),
        b'],"urgent":[', b",".join(urgent),
        b'],"points":[', b",".join(points),
        b'],"questions":[', b",".join(questions),
        b'],"glossary":[', b",".join([glossary[i] for i in terms]),
        b"]}",
    ))
    return body, [part.rule.id for part in fired if part.urgent] + [part.rule.id for part in fired if not part.urgent]
