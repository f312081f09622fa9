"""From a CDS Hooks prefetch (FHIR R4 / mCODE) to a :class:`~decision_aid.profile.Profile`.

A pure function: no web, no clock. It also returns what it read, what it looked for and did not
find, and what it set aside, so the service can show the clinician what the guide was built from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from decision_aid.drugs import DrugVocabulary
from decision_aid.fhir import codes as c
from decision_aid.fhir.concepts import has_code
from decision_aid.fhir.disease import Disease, read_disease
from decision_aid.fhir.findings import Findings
from decision_aid.fhir.genomics import read_genomics
from decision_aid.fhir.medications import read_treatments
from decision_aid.fhir.records import Item, collect
from decision_aid.fhir.tumour_markers import read_markers
from decision_aid.profile import Profile, Treatment
from decision_aid.vocabulary import Audience

#: Said on every facts card: the guide's urgent warnings come only from what the person reports.
SYMPTOMS_NOT_READ = {
    "clinician": ("Symptoms are not read from the record, so this guide checks no urgent warning signs (red flags) "
                  "from it: ask the person about their symptoms, or use the patient page, where they can tick them"),
    "patient": ("Symptoms are not read from your record, so this guide does not check for urgent warning signs: "
                "tell your team about any symptoms, or tick them on the patient page"),
}
_BIRTH_SEX_URL = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"
#: Metastases found within this many days of the first diagnosis count as de novo (the staging work-up).
_DE_NOVO_DAYS = 92


@dataclass(frozen=True)
class RecordReading:
    profile: Profile
    read: tuple[str, ...]
    missing: tuple[str, ...]
    skipped: tuple[str, ...]
    notes: tuple[str, ...]
    alerts: tuple[str, ...] = ()


def read_record(prefetch: Mapping[str, Any], patient_id: str, drugs: DrugVocabulary,
                audience: Audience = "clinician", not_sent: Sequence[str] = ()) -> RecordReading:
    """Map the prefetch to a profile for ``audience``. Never raises on bad data: it skips and says so.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> patient = {"resourceType": "Patient", "id": "p1", "gender": "female"}
        >>> reading = read_record({"patient": patient}, "p1", load_knowledge_base().drugs)
        >>> reading.profile.sex, reading.read[0]
        ('female', 'Sex: female (Patient/p1, Patient.gender)')
    """
    findings = Findings()
    for key in not_sent:
        findings.add_missing(f"The EHR did not send {key!r}, so nothing from it was read")
    record = collect(prefetch, patient_id, findings)
    data: dict[str, Any] = {"audience": audience}
    sex = _sex(record.patients, findings)
    if sex:
        data["sex"] = sex
    disease = read_disease(record.conditions, record.observations, findings)
    markers = read_markers(record.observations, findings)
    biomarkers = read_genomics(record.observations, findings,
                               hormone_receptors_may_be_positive=not markers.er == markers.pr == "negative")
    treatments = read_treatments(record.medication_uses, record.medications, drugs, disease.metastasis_onset,
                                 record.observations, findings)
    data["receptors"] = {"er": markers.er, "pr": markers.pr, "her2": markers.her2}
    data["biomarkers"] = {"pik3ca": biomarkers.pik3ca, "esr1": biomarkers.esr1,
                          "akt_pathway": biomarkers.akt_pathway, "gbrca": biomarkers.gbrca, "pdl1": markers.pdl1}
    data["sites"] = disease.sites
    data["menopausal_status"] = disease.menopausal_status
    data["presentation"] = _presentation(disease, treatments.any_early, findings)
    data["treatments"] = _valid_treatments(treatments.treatments, drugs, findings)
    findings.add_missing(SYMPTOMS_NOT_READ[audience])
    _performance_status(record.observations, findings)
    if record.unused_types:
        kinds = ", ".join(f"{kind} ×{n}" for kind, n in sorted(record.unused_types.items()))
        findings.add_note(f"Resources this guide does not use: {kinds}.")
    profile = Profile.model_validate(data, context={"drugs": drugs})
    return RecordReading(profile, tuple(findings.read), tuple(findings.missing), tuple(findings.skipped),
                         tuple(findings.notes), tuple(findings.alerts))


def _performance_status(observations: list[Item], findings: Findings) -> None:
    """ECOG or Karnofsky results are not used by the rules: say so, so the reader does not think they were."""
    labels = [item.label for item in observations
              if has_code(item.resource.code, c.LOINC, c.PERFORMANCE_STATUS_CODES)]
    if labels:
        shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        findings.add_note(f"Performance status (ECOG or Karnofsky) is in the record ({shown}) but is not used: "
                          "the guide does not ask about general fitness.")


def _sex(patients: list[Item], findings: Findings) -> str | None:
    if not patients:
        findings.add_missing("Patient record not found, so sex is taken as female (the default)")
        return None
    item = patients[0]
    patient = item.resource
    if patient.gender in ("female", "male"):
        findings.add_read(f"Sex: {patient.gender} ({item.label}, Patient.gender)")
        return str(patient.gender)
    birth_sex = next((e.valueCode for e in patient.extension or () if e.url == _BIRTH_SEX_URL), None)
    if birth_sex in ("F", "M"):
        sex = "female" if birth_sex == "F" else "male"
        findings.add_read(f"Sex: {sex} ({item.label}, US Core birth sex)")
        return sex
    said = f"recorded as {patient.gender!r}" if patient.gender else "not recorded"
    findings.add_missing(f"Sex {said}, so it is taken as female (the default)")
    return None


def _presentation(disease: Disease, any_early: bool, findings: Findings) -> str:
    if not disease.metastatic:
        return "unknown"
    if any_early:
        findings.add_read("Presentation: recurrent (a treatment for earlier breast cancer was found)")
        return "recurrent"
    if disease.primary_onset and disease.metastasis_onset:
        gap = (disease.metastasis_onset - disease.primary_onset).days
        if gap <= _DE_NOVO_DAYS:
            findings.add_read(f"Presentation: de novo (spread found {max(gap, 0)} days after the first diagnosis)")
            return "de_novo"
        findings.add_read(f"Presentation: recurrent (spread found {gap // 30} months after the first diagnosis)")
        return "recurrent"
    findings.add_missing("Whether the cancer had spread when first found (de novo) or came back later: "
                         "the dates needed were not found")
    return "unknown"


def _valid_treatments(treatments: list[dict[str, Any]], drugs: DrugVocabulary,
                      findings: Findings) -> list[dict[str, Any]]:
    kept = []
    for treatment in treatments:
        try:
            Treatment.model_validate(treatment, context={"drugs": drugs})
        except ValidationError:
            findings.add_note(f"Treatment {treatment.get('drug')!r} could not be used in the profile; left out.")
            continue
        kept.append(treatment)
    return kept
