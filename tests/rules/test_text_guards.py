"""The text never prescribes: no doses, no "you should take", no ranking of drugs for the person."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from decision_aid.knowledge_base import KnowledgeBase, load_knowledge_base

DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:mg|mcg|µg|micrograms?|milligrams?|g|gy|grays?|ml|units|iu)\b(?:/m2)?",
                  re.IGNORECASE)
PRESCRIBING = re.compile(
    r"\byou\s+(?:should|must|need to|have to|ought to|are advised to)\s+"
    r"(?:take|start|stop|have|try|use|get|begin|switch)\b"
    r"|\bwe\s+(?:recommend|advise|suggest)\b|\bI\s+recommend\b",
    re.IGNORECASE)
RANKING = re.compile(
    r"\b(?:best|right|ideal|optimal)\s+(?:drug|medicine|treatment|option|choice)s?\s+for\s+you\b"
    r"|\bfirst[- ]choice\b|\b(?:is|are)\s+(?:better|superior|more effective)\s+than\b|\bthe best option\b",
    re.IGNORECASE)
PATIENT_ONLY = re.compile(r"\bpreferred\b|\btreatment of choice\b", re.IGNORECASE)
MISLEADING = re.compile(r"\bterminal\b|\b2\s?%|\btwo per ?cent\b|\b2 per ?cent\b", re.IGNORECASE)


def _texts(kb: KnowledgeBase) -> Iterator[tuple[str, str, bool]]:
    """(where, text, read by patients)."""
    yield "disclaimer.patient", kb.meta.disclaimer.patient, True
    yield "disclaimer.clinician", kb.meta.disclaimer.clinician, False
    for rule in kb.rules:
        yield f"{rule.id}.title", rule.title, True
        yield f"{rule.id}.patient", rule.patient, True
        yield f"{rule.id}.clinician", rule.clinician, False
        for i, question in enumerate(rule.questions):
            yield f"{rule.id}.questions[{i}]", question, True
    for term, definition in kb.glossary.items():
        yield f"glossary[{term}]", definition, True


TEXTS = list(_texts(load_knowledge_base()))


@pytest.mark.parametrize(("where", "text", "for_patients"), TEXTS, ids=[t[0] for t in TEXTS])
def test_text_does_not_prescribe(where: str, text: str, for_patients: bool) -> None:
    for pattern in (DOSE, PRESCRIBING, RANKING, MISLEADING):
        found = pattern.search(text)
        assert found is None, f"{where}: {found.group(0)!r} in {text!r}"
    if for_patients:
        found = PATIENT_ONLY.search(text)
        assert found is None, f"{where}: {found.group(0)!r} in {text!r}"


@pytest.mark.parametrize(
    "bad",
    ["Take 125 mg a day.", "You should take letrozole.", "We recommend fulvestrant.",
     "This is the best treatment for you.", "Ribociclib is better than palbociclib.", "Stage 4 is terminal.",
     "Chemo is only 2% effective.", "8 Gy in one dose"],
)
def test_the_guards_catch_what_they_are_for(bad: str) -> None:
    assert any(p.search(bad) for p in (DOSE, PRESCRIBING, RANKING, MISLEADING)), bad


def test_red_flags_say_to_get_help_now(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        if rule.urgent:
            for text in (rule.patient, rule.clinician):
                assert re.search(r"\bnow\b|\bimmediately\b|\bright away\b", text, re.IGNORECASE), rule.id
            assert re.search(r"acute oncology|24-hour|emergency|999|911", rule.patient, re.IGNORECASE), rule.id
