"""Small readers for FHIR datatypes: codings, texts and dates, tolerant of what real records hold."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept

from decision_aid.fhir.codes import CANCER_STAGING, HGNC_PREFIX, ICD10CM, LOINC, RXNORM, SNOMED


@dataclass(frozen=True, slots=True)
class Code:
    system: str
    code: str
    display: str

    def label(self) -> str:
        """``LOINC 85337-4``-style words for the facts card."""
        return f"{system_name(self.system)} {self.code}"


_SYSTEM_NAMES = {SNOMED: "SNOMED CT", LOINC: "LOINC", RXNORM: "RxNorm", ICD10CM: "ICD-10-CM", CANCER_STAGING: "AJCC"}


def system_name(system: str) -> str:
    if system.startswith(HGNC_PREFIX):
        return "HGNC"
    return _SYSTEM_NAMES.get(system, system or "no system")


def codes(concept: CodeableConcept | None) -> list[Code]:
    if concept is None:
        return []
    return [Code(c.system or "", (c.code or "").strip(), c.display or "") for c in concept.coding or ()]


def find_code(concept: CodeableConcept | None, system: str, wanted: Iterable[str]) -> Code | None:
    wanted = set(wanted)
    return next((c for c in codes(concept) if c.system == system and c.code in wanted), None)


def has_code(concept: CodeableConcept | None, system: str, wanted: Iterable[str]) -> bool:
    return find_code(concept, system, wanted) is not None


def texts(concept: CodeableConcept | None) -> list[str]:
    """The concept's text and every coding's display, in that order, without blanks."""
    if concept is None:
        return []
    found = [concept.text or ""] + [c.display for c in codes(concept)]
    return [t.strip() for t in found if t and t.strip()]


def all_text(*concepts: CodeableConcept | None) -> str:
    return " | ".join(t for c in concepts for t in texts(c))


def first_text(concept: CodeableConcept | None) -> str:
    found = texts(concept)
    return found[0] if found else ""


def describe(concept: CodeableConcept | None) -> str:
    """Say what a concept is: its words, and its first code, e.g. ``'Letrozole 2.5 MG' (RxNorm 200064)``."""
    words = first_text(concept)
    coded = codes(concept)
    code = f"{coded[0].label()}" if coded and coded[0].code else ""
    if words and code:
        return f"{quote(words)} ({code})"
    return quote(words) if words else (code or "no code or text")


def quote(text: str, limit: int = 80) -> str:
    """Record text for the facts card: single-line, shortened, quoted."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"


def normalise_hgnc(code: str) -> str:
    """``1100``, ``HGNC:1100`` and ``hgnc:1100`` all become ``HGNC:1100``."""
    bare = code.strip().upper().removeprefix("HGNC:")
    return f"HGNC:{bare}"


_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def to_date(value: Any) -> dt.date | None:
    """A FHIR date or dateTime (a date, a datetime, or a partial string like ``2018-03``) as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = _YEAR_MONTH.match(value)
        if match:
            year, month, day = match.groups()
            try:
                return dt.date(int(year), int(month or 1), int(day or 1))
            except ValueError:
                return None
    return None


def first_date(*values: Any) -> dt.date | None:
    return next((d for d in map(to_date, values) if d is not None), None)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end`` (never negative)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def profiles_of(resource: Any) -> list[str]:
    """The profile URLs a resource claims in ``meta.profile``."""
    meta = getattr(resource, "meta", None)
    return [p for p in (meta.profile or ()) if p] if meta is not None else []
