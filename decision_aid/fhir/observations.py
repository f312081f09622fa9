"""Shared handling of Observations: which ones count, and in what order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from fhir.resources.R4B.observation import Observation

from decision_aid.fhir.concepts import first_date, to_date
from decision_aid.fhir.records import Item

_NOT_RESULTS = frozenset({"cancelled", "entered-in-error", "registered"})


def observation_date(observation: Observation) -> dt.date | None:
    period = observation.effectivePeriod
    return first_date(observation.effectiveDateTime, period.start if period else None,
                      observation.effectiveInstant, observation.issued)


def _moment(value: object) -> float | None:
    """A FHIR date, dateTime or instant as seconds, for ordering (a date counts as its midnight, UTC)."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    day = to_date(value)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() if day else None


def newest_first_key(observation: Observation) -> tuple[float, float]:
    """Order results by when the test was done (effective), then by when it was reported (issued).

    A result with no effective time is placed by its issued time; one with neither comes last.
    """
    period = observation.effectivePeriod
    effective = next((m for m in map(_moment, (observation.effectiveDateTime, period.start if period else None,
                                                observation.effectiveInstant)) if m is not None), None)
    issued = _moment(observation.issued)
    lowest = float("-inf")
    return (effective if effective is not None else issued if issued is not None else lowest,
            issued if issued is not None else lowest)


def usable(items: Iterable[Item]) -> list[Item]:
    """Observations with a result, newest first by effective time then issued time (undated ones last)."""
    kept = [item for item in items if item.resource.status not in _NOT_RESULTS]
    return sorted(kept, key=lambda item: newest_first_key(item.resource), reverse=True)


def dated(item: Item) -> str:
    """When a result was done and where it is, for the facts card: "2025-03-02, Observation/x"."""
    found = observation_date(item.resource)
    return f"{found.isoformat() if found else 'undated'}, {item.label}"


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
