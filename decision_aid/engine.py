"""The engine: a pure function from (profile, knowledge base) to a discussion guide.

No I/O, no clock, no environment: the same profile and knowledge base always give the same guide.
"""

from __future__ import annotations

from decision_aid.facts import Facts
from decision_aid.guide import GlossaryEntry, Guide, KnowledgeBaseInfo, Point, SourceRef, UrgentItem
from decision_aid.knowledge_base import KnowledgeBase, Rule
from decision_aid.profile import Profile

SHOWN_TO_EVERYONE = "Shown to everyone: general information"


def matching_rules(profile: Profile, kb: KnowledgeBase) -> list[Rule]:
    """The rules whose conditions hold for ``profile``, in guide order."""
    facts = Facts.of(profile, kb.drugs)
    return [rule for rule in kb.rules if rule.when.matches(facts)]


def build_guide(profile: Profile, kb: KnowledgeBase) -> Guide:
    """Build the discussion guide for one profile.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> guide = build_guide(Profile(), load_knowledge_base())
        >>> guide.urgent, bool(guide.disclaimer)
        ([], True)
    """
    facts = Facts.of(profile, kb.drugs)
    clinician = profile.audience == "clinician"
    urgent: list[UrgentItem] = []
    points: list[Point] = []
    questions: dict[str, None] = {}
    terms: set[str] = set()
    for rule in kb.rules:
        if not rule.when.matches(facts):
            continue
        why = list(dict.fromkeys(rule.when.why(facts))) or [SHOWN_TO_EVERYONE]
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
    meta = kb.meta
    return Guide(
        disclaimer=meta.disclaimer.clinician if clinician else meta.disclaimer.patient,
        audience=profile.audience,
        knowledge_base=KnowledgeBaseInfo(version=meta.version, reviewed_on=meta.reviewed_on.isoformat()),
        urgent=urgent,
        points=points,
        questions=list(questions),
        glossary=glossary,
    )
