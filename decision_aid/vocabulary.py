"""The profile vocabulary: every value the public contract accepts.

The drug names are not here: they live in ``rules/drugs.yaml`` with the rest of the knowledge base,
so that clinical reviewers change them the same way as the rules.
"""

from __future__ import annotations

from typing import Literal, get_args

Audience = Literal["patient", "clinician"]
Sex = Literal["female", "male"]
MenopausalStatus = Literal["pre", "peri", "post", "unknown"]
Presentation = Literal["de_novo", "recurrent", "unknown"]
ReceptorStatus = Literal["positive", "negative", "unknown"]
Her2Status = Literal["positive", "low", "ultralow", "negative", "unknown"]
GeneStatus = Literal["mutated", "not_detected", "not_tested"]
Pdl1Status = Literal["positive", "negative", "not_tested"]
Setting = Literal["early", "metastatic"]
Outcome = Literal["ongoing", "completed", "progressed", "stopped_side_effects", "unknown"]
#: What the next appointment is about. It changes what comes first in a guide, never which points exist.
Visit = Literal["new_diagnosis", "treatment_decision", "scan_results", "side_effects", "check_up", "unknown"]
#: What kind of point a rule gives: the guide orders its points by kind (see rules/README.md).
Kind = Literal["option", "test", "safety", "support", "background"]

Site = Literal[
    "bone", "liver", "lung", "pleura", "brain", "leptomeninges",
    "lymph_nodes", "skin", "chest_wall", "other",
]
Symptom = Literal[
    "bone_pain", "back_pain", "leg_weakness_or_numbness", "bladder_or_bowel_change",
    "headache", "seizure", "confusion", "vision_change", "breathlessness", "cough",
    "jaundice", "abdominal_swelling", "fever", "extreme_thirst", "constipation", "nausea",
    "fatigue",
    # Added beyond the contract's minimum list.
    "chest_pain", "vomiting", "diarrhoea", "drowsiness",
    # Added in knowledge base 2026.12.0: each has its own warning or point (rules/red_flags.yaml,
    # rules/brain.yaml).
    "sudden_bone_pain_or_cannot_bear_weight", "swollen_painful_leg", "vomiting_cannot_keep_fluids_down",
    "palpitations_or_fainting", "severe_rash_or_blisters", "eye_pain_or_blurred_vision",
    "new_persistent_headache",
]
Concern = Literal[
    "side_effects", "treatment_break", "stopping_treatment", "complementary_therapies",
    "emotional_support", "prognosis", "clinical_trials", "genomic_testing",
    "quality_of_life", "staging",
    # Added beyond the contract's minimum list.
    "fertility_and_family", "cost_and_work", "carers",
]

#: Facts derived from the receptors, so that rules need not repeat the same logic.
HormoneReceptorStatus = Literal["positive", "negative", "unknown"]
Subtype = Literal["hr_positive_her2_negative", "her2_positive", "triple_negative", "unknown"]

SITES: tuple[str, ...] = get_args(Site)
SYMPTOMS: tuple[str, ...] = get_args(Symptom)
CONCERNS: tuple[str, ...] = get_args(Concern)
VISITS: tuple[str, ...] = get_args(Visit)
KINDS: tuple[str, ...] = get_args(Kind)

#: Plain words for each value, used in the guide's "why" lines.
SITE_WORDS = {
    "bone": "bones", "liver": "liver", "lung": "lungs", "pleura": "lining of the lungs (pleura)",
    "brain": "brain", "leptomeninges": "lining of the brain and spinal cord (leptomeninges)",
    "lymph_nodes": "lymph nodes", "skin": "skin", "chest_wall": "chest wall", "other": "another place",
}


def words(value: str) -> str:
    """Turn a vocabulary value into words: ``leg_weakness_or_numbness`` -> ``leg weakness or numbness``.

    Example usage::

        >>> words("de_novo")
        'de novo'
    """
    return value.replace("_", " ")
