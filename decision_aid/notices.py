"""Notices: what the reader should know about the profile itself, beside the points.

A medicine that is not a cancer treatment (an anti-sickness medicine, a pain reliever, a steroid...)
is accepted so that a real medicine list is not refused, but no rule reads it (see
:meth:`decision_aid.facts.Facts.of`). Saying so plainly lets the reader see that it was read, and
what as, and that it is not why any point appears or does not appear.
"""

from __future__ import annotations

from decision_aid.drugs import DrugRef, DrugVocabulary, normalise
from decision_aid.guide import Notice
from decision_aid.profile import Profile

NOT_A_CANCER_MEDICINE = "not_a_cancer_medicine"
_NO_CHANGE = "It does not change the options in this guide."
_GROUP_WORDS = "a medicine that is not a cancer treatment"


def medicine_notices(profile: Profile, drugs: DrugVocabulary) -> list[Notice]:
    """One notice per medicine in ``profile`` that is not a cancer treatment, in the profile's order,
    each medicine once however many times or names it is listed under.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> from decision_aid.profile import parse_profile
        >>> drugs = load_knowledge_base().drugs
        >>> profile = parse_profile({"treatments": [{"drug": "Zofran"}, {"drug": "letrozole"}]}, drugs)
        >>> [notice.text for notice in medicine_notices(profile, drugs)]
        ["Ondansetron (read from 'Zofran') is an anti-sickness medicine. It does not change the options in this guide."]
    """
    seen: dict[DrugRef, Notice] = {}
    for treatment in profile.treatments:
        ref = drugs.resolve(treatment.drug)
        if ref.supportive and ref not in seen:
            seen[ref] = Notice(code=NOT_A_CANCER_MEDICINE, text=f"{_said(treatment.drug, ref, drugs)} {_NO_CHANGE}")
    return list(seen.values())


def _said(name: str, ref: DrugRef, drugs: DrugVocabulary) -> str:
    """What the medicine was read as, in plain words: "Paracetamol (read from 'Tylenol') is a pain reliever."."""
    if ref.kind == "group":
        return f"'{name}' is read as {_GROUP_WORDS}."
    # In the vocabulary's order of classes, which reads naturally ("a pain reliever and a blood thinner").
    plain = " and ".join(dict.fromkeys(c.plain for key, c in drugs.classes.items() if key in ref.classes))
    if ref.kind == "class":
        return f"'{name}' is read as {plain}."
    generic = ref.label[:1].upper() + ref.label[1:]
    read_from = "" if normalise(name) == normalise(ref.label) else f" (read from '{name}')"
    return f"{generic}{read_from} is {plain}."
