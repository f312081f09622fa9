"""The facts the rules read: a profile with its drug names resolved, its lists made into sets, and its
single-valued facts (the derived ``subtype`` and ``hormone_receptors`` included) worked out once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from decision_aid.drugs import DrugRef, DrugVocabulary
from decision_aid.profile import Profile, Treatment


@dataclass(frozen=True, slots=True)
class TreatmentFacts:
    given: Treatment
    ref: DrugRef

    class_labels: tuple[str, ...] = ()

    def describe(self) -> str:
        """Plain words for one treatment: "'Ibrance' (read as palbociclib, a CDK4/6 inhibitor) ..."."""
        name, ref = self.given.drug, self.ref
        if ref.kind == "drug":
            kinds = " and ".join(self.class_labels)
            if name.casefold() == ref.label.casefold():
                said = f"{ref.label} ({kinds})"
            else:
                said = f"'{name}' (read as {ref.label}, {kinds})"
        else:
            said = ref.label
        parts = [said, "for earlier breast cancer" if self.given.setting == "early" else "for metastatic cancer"]
        if self.given.outcome != "unknown":
            parts.append(_OUTCOME_WORDS[self.given.outcome])
        if self.given.months_since_end is not None:
            parts.append(f"ended {self.given.months_since_end} months ago")
        return ", ".join(parts)


_OUTCOME_WORDS = {
    "ongoing": "still being taken",
    "completed": "completed",
    "progressed": "the cancer grew during it",
    "stopped_side_effects": "stopped because of side effects",
}


def single_values(profile: Profile) -> dict[str, str]:
    """Each single-valued fact, by the name a rule's ``when`` gives it.

    Example usage::

        >>> single_values(Profile())["subtype"]
        'unknown'
    """
    receptors, biomarkers = profile.receptors, profile.biomarkers
    return {
        "audience": profile.audience, "sex": profile.sex, "menopausal_status": profile.menopausal_status,
        "presentation": profile.presentation,
        "er": receptors.er, "pr": receptors.pr, "her2": receptors.her2,
        "hormone_receptors": profile.hormone_receptors, "subtype": profile.subtype,
        "pik3ca": biomarkers.pik3ca, "esr1": biomarkers.esr1, "akt_pathway": biomarkers.akt_pathway,
        "gbrca": biomarkers.gbrca, "pdl1": biomarkers.pdl1,
    }


@dataclass(frozen=True, slots=True)
class Facts:
    profile: Profile
    values: Mapping[str, str]  # see single_values
    sites: frozenset[str]
    symptoms: frozenset[str]
    concerns: frozenset[str]
    treatments: tuple[TreatmentFacts, ...]

    @classmethod
    def of(cls, profile: Profile, drugs: DrugVocabulary) -> Facts:
        """The facts of ``profile``. A medicine that is not a cancer treatment (ondansetron, a steroid:
        :attr:`DrugRef.supportive`) is left out of ``treatments``, so no condition can read it: not
        ``has_treatments``, not ``treatments: {none: ...}``, not ``lowers_white_cells``. Listing one
        never changes the guide's points; the guide names it in its notices instead."""
        treatments = []
        for treatment in profile.treatments:
            ref = drugs.resolve(treatment.drug)
            if ref.supportive:
                continue
            labels = tuple(drugs.classes[c].label for c in sorted(ref.classes))
            treatments.append(TreatmentFacts(treatment, ref, labels))
        return cls(profile, single_values(profile), frozenset(profile.sites), frozenset(profile.symptoms),
                   frozenset(profile.concerns), tuple(treatments))
