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

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain

from pydantic_core import to_json

from decision_aid.compiled import TOKENS, Compiler, Explain, Memo, Test
from decision_aid.facts import Facts
from decision_aid.guide import (
    GlossaryEntry,
    Guide,
    KnowledgeBaseInfo,
    Notice,
    Point,
    SourceRef,
    TopQuestion,
    UrgentItem,
)
from decision_aid.knowledge_base import KnowledgeBase, Rule, Source
from decision_aid.notices import medicine_notices
from decision_aid.profile import Profile
from decision_aid.selection import infer_visit, order_points, question_order, top_questions
from decision_aid.understood import understood

SHOWN_TO_EVERYONE = "General information for anyone with metastatic breast cancer"
DETAILS_DO_NOT_FIT = "details_do_not_fit"


def matching_rules(profile: Profile, kb: KnowledgeBase) -> list[Rule]:
    """The rules whose conditions hold for ``profile``, in guide order."""
    facts = Facts.of(profile, kb.drugs)
    return [rule for rule in kb.rules if rule.when.matches(facts)]


def fired(profile: Profile, kb: KnowledgeBase) -> Iterator[tuple[Rule, list[str]]]:
    """Each rule that fires for ``profile``, in knowledge-base order, with the facts that made it fire."""
    return _fired(Facts.of(profile, kb.drugs), kb)


def _fired(facts: Facts, kb: KnowledgeBase) -> Iterator[tuple[Rule, list[str]]]:
    for rule in kb.rules:
        if rule.when.matches(facts):
            yield rule, list(dict.fromkeys(rule.when.why(facts))) or [SHOWN_TO_EVERYONE]


def build_guide(profile: Profile, kb: KnowledgeBase) -> Guide:
    """Build the discussion guide for one profile.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> guide = build_guide(Profile(), load_knowledge_base())
        >>> guide.urgent, bool(guide.disclaimer), guide.understood, guide.top_questions
        ([], True, [], [])
    """
    audience = profile.audience
    clinician = audience == "clinician"
    facts = Facts.of(profile, kb.drugs)
    visit = infer_visit(profile.visit, facts)
    fired_rules = list(_fired(facts, kb))
    why_of = {rule.id: why for rule, why in fired_rules}
    urgent_rules = [rule for rule, _ in fired_rules if rule.urgent]
    concerned = {rule.id for rule, _ in fired_rules if facts.concerns and rule.about_a_ticked_concern(facts)}
    ordered = order_points([rule for rule, _ in fired_rules if not rule.urgent], audience, visit, concerned)
    top = top_questions(ordered, audience, visit, concerned)

    def sources(rule: Rule) -> list[SourceRef]:
        return [source_ref(s) for s in rule.sources]

    terms = {term for rule, _ in fired_rules for term in rule.glossary}
    return Guide(
        disclaimer=disclaimer_for(kb, clinician),
        audience=audience,
        knowledge_base=_info(kb),
        safety_line=safety_line_for(kb, clinician),
        visit=visit,
        understood=understood(facts, visit, facts.treatments),
        notices=notices_for(profile, kb, [rule for rule, _ in fired_rules]),
        top_questions=[TopQuestion(text=text, point_id=rule_id) for text, rule_id in top],
        urgent=[UrgentItem(id=rule.id, title=rule.title, text=rule.clinician if clinician else rule.patient,
                           why=why_of[rule.id], sources=sources(rule)) for rule in urgent_rules],
        points=[Point(id=rule.id, topic=rule.topic, kind=rule.kind, personal=rule.personal(audience),
                      title=rule.title, text=rule.clinician if clinician else rule.patient, why=why_of[rule.id],
                      questions=list(rule.questions), sources=sources(rule)) for rule in ordered],
        questions=question_order(top, urgent_rules, ordered),
        glossary=[GlossaryEntry(term=t, definition=d) for t, d in kb.glossary.items() if t in terms],
    )


def source_ref(source: Source) -> SourceRef:
    """How a guide names a source: its label and link for patients, its citation for clinicians."""
    return SourceRef(id=source.id, label=source.label, url=source.url, citation=source.citation)


def notices_for(profile: Profile, kb: KnowledgeBase, fired_rules: Iterable[Rule]) -> list[Notice]:
    """The notices of the rules that fired (details that do not fit together), once each; then one for each
    medicine that is not a cancer treatment."""
    texts = dict.fromkeys(rule.notice for rule in fired_rules if rule.notice)
    return [Notice(code=DETAILS_DO_NOT_FIT, text=text) for text in texts if text] + medicine_notices(profile, kb.drugs)


def safety_line_for(kb: KnowledgeBase, clinician: bool) -> str | None:
    """The line every patient guide starts with; clinicians' guides have none."""
    return None if clinician else kb.meta.safety_line


def disclaimer_for(kb: KnowledgeBase, clinician: bool) -> str:
    """The disclaimer for clinicians or for patients."""
    return kb.meta.disclaimer.clinician if clinician else kb.meta.disclaimer.patient


def _info(kb: KnowledgeBase) -> KnowledgeBaseInfo:
    return KnowledgeBaseInfo(version=kb.meta.version, reviewed_on=kb.meta.reviewed_on.isoformat())


# --- the same guide, written straight to JSON ---------------------------------------------------

_WHY = b'"why":[]'
_ENDING = b'"urgent":[],"points":[],"questions":[],"glossary":[],"safety_line":null,"visit":"unknown",' \
          b'"understood":[],"notices":[],"top_questions":[]}'


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
    tails: tuple[bytes, bytes]
    explain: Explain
    terms: tuple[int, ...]  # positions of its glossary terms in the knowledge base's glossary


@dataclass(frozen=True)
class PreparedKnowledgeBase:
    """A knowledge base with every part of a guide that does not depend on the profile written as JSON."""

    kb: KnowledgeBase
    rules: tuple[_Written, ...]
    start: Callable[[Facts], Memo]  # the memo for one guide
    openings: Mapping[str, bytes]  # by audience: the guide up to its urgent list
    safety_lines: Mapping[str, bytes]  # by audience
    glossary: tuple[bytes, ...]  # in the knowledge base's order


def prepare(kb: KnowledgeBase) -> PreparedKnowledgeBase:
    """Write once what every guide from ``kb`` shares; pass the result to :func:`guide_json`.

    Each piece is written by the guide's own pydantic models, so the JSON cannot drift from
    ``Guide.model_dump_json()``.
    """
    compiler = Compiler([rule.when for rule in kb.rules], kb.drugs)
    term_position = {term: i for i, term in enumerate(kb.glossary)}
    rules = tuple(_write_rule(rule, compiler, term_position) for rule in kb.rules)
    openings, safety_lines = {}, {}
    for audience in ("patient", "clinician"):
        clinician = audience == "clinician"
        empty = Guide(disclaimer=disclaimer_for(kb, clinician), audience=audience, knowledge_base=_info(kb),
                      safety_line=None, visit="unknown", understood=[], notices=[], top_questions=[],
                      urgent=[], points=[], questions=[], glossary=[])
        written = empty.model_dump_json().encode()
        if not written.endswith(_ENDING):
            raise AssertionError("the Guide model's fields are no longer in the order guide_json writes them")
        openings[audience] = written[: -len(_ENDING)] + b'"urgent":['
        safety_lines[audience] = to_json(safety_line_for(kb, clinician))
    glossary = tuple(GlossaryEntry(term=t, definition=d).model_dump_json().encode() for t, d in kb.glossary.items())
    return PreparedKnowledgeBase(kb, rules, compiler.start, openings, safety_lines, glossary)


def _write_rule(rule: Rule, compiler: Compiler, term_position: Mapping[str, int]) -> _Written:
    heads, tails = [], []
    sources = [source_ref(s) for s in rule.sources]
    for audience, text in (("patient", rule.patient), ("clinician", rule.clinician)):
        model: UrgentItem | Point
        if rule.urgent:
            model = UrgentItem(id=rule.id, title=rule.title, text=text, why=[], sources=sources)
        else:
            model = Point(id=rule.id, topic=rule.topic, kind=rule.kind, personal=rule.personal(audience),
                          title=rule.title, text=text, why=[], questions=list(rule.questions), sources=sources)
        head, found, tail = model.model_dump_json().encode().partition(_WHY)
        if not found:
            raise AssertionError(f"{rule.id}: the written point has no empty 'why' list to fill in")
        heads.append(head + b'"why":')
        tails.append(tail)
    fixed = rule.when.fixed_why()
    pieces = None
    if fixed is not None:
        why = to_json(list(dict.fromkeys(fixed)) or [SHOWN_TO_EVERYONE])
        pieces = (heads[0] + why + tails[0], heads[1] + why + tails[1])
    gate = compiler.gate(rule.when)
    return _Written(rule, rule.urgent, gate.needs, gate.excludes, gate.rest, pieces, (heads[0], heads[1]),
                    (tails[0], tails[1]), compiler.explain(rule.when),
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
    audience = profile.audience
    clinician = audience == "clinician"
    facts = Facts.of(profile, prepared.kb.drugs)
    memo = prepared.start(facts)
    tokens = memo[TOKENS]
    fired_parts = [part for part in prepared.rules if part.needs <= tokens and part.excludes.isdisjoint(tokens)
                   and (part.rest is None or part.rest(facts, memo))]
    part_of = {part.rule.id: part for part in fired_parts}
    visit = infer_visit(profile.visit, facts)
    urgent_rules = [part.rule for part in fired_parts if part.urgent]
    concerned = {part.rule.id for part in fired_parts if facts.concerns and part.rule.about_a_ticked_concern(facts)}
    ordered = order_points([part.rule for part in fired_parts if not part.urgent], audience, visit, concerned)
    top = top_questions(ordered, audience, visit, concerned)

    def written(rule: Rule) -> bytes:
        part = part_of[rule.id]
        if part.pieces is not None:
            return part.pieces[clinician]
        why = list(dict.fromkeys(part.explain(facts, memo))) or [SHOWN_TO_EVERYONE]
        return b"".join((part.heads[clinician], to_json(why), part.tails[clinician]))

    terms = sorted(set(chain.from_iterable([part.terms for part in fired_parts])))
    glossary = prepared.glossary
    body = b"".join((
        prepared.openings[audience], b",".join([written(rule) for rule in urgent_rules]),
        b'],"points":[', b",".join([written(rule) for rule in ordered]),
        b'],"questions":', to_json(question_order(top, urgent_rules, ordered)),
        b',"glossary":[', b",".join([glossary[i] for i in terms]),
        b'],"safety_line":', prepared.safety_lines[audience],
        b',"visit":', to_json(visit),
        b',"understood":', to_json(understood(facts, visit, facts.treatments)),
        b',"notices":', to_json([n.model_dump() for n in notices_for(profile, prepared.kb,
                                                                       (part.rule for part in fired_parts))]),
        b',"top_questions":', to_json([{"text": text, "point_id": rule_id} for text, rule_id in top]),
        b"}",
    ))
    return body, [rule.id for rule in urgent_rules] + [rule.id for rule in ordered]
