"""Shared handling of Observations: which ones count, and in what order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fhir.resources.R4B.observation import Observation

from decision_aid.fhir.concepts import first_date
from decision_aid.fhir.records import Item

_NOT_RESULTS = frozenset({"cancelled", "entered-in-error", "registered"})


def observation_date(observation: Observation) -> dt.date | None:
    period = observation.effectivePeriod
    return first_date(observation.effectiveDateTime, period.start if period else None,
                      observation.effectiveInstant, observation.issued)


def usable(items: Iterable[Item]) -> list[Item]:
    """Observations with a result, newest first (undated ones last)."""
    kept = [item for item in items if item.resource.status not in _NOT_RESULTS]
    return sorted(kept, key=lambda item: observation_date(item.resource) or dt.date.min, reverse=True)


def when(observation: Observation) -> str:
    found = observation_date(observation)
    return f", {found.isoformat()}" if found else ""


def value_words(observation: Observation) -> str:
    """Every piece of text in the result: coded value, string value, interpretation and note."""
    parts: list[str] = []
    concept = observation.valueCodeableConcept
    if concept is not None:
        parts.append(concept.text or "")
        parts.extend(c.display or "" for c in concept.coding or ())
    if observation.valueString:
        parts.append(observation.valueString)
    for interpretation in observation.interpretation or ():
        parts.append(interpretation.text or "")
        parts.extend(c.display or "" for c in interpretation.coding or ())
    return " | ".join(p.strip() for p in parts if p and p.strip())


def value_codes(observation: Observation) -> set[str]:
    found: set[str] = set()
    for concept in (observation.valueCodeableConcept, *(observation.interpretation or ())):
        if concept is not None:
            found.update((c.code or "") for c in concept.coding or ())
    return found
