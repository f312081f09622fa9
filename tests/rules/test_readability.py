"""Patient text is plain: Flesch-Kincaid grade (textstat), drug names and glossary terms masked."""

from __future__ import annotations

import statistics

from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.readability import FORMULA, MAX_LIMIT, MEDIAN_LIMIT, Masker, grade, masker_for, measure, patient_texts


def test_patient_text_reading_grade(kb: KnowledgeBase) -> None:
    measured = measure(patient_texts(kb), masker_for(kb))
    grades = [m.grade for m in measured]
    median = statistics.median(grades)
    worst = sorted(measured, key=lambda m: -m.grade)[:10]
    report = f"{FORMULA}: median {median:.1f} over {len(grades)} texts; hardest:\n" + "\n".join(
        f"  {m.grade:5.1f}  {m.where}: {m.text[:100]}" for m in worst)
    print(report)
    assert median <= MEDIAN_LIMIT, report
    assert max(grades) <= MAX_LIMIT, report


def test_masking_replaces_whole_names_only() -> None:
    mask = Masker(["trastuzumab deruxtecan", "trastuzumab", "AI"])
    assert mask("Trastuzumab deruxtecan and trastuzumab, not AIDS.") == "drug and drug, not AIDS."


def test_the_formula_tells_hard_from_plain_text() -> None:
    mask = Masker(["x"])
    hard = ("Notwithstanding considerable interindividual heterogeneity, pharmacological optimisation "
            "necessitates comprehensive multidisciplinary consideration of contraindications.")
    assert grade(hard, mask) > MAX_LIMIT
    assert grade("Ask your team what this means for you.", mask) < MEDIAN_LIMIT
