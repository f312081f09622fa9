"""Turn CDS Hooks prefetch values into typed FHIR R4 resources, one resource at a time.

``fhir.resources`` validates strictly: one malformed resource would fail a whole Bundle. So each
entry is parsed on its own with the R4B model for its type (R4B reads R4 for every type used
here); an entry that does not parse, belongs to another patient, or has an unknown type is
skipped and named, and the rest are used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.reference import Reference
from pydantic import BaseModel, ValidationError

from decision_aid.fhir.concepts import quote
from decision_aid.fhir.findings import Findings

_USED: dict[str, type[BaseModel]] = {
    "Patient": Patient,
    "Condition": Condition,
    "Observation": Observation,
    "MedicationRequest": MedicationRequest,
    "MedicationStatement": MedicationStatement,
    "MedicationAdministration": MedicationAdministration,
    "Medication": Medication,
    "OperationOutcome": OperationOutcome,
}
_PATIENT_REF = re.compile(r"(?:^|/)Patient/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]*)?$")
MAX_ENTRIES = 2000


@dataclass(frozen=True, slots=True)
class Item:
    """One parsed resource and the name it goes by in the facts card."""

    label: str
    resource: Any


@dataclass
class Record:
    """Every usable resource from the prefetch, by type."""

    patients: list[Item] = field(default_factory=list)
    conditions: list[Item] = field(default_factory=list)
    observations: list[Item] = field(default_factory=list)
    medication_uses: list[Item] = field(default_factory=list)
    medications: dict[str, Medication] = field(default_factory=dict)
    unused_types: dict[str, int] = field(default_factory=dict)


def collect(prefetch: Mapping[str, Any], patient_id: str, findings: Findings) -> Record:
    """Parse every prefetch value (a resource, a searchset Bundle, or ``null``) into a :class:`Record`."""
    record = Record()
    seen = 0
    for key, value in prefetch.items():
        if value is None:
            continue
        if not isinstance(value, dict):
            findings.add_skipped(f"Prefetch {key!r} is not a FHIR resource or Bundle; it was not read.")
            continue
        if value.get("resourceType") == "Bundle":
            entries = value.get("entry") or []
            if not isinstance(entries, list):
                findings.add_skipped(f"Prefetch {key!r}: Bundle.entry is not a list; it was not read.")
                continue
            if any(isinstance(link, dict) and link.get("relation") == "next" for link in value.get("link") or ()):
                findings.add_note(f"Prefetch {key!r} has more results on further pages, which were not read.")
            for index, entry in enumerate(entries):
                if seen >= MAX_ENTRIES:
                    findings.add_note(f"Only the first {MAX_ENTRIES} resources were read.")
                    return record
                seen += 1
                where = f"{key!r} entry {index + 1}"
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if not isinstance(resource, dict):
                    findings.add_skipped(f"{where}: no resource in the entry.")
                    continue
                _add(record, resource, where, patient_id, findings)
        else:
            seen += 1
            _add(record, value, repr(key), patient_id, findings)
    return record


def _add(record: Record, data: dict[str, Any], where: str, patient_id: str, findings: Findings) -> None:
    kind = data.get("resourceType")
    raw_id = data.get("id")
    named = isinstance(kind, str) and isinstance(raw_id, str)
    label = f"{kind}/{raw_id}" if named else f"{kind or 'resource'} in {where}"
    if not isinstance(kind, str) or not kind:
        findings.add_skipped(f"{where}: no resourceType; not read.")
        return
    model = _USED.get(kind)
    if model is None:
        if _is_fhir_type(kind):
            record.unused_types[kind] = record.unused_types.get(kind, 0) + 1
        else:
            findings.add_skipped(f"{quote(label, 60)} in {where}: {quote(kind, 40)} is not a FHIR R4 resource type; "
                                 "not read.")
        return
    try:
        resource: Any = model.model_validate(data)
    except ValidationError as error:
        findings.add_skipped(f"{quote(label, 60)} in {where}: not valid FHIR R4 {kind} ({_first_error(error)}); "
                             "not read.")
        return
    if kind == "OperationOutcome":
        _report_outcome(resource, where, findings)
        return
    if kind == "Medication":
        if resource.id:
            record.medications[f"Medication/{resource.id}"] = resource
        return
    if kind == "Patient":
        if resource.id and resource.id != patient_id:
            findings.add_skipped(f"{label}: a different patient from the one in context; not read.")
            return
        record.patients.append(Item(label, resource))
        return
    other = _other_patient(getattr(resource, "subject", None), patient_id)
    if other:
        findings.add_skipped(f"{label}: belongs to Patient/{other}, not the patient in context; not read.")
        return
    if kind == "Condition":
        record.conditions.append(Item(label, resource))
    elif kind == "Observation":
        record.observations.append(Item(label, resource))
    else:
        record.medication_uses.append(Item(label, resource))


def _is_fhir_type(kind: str) -> bool:
    try:
        get_fhir_model_class(kind)
    except (ValueError, KeyError, AttributeError):
        return False
    return True


def _other_patient(subject: Reference | None, patient_id: str) -> str | None:
    reference = subject.reference if subject is not None else None
    if not reference:
        return None
    match = _PATIENT_REF.search(reference)
    if match and match.group(1) != patient_id:
        return match.group(1)
    return None


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "resource"
    message = str(first.get("msg", "invalid")).split("\n", 1)[0]
    more = error.error_count() - 1
    return f"{where}: {message[:100]}" + (f"; and {more} more" if more > 0 else "")


def _report_outcome(outcome: OperationOutcome, where: str, findings: Findings) -> None:
    for issue in outcome.issue or ():
        if issue.severity not in ("error", "fatal", "warning"):
            continue
        said = issue.diagnostics or (issue.details.text if issue.details else None) or issue.code or "no details"
        findings.add_note(f"The EHR reported a {issue.severity} for {where}: {quote(str(said), 120)}.")
