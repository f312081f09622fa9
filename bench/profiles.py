"""The representative profiles the benchmarks send: the contract's sample and the golden files' cases.

Each is a real request body; the set covers an empty profile, the common hormone-receptor-positive
case after two lines of treatment, HER2-positive with brain metastases (clinician view), and triple
negative with red-flag symptoms, so the guides range from a few points to about thirty.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PROFILES: dict[str, dict[str, Any]] = {
    "empty": {},
    "contract_sample": json.loads((Path(__file__).resolve().parent.parent / "tests" / "fixtures"
                                   / "contract_sample.json").read_text()),
    "hr_positive_esr1": {
        "menopausal_status": "post", "presentation": "recurrent",
        "receptors": {"er": "positive", "pr": "positive", "her2": "negative"},
        "sites": ["bone", "liver"],
        "biomarkers": {"pik3ca": "not_detected", "esr1": "mutated"},
        "treatments": [{"drug": "Femara", "setting": "metastatic", "outcome": "progressed"},
                       {"drug": "Kisqali", "setting": "metastatic", "outcome": "progressed"}],
        "concerns": ["side_effects"],
    },
    "her2_positive_brain_clinician": {
        "audience": "clinician", "presentation": "de_novo",
        "receptors": {"er": "negative", "pr": "negative", "her2": "positive"},
        "sites": ["brain", "lung"],
        "treatments": [{"drug": "Phesgo", "outcome": "progressed"}, {"drug": "docetaxel", "outcome": "completed"}],
        "symptoms": ["headache"],
    },
    "triple_negative_red_flags": {
        "receptors": {"er": "negative", "pr": "negative", "her2": "low"},
        "sites": ["bone", "lung"],
        "biomarkers": {"pdl1": "positive", "gbrca": "not_tested"},
        "treatments": [{"drug": "paclitaxel", "outcome": "ongoing"}, {"drug": "Keytruda", "outcome": "ongoing"}],
        "symptoms": ["fever", "back_pain", "leg_weakness_or_numbness"],
        "concerns": ["emotional_support", "prognosis"],
    },
}


def bodies() -> dict[str, bytes]:
    """Each profile as the bytes a client sends."""
    return {name: json.dumps(profile).encode() for name, profile in PROFILES.items()}
