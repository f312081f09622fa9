"""Turn CDS Hooks prefetch values into typed FHIR R4 resources, one resource at a time.

``fhir.resources`` validates strictly: one malformed resource would fail a whole Bundle. So each
entry is parsed on its own with the R4B model for its type (R4B reads R4 for every type used
here); an entry that does not parse, belongs to another patient, or has an unknown type is
skipped and named, and the rest are used.
"""

from __future__ import annotations

import copy
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

from decision_aid.fhir.codes import FHIR_ID_CHARS
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
_PATIENT_REF = re.compile(rf"(?:^|/)Patient/({FHIR_ID_CHARS})(?:/_history/[^/]*)?$")
#: Resources read from one prefetch key: a long list of laboratory results must not crowd out the rest.
MAX_ENTRIES = 5000
#: Elements that tie a resource to the patient, change what it means (FHIR modifier elements) or carry
#: the result (a variant's components). When one of them is malformed the resource is not read: leaving it
#: out could turn "refuted", "do not give" or "uncertain significance" into a fact.
_NEVER_DROPPED = frozenset({
    "resourceType", "subject", "patient", "status", "intent", "doNotPerform", "verificationStatus",
    "clinicalStatus", "modifierExtension", "implicitRules", "code", "medicationCodeableConcept",
    "medicationReference", "gender", "active", "link", "component",
})
#: CodeableConcepts that STU3 sent as bare codes; the code is kept, in the R4 shape.
_STU3_CODES = ("clinicalStatus", "verificationStatus")
#: How many malformed elements are set aside before a resource is given up on.
_MAX_DROPPED = 10


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
    seen: dict[tuple[str, str], list[dict[str, Any]]] = {}
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
            if len(entries) > MAX_ENTRIES:
                findings.add_note(f"Prefetch {key!r} holds {len(entries)} entries; only the first {MAX_ENTRIES} "
                                  "were read.")
            for index, entry in enumerate(entries[:MAX_ENTRIES]):
                where = f"{key!r} entry {index + 1}"
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if not isinstance(resource, dict):
                    findings.add_skipped(f"{where}: no resource in the entry.")
                    continue
                if not _already_read(seen, resource):
                    _add(record, resource, where, patient_id, findings)
        elif not _already_read(seen, value):
            _add(record, value, repr(key), patient_id, findings)
    return record


def _already_read(seen: dict[tuple[str, str], list[dict[str, Any]]], data: dict[str, Any]) -> bool:
    """True for a resource sent before, unchanged: two prefetch searches can return the same resource
    (an Observation that is both a lab result and a genomic one), and it is read once."""
    kind, raw_id = data.get("resourceType"), data.get("id")
    if not isinstance(kind, str) or not isinstance(raw_id, str):
        return False
    versions = seen.setdefault((kind, raw_id), [])
    if any(version == data for version in versions):
        return True
    versions.append(data)
    return False


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
    if kind == "Condition" and any(isinstance(data.get(name), str) for name in _STU3_CODES):
        data = {**data, **{name: {"coding": [{"code": data[name]}]} for name in _STU3_CODES
                           if isinstance(data.get(name), str)}}
    # A Patient's id decides whether it is the patient in context, so a malformed one is never set aside.
    keep = _NEVER_DROPPED | {"id"} if kind == "Patient" else _NEVER_DROPPED
    try:
        resource, repairs, error = _validate(model, data, keep)
    except (KeyError, TypeError, ValueError, AttributeError) as failure:
        # fhir.resources raises these, not a ValidationError, for some shapes (e.g. a contained resource
        # whose resourceType is not a type at all).
        findings.add_skipped(f"{quote(label, 60)} in {where}: not valid FHIR R4 {kind} "
                             f"({type(failure).__name__} while reading it); not read.")
        return
    if error is not None:
        findings.add_skipped(f"{quote(label, 60)} in {where}: not valid FHIR R4 {kind} ({_first_error(error)}); "
                             "not read.")
        return
    if repairs:
        findings.add_note(f"{quote(label, 60)} in {where}: {'; '.join(repairs)}; the rest was read.")
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


def _validate(model: type[BaseModel], data: dict[str, Any],
              keep: frozenset[str]) -> tuple[Any, list[str], ValidationError | None]:
    """Parse ``data``, setting aside malformed elements (a bad date, an unknown field) one at a time.

    Returns the resource, what was set aside (in words), and the error when the resource cannot be read at
    all: a malformed element in ``keep``, a rule about the whole resource, or too many problems.
    """
    try:
        return model.model_validate(data), [], None
    except ValidationError as invalid:
        first_error = invalid
    repaired = copy.deepcopy(data)
    ignored: list[str] = []
    days: dict[str, str] = {}  # element -> the day kept from a date-time without a time zone
    latest = first_error
    for _ in range(_MAX_DROPPED):
        if not _mend_first_problem(latest, repaired, keep, ignored, days):
            break
        try:
            return model.model_validate(repaired), _said(ignored, days), None
        except ValidationError as again:
            latest = again
    return None, [], first_error


def _mend_first_problem(error: ValidationError, data: dict[str, Any], keep: frozenset[str],
                        ignored: list[str], days: dict[str, str]) -> bool:
    """Mend, in place, the first problem in ``error``; False when it may not be mended."""
    number = _number_for_text(error, data)
    if number is not None:
        # A code or text sent as a JSON number (e.g. an RxNorm code 1873916): the same characters, as text.
        _get(data, number[:-1])[number[-1]] = str(_get(data, number))
        return True
    path = _droppable(error, data, keep)
    if path is None:
        return False
    name = ".".join(str(step) for step in path)
    day = _day_of(_get(data, path))
    if day is not None:
        # A date-time without a time zone, common in real records: the day is kept, the time set aside.
        _get(data, path[:-1])[path[-1]] = day
        days[name] = day
    else:
        _delete(data, path)
        days.pop(name, None)
        ignored.append(name)
    return True


def _said(ignored: list[str], days: dict[str, str]) -> list[str]:
    said = [f"{name} is not valid FHIR R4 and was ignored" for name in ignored]
    return said + [f"{name} has a time without a time zone, so only its day ({day}) was used"
                   for name, day in days.items()]


def _number_for_text(error: ValidationError, data: dict[str, Any]) -> tuple[str | int, ...] | None:
    """Where the first problem is a number given for a string, or ``None``."""
    first = error.errors(include_url=False)[0]
    loc = tuple(first.get("loc", ()))
    if first.get("type") != "string_type" or not loc or not _present(data, loc):
        return None
    value = _get(data, loc)
    return loc if isinstance(value, int | float) and not isinstance(value, bool) else None


def _droppable(error: ValidationError, data: dict[str, Any], keep: frozenset[str]) -> tuple[str | int, ...] | None:
    """The element to set aside for the first problem in ``error``, or ``None`` when none may be."""
    loc = tuple(error.errors(include_url=False)[0].get("loc", ()))
    # A required element that is missing: set aside the part that holds it (never the resource itself).
    while loc and not _present(data, loc):
        loc = loc[:-1]
    # Inside a contained resource (e.g. a Medication), the same elements are kept as in a resource.
    element = loc[2] if len(loc) > 2 and loc[0] == "contained" else (loc[0] if loc else None)
    if not isinstance(element, str) or element in keep or "modifierExtension" in loc:
        return None
    # A result's value is never set aside either: a genomic variant with no value counts as present.
    if any(isinstance(step, str) and step.startswith("value") for step in loc):
        return None
    return loc


def _present(data: Any, path: tuple[Any, ...]) -> bool:
    for step in path:
        in_object = isinstance(data, dict) and isinstance(step, str) and step in data
        in_list = isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data)
        if not (in_object or in_list):
            return False
        data = data[step]
    return True


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def _delete(data: Any, path: tuple[Any, ...]) -> None:
    del _get(data, path[:-1])[path[-1]]


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}(?=T)")


def _day_of(value: Any) -> str | None:
    """The ``YYYY-MM-DD`` at the start of a malformed date-time such as ``2024-05-01T10:00:00`` (no zone)."""
    match = _DAY.match(value) if isinstance(value, str) else None
    return match.group(0) if match else None


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
