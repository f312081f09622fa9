"""Treatments from MedicationRequest, MedicationStatement (older mCODE data) and MedicationAdministration.

A medicine is named by (1) a confirmed RxNorm ingredient code, or (2) a generic or brand name from
the knowledge base's drug vocabulary found in a coding's display or the concept's text, the same
names ``/v1/guide`` accepts. Products are usually coded as SCD/SBD ("letrozole 2.5 MG Oral Tablet"),
so names are searched for as whole words inside the text. A medicine not in the vocabulary, or one
that is not a cancer treatment (ondansetron, paracetamol: the group ``supportive``), is left out and
named in the facts card. Setting comes from mCODE's treatment intent, else from dates
against the first sign of spread; outcome from status, statusReason and disease status.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.medication import Medication

from decision_aid.drugs import DrugRef, DrugVocabulary, normalise
from decision_aid.fhir import codes as c
from decision_aid.fhir.concepts import all_text, codes, describe, find_code, first_date, has_code, months_between, quote
from decision_aid.fhir.findings import Findings
from decision_aid.fhir.observations import observation_date, usable, value_words
from decision_aid.fhir.records import Item
from decision_aid.profile import MAX_TREATMENTS

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_PROGRESSED_WORDS = re.compile(r"progress|no response|not respond|refractory|worse", re.IGNORECASE)
_SIDE_EFFECT_WORDS = re.compile(r"toxicit|side[\s-]?effect|not tolerated|intoleran|adverse", re.IGNORECASE)
_EARLY_WORDS = re.compile(r"curative|adjuvant", re.IGNORECASE)
_PALLIATIVE_WORDS = re.compile(r"palliative", re.IGNORECASE)
_WORSENED_WORDS = re.compile(r"worse|progress", re.IGNORECASE)
#: A treatment that began this many days or more before the spread was recorded was for earlier cancer.
_EARLY_MARGIN_DAYS = 30

_NOT_GIVEN = {
    "MedicationRequest": {"cancelled", "entered-in-error", "draft"},
    "MedicationStatement": {"intended", "not-taken", "entered-in-error"},
    "MedicationAdministration": {"not-done", "entered-in-error"},
}
_STATUS_OUTCOME = {
    "active": "ongoing", "in-progress": "ongoing", "completed": "completed",
}
_PLANNED_INTENTS = {"proposal", "plan", "option"}
_PRECEDENCE = ("progressed", "stopped_side_effects", "ongoing", "completed", "unknown")


def _words(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", normalise(text)).split())


class DrugNames:
    """Finds vocabulary names inside free text such as an RxNorm display."""

    def __init__(self, drugs: DrugVocabulary) -> None:
        self.drugs = drugs
        by_first: dict[str, dict[tuple[str, ...], DrugRef]] = {}
        for name in drugs.display_names:
            ref = drugs.resolve(name)
            tokens = tuple(_words(name).split())
            if ref.kind == "drug" and tokens and not ref.supportive:
                by_first.setdefault(tokens[0], {}).setdefault(tokens, ref)
        #: Names by their first word, longest first, so each position takes its longest match.
        self._by_first = {word: sorted(names.items(), key=lambda pair: -len(pair[0]))
                          for word, names in by_first.items()}

    def find(self, text: str) -> list[str]:
        """Every generic name found in ``text`` as whole words, the longest match at each place, without overlap.

        Example usage::

            >>> from decision_aid.knowledge_base import load_knowledge_base
            >>> DrugNames(load_knowledge_base().drugs).find("ado-trastuzumab emtansine 100 MG Injection [Kadcyla]")
            ['ado-trastuzumab emtansine']
        """
        ref = self.drugs.find(text)  # not resolve(): its suggestions are costly
        if ref is not None and ref.supportive:
            return []
        if ref is not None:
            return [ref.label if ref.kind == "drug" else text.strip()]
        tokens = _words(text).split()
        found: list[DrugRef] = []
        start = 0
        while start < len(tokens):
            size = 1
            for name_tokens, drug in self._by_first.get(tokens[start], ()):
                if tuple(tokens[start:start + len(name_tokens)]) == name_tokens:
                    size = len(name_tokens)
                    if drug not in found:
                        found.append(drug)
                    break
            start += size
        # A combination product's display also names its parts: keep the product, drop the parts.
        return [d.label for d in found
                if not any(other is not d and d.generics < other.generics for other in found)]


@dataclass
class _Use:
    item: Item
    drugs: list[str]
    how: str
    outcome: str
    setting: str | None
    setting_how: str
    start: dt.date | None
    end: dt.date | None
    reason: str


@dataclass
class _Course:
    drug: str
    setting: str
    uses: list[_Use] = field(default_factory=list)
    outcome: str = "unknown"
    months_since_end: int | None = None
    why: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Treatments:
    treatments: list[dict[str, Any]]
    any_early: bool


def read_treatments(uses: list[Item], medications: dict[str, Medication], drugs: DrugVocabulary,
                    metastasis_onset: dt.date | None, observations: list[Item], findings: Findings) -> Treatments:
    names = DrugNames(drugs)
    unknown: list[str] = []
    courses: dict[tuple[str, str], _Course] = {}
    for item in uses:
        use = _read_use(item, medications, names, metastasis_onset, findings, unknown)
        if use is None:
            continue
        for drug in use.drugs:
            setting = use.setting or "metastatic"
            course = courses.setdefault((drug, setting), _Course(drug, setting))
            course.uses.append(use)
    if unknown:
        shown = "; ".join(unknown[:6]) + (f"; and {len(unknown) - 6} more" if len(unknown) > 6 else "")
        findings.add_note(f"Medicines left out (not cancer medicines, or not in the drug list): {shown}.")
    worsened = _worsened_dates(observations)
    result: list[dict[str, Any]] = []
    for course in courses.values():
        _settle(course, metastasis_onset, worsened)
        treatment: dict[str, Any] = {"drug": course.drug, "setting": course.setting, "outcome": course.outcome}
        if course.months_since_end is not None:
            treatment["months_since_end"] = course.months_since_end
        result.append(treatment)
        findings.add_read(_describe(course))
    if not courses:
        findings.add_missing("No cancer medicines found")
    if len(result) > MAX_TREATMENTS:
        findings.add_note(f"Only the first {MAX_TREATMENTS} of {len(result)} treatments were used.")
        result = result[:MAX_TREATMENTS]
    return Treatments(result, any(course.setting == "early" for course in courses.values()))


def _concept(resource: Any, medications: dict[str, Medication]) -> CodeableConcept | None:
    """The medicine: coded on the resource, or in the Medication it refers to (contained or sent alongside).

    When that Medication was not sent, the reference's own ``display`` (e.g. "letrozole 2.5 mg tablet")
    stands in for it, as text.
    """
    if resource.medicationCodeableConcept is not None:
        concept: CodeableConcept = resource.medicationCodeableConcept
        return concept
    link = resource.medicationReference
    if link is None:
        return None
    found: CodeableConcept | None = None
    reference = link.reference or ""
    if reference.startswith("#"):
        contained = next((r for r in resource.contained or () if getattr(r, "id", None) == reference[1:]), None)
        found = getattr(contained, "code", None)
    elif reference:
        medication = medications.get(reference) or medications.get("Medication/" + reference.rsplit("/", 1)[-1])
        found = medication.code if medication is not None else None
    if found is None and link.display and link.display.strip():
        found = CodeableConcept.model_validate({"text": link.display})
    return found


def _names_in(concept: CodeableConcept, names: DrugNames) -> tuple[list[str], str]:
    rxnorm = find_code(concept, c.RXNORM, c.RXNORM_INGREDIENTS)
    if rxnorm is not None:
        return [c.RXNORM_INGREDIENTS[rxnorm.code]], rxnorm.label()
    for coding in codes(concept):
        if coding.display:
            found = names.find(coding.display)
            if found:
                return found, f"name in the {coding.label()} display {quote(coding.display, 60)}"
    if concept.text:
        found = names.find(concept.text)
        if found:
            return found, f"name in the text {quote(concept.text, 60)}"
    return [], ""


def _read_use(item: Item, medications: dict[str, Medication], names: DrugNames, metastasis_onset: dt.date | None,
              findings: Findings, unknown: list[str]) -> _Use | None:
    resource = item.resource
    kind = resource.get_resource_type()
    if resource.status in _NOT_GIVEN[kind]:
        return None
    if kind == "MedicationRequest" and resource.intent in _PLANNED_INTENTS:
        findings.add_note(f"{item.label} is a {resource.intent}, not a medicine given; not counted.")
        return None
    if kind == "MedicationRequest" and resource.doNotPerform:
        findings.add_note(f"{item.label} is an order not to give {describe(_concept(resource, medications))}; "
                          "not counted.")
        return None
    concept = _concept(resource, medications)
    if concept is None:
        findings.add_skipped(f"{item.label}: the medicine it refers to was not sent; not read.")
        return None
    found, how = _names_in(concept, names)
    if not found:
        unknown.append(f"{describe(concept)} ({item.label})")
        return None
    outcome, reason = _outcome(resource)
    setting, setting_how = _intent(resource)
    start, end = _dates(resource)
    if setting is None and start is not None and metastasis_onset is not None:
        if (metastasis_onset - start).days >= _EARLY_MARGIN_DAYS:
            setting, setting_how = "early", "started before the spread was recorded"
        else:
            setting, setting_how = "metastatic", "started after the spread was recorded"
    if setting is None:
        setting_how = "no treatment intent or usable dates, so taken as for metastatic cancer"
    return _Use(item, found, how, outcome, setting, setting_how, start, end, reason)


def _reason_concepts(resource: Any) -> list[CodeableConcept]:
    reason = resource.statusReason
    if reason is None:
        return []
    return list(reason) if isinstance(reason, list) else [reason]


def _outcome(resource: Any) -> tuple[str, str]:
    if resource.status == "stopped":
        for concept in _reason_concepts(resource):
            words = all_text(concept)
            if has_code(concept, c.SNOMED, {c.NOT_TOLERATED}) or _SIDE_EFFECT_WORDS.search(words):
                return "stopped_side_effects", f"stopped: {quote(words or c.NOT_TOLERATED, 60)}"
            if has_code(concept, c.SNOMED, {c.NO_RESPONSE}) or _PROGRESSED_WORDS.search(words):
                return "progressed", f"stopped: {quote(words or c.NO_RESPONSE, 60)}"
        said = "; ".join(all_text(r) for r in _reason_concepts(resource))
        return "unknown", f"stopped{': ' + quote(said, 60) if said else ', reason not recorded'}"
    if resource.get_resource_type() == "MedicationAdministration" and resource.status == "completed":
        # One dose given says nothing about how the course ended.
        return "unknown", "a dose given"
    outcome = _STATUS_OUTCOME.get(resource.status or "", "unknown")
    return outcome, f"status {resource.status}"


def _intent(resource: Any) -> tuple[str | None, str]:
    for extension in resource.extension or ():
        if not (extension.url or "").endswith(c.TREATMENT_INTENT_URL_SUFFIX):
            continue
        concept = extension.valueCodeableConcept
        words = all_text(concept)
        if has_code(concept, c.SNOMED, {c.CURATIVE}) or _EARLY_WORDS.search(words):
            return "early", "curative intent"
        if has_code(concept, c.SNOMED, {c.PALLIATIVE}) or _PALLIATIVE_WORDS.search(words):
            return "metastatic", "palliative intent"
    return None, ""


def _dates(resource: Any) -> tuple[dt.date | None, dt.date | None]:
    kind = resource.get_resource_type()
    if kind == "MedicationRequest":
        for dosage in resource.dosageInstruction or ():
            repeat = dosage.timing.repeat if dosage.timing else None
            bounds = repeat.boundsPeriod if repeat else None
            if bounds is not None and (bounds.start or bounds.end):
                return first_date(bounds.start), first_date(bounds.end)
        return first_date(resource.authoredOn), None
    period = resource.effectivePeriod
    if period is not None:
        return first_date(period.start), first_date(period.end)
    when = first_date(resource.effectiveDateTime)
    return when, (when if kind == "MedicationAdministration" else None)


def _worsened_dates(observations: list[Item]) -> list[dt.date]:
    dates = []
    for item in usable(observations):
        observation = item.resource
        if not has_code(observation.code, c.LOINC, c.DISEASE_STATUS_CODES):
            continue
        worse = has_code(observation.valueCodeableConcept, c.SNOMED, {c.WORSENED}) or bool(
            _WORSENED_WORDS.search(value_words(observation)))
        found = observation_date(observation)
        if worse and found is not None:
            dates.append(found)
    return dates


def _settle(course: _Course, metastasis_onset: dt.date | None, worsened: list[dt.date]) -> None:
    outcomes = {use.outcome for use in course.uses}
    course.outcome = next(o for o in _PRECEDENCE if o in outcomes or o == "unknown")
    starts = [u.start for u in course.uses if u.start]
    ends = [u.end for u in course.uses if u.end]
    start = min(starts) if starts else None
    end = max(ends) if ends and course.outcome != "ongoing" else None
    if course.outcome in ("ongoing", "completed", "unknown") and start is not None:
        during = next((d for d in worsened if start <= d and (end is None and course.outcome == "ongoing"
                                                              or end is not None and d <= end)), None)
        if during is not None:
            course.outcome = "progressed"
            course.why.append(f"disease status worse on {during.isoformat()} while on it")
    if course.setting == "early" and metastasis_onset is not None and end is not None and course.outcome != "ongoing":
        if metastasis_onset <= end:
            course.outcome = "progressed"
            course.why.append("the cancer spread before it ended")
        else:
            course.months_since_end = months_between(end, metastasis_onset)
            course.why.append(f"ended {course.months_since_end} months before the spread was recorded")


_OUTCOME_WORDS = {
    "ongoing": "still being taken", "completed": "completed", "progressed": "the cancer grew during it",
    "stopped_side_effects": "stopped because of side effects", "unknown": "outcome not recorded",
}


def _describe(course: _Course) -> str:
    setting = "for earlier breast cancer" if course.setting == "early" else "for metastatic cancer"
    sources = []
    for use in course.uses[:4]:
        details = "; ".join(d for d in (use.how, use.setting_how, use.reason) if d)
        sources.append(f"{use.item.label}: {details}")
    if len(course.uses) > 4:
        sources.append(f"and {len(course.uses) - 4} more records")
    extra = "".join(f", {w}" for w in course.why)
    return f"Treatment: {course.drug}, {setting}, {_OUTCOME_WORDS[course.outcome]}{extra} ({'; '.join(sources)})"
