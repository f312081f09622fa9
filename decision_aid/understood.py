"""What the guide understood from the profile, in plain sentences, so a reader can spot a mistake
(a receptor read the wrong way, a brand name read as another medicine) before reading on."""

from __future__ import annotations

from decision_aid.conditions import fact_words
from decision_aid.facts import Facts, TreatmentFacts
from decision_aid.vocabulary import SITE_WORDS, Visit, words

_RECEPTOR_WORDS = {"positive": "positive", "negative": "negative", "low": "low", "ultralow": "ultralow"}
_PRESENTATION = {
    "de_novo": "The cancer had already spread when it was first found",
    "recurrent": "The cancer came back after earlier breast cancer",
}
_MENOPAUSE = {"pre": "Before menopause", "peri": "Around menopause", "post": "After menopause"}
_SETTING = {"early": "for earlier breast cancer", "metastatic": "for metastatic cancer"}
_OUTCOME = {
    "ongoing": "still being taken",
    "completed": "completed",
    "progressed": "the cancer grew during it",
    "stopped_side_effects": "stopped because of side effects",
}
_VISIT = {
    "new_diagnosis": "a new diagnosis",
    "treatment_decision": "a decision about treatment",
    "scan_results": "scan results",
    "side_effects": "side effects",
    "check_up": "a check-up",
}
_BIOMARKERS = ("pik3ca", "esr1", "akt_pathway", "gbrca", "pdl1")


def understood(facts: Facts, visit: Visit, cancer_treatments: tuple[TreatmentFacts, ...]) -> list[str]:
    """The lines, in the order a person would check them; none for an empty profile.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> from decision_aid.profile import parse_profile
        >>> kb = load_knowledge_base()
        >>> profile = parse_profile({"receptors": {"er": "positive", "her2": "negative"}, "sites": ["bone"],
        ...     "treatments": [{"drug": "Femara", "outcome": "progressed"}]})
        >>> facts = Facts.of(profile, kb.drugs)
        >>> understood(facts, "treatment_decision", facts.treatments)  # doctest: +NORMALIZE_WHITESPACE
        ['ER positive, HER2 negative', 'Cancer in the bones',
         'Letrozole (Femara) for metastatic cancer: the cancer grew during it',
         'Next appointment: a decision about treatment (worked out from the details given)']
    """
    profile = facts.profile
    lines: list[str] = []
    receptors = [f"{name} {_RECEPTOR_WORDS[value]}" for name, value in
                 (("ER", profile.receptors.er), ("PR", profile.receptors.pr), ("HER2", profile.receptors.her2))
                 if value != "unknown"]
    if receptors:
        triple = profile.subtype == "triple_negative" and profile.receptors.her2 == "negative"
        lines.append(", ".join(receptors) + (" (triple negative)" if triple else ""))
    if profile.sites:
        lines.append("Cancer in " + _and([_site(site) for site in dict.fromkeys(profile.sites)]))
    if profile.presentation in _PRESENTATION:
        lines.append(_PRESENTATION[profile.presentation])
    if profile.sex == "male":
        lines.append("Male")
    if profile.menopausal_status in _MENOPAUSE:
        lines.append(_MENOPAUSE[profile.menopausal_status])
    for key in _BIOMARKERS:
        value = facts.values[key]
        if value != "not_tested":
            lines.append(fact_words(key, value))
    lines.extend(_treatment(t) for t in cancer_treatments)
    if profile.symptoms:
        lines.append("Symptoms: " + ", ".join(words(s) for s in dict.fromkeys(profile.symptoms)))
    if profile.concerns:
        lines.append("To talk about: " + ", ".join(words(c) for c in dict.fromkeys(profile.concerns)))
    if visit in _VISIT:
        inferred = "" if profile.visit == visit else " (worked out from the details given)"
        lines.append(f"Next appointment: {_VISIT[visit]}{inferred}")
    return lines


def _site(site: str) -> str:
    said = SITE_WORDS[site]
    return said if site in ("lymph_nodes", "other") else f"the {said}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _treatment(treatment: TreatmentFacts) -> str:
    given, ref = treatment.given, treatment.ref
    name = ref.label[:1].upper() + ref.label[1:]
    if given.drug.casefold() != ref.label.casefold():
        name += f" ({given.drug})"
    line = f"{name} {_SETTING[given.setting]}"
    details = [_OUTCOME[given.outcome]] if given.outcome in _OUTCOME else []
    if given.months_since_end is not None:
        details.append(f"ended {given.months_since_end} months ago")
    return line + (": " + ", ".join(details) if details else "")
