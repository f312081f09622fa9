"""Reading level of patient-facing text: Flesch-Kincaid grade (textstat), with drug names and
glossary terms replaced by a one-syllable word, since the glossary explains them and a long drug
name says nothing about how plain the sentence around it is."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import textstat

from decision_aid.knowledge_base import KnowledgeBase

FORMULA = "Flesch-Kincaid grade level (textstat), drug names and glossary terms masked"
MEDIAN_LIMIT = 8.0
MAX_LIMIT = 10.0
_MASK = "drug"


@dataclass(frozen=True)
class Measured:
    where: str
    text: str
    grade: float


class Masker:
    """Replaces every drug name, brand, class label and glossary term with one short word."""

    def __init__(self, terms: Iterable[str]) -> None:
        ordered = sorted({t for t in terms if len(t) > 1}, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(t) for t in ordered) + r")(?![\w-])",
                                   re.IGNORECASE)

    def __call__(self, text: str) -> str:
        return self._pattern.sub(_MASK, text)


def masker_for(kb: KnowledgeBase) -> Masker:
    terms: set[str] = set(kb.glossary)
    terms.update(kb.drugs.display_names)
    terms.update(kb.drugs.generics)
    terms.update(c.label for c in kb.drugs.classes.values())
    terms.update(kb.drugs.groups.values())
    return Masker(terms)


def grade(text: str, mask: Masker) -> float:
    """Flesch-Kincaid grade of ``text`` after masking.

    Example usage::

        >>> round(grade("Ask your team about it.", Masker(["palbociclib"])), 1) < 8
        True
    """
    return float(textstat.flesch_kincaid_grade(mask(text)))


def patient_texts(kb: KnowledgeBase) -> Iterable[tuple[str, str]]:
    """Every text a patient reads: rule titles, patient texts and questions, glossary meanings,
    and the patient disclaimer."""
    yield "disclaimer", kb.meta.disclaimer.patient
    for rule in kb.rules:
        yield f"{rule.id}: title", rule.title
        yield f"{rule.id}: patient", rule.patient
        for index, question in enumerate(rule.questions):
            yield f"{rule.id}: questions[{index}]", question
    for term, definition in kb.glossary.items():
        yield f"glossary: {term}", definition


def measure(texts: Iterable[tuple[str, str]], mask: Masker) -> list[Measured]:
    return [Measured(where, text, grade(text, mask)) for where, text in texts]
