"""ER, PR, HER2 and PD-L1 from tumour-marker Observations (mCODE TumorMarkerTest, LOINC coded).

HER2-low and -ultralow have no code of their own: they are read only from an explicit IHC score
written in the result (``1+``, ``2+`` with ISH not amplified, ``0`` with faint staining or the word
"ultralow"). A HER2 result that says only "negative" stays ``negative``, and the facts card says
the IHC score was not found, because that score decides HER2-low.

When a record holds several results for one marker, the newest is used: newest by when the test was
done (effective), then by when it was reported (issued); undated results come last. HER2 results up
to 30 days apart are read together as one work-up (an IHC 2+ and its reflex ISH); work-ups further
apart are separate tests, e.g. before and after a re-biopsy. When the results disagree, the facts
card says so at the top, naming the result used and the others, because receptors can change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.observation import Observation
from pydantic import BaseModel, ValidationError

from decision_aid.fhir import codes as c
from decision_aid.fhir.concepts import all_text, find_code, has_code
from decision_aid.fhir.findings import Findings
from decision_aid.fhir.observations import (
    dated,
    newest_first_key,
    observation_date,
    usable,
    value_codes,
    value_words,
    when,
)
from decision_aid.fhir.records import Item

_POSITIVE = c.POSITIVE_ANSWERS | {"POS"}
_NEGATIVE = c.NEGATIVE_ANSWERS | {"NEG"}
_POSITIVE_WORD = re.compile(r"\bpositive\b", re.IGNORECASE)
_NEGATIVE_WORD = re.compile(r"\bnegative\b", re.IGNORECASE)
_LOW_WORD = re.compile(r"\blow\b", re.IGNORECASE)
_EQUIVOCAL_WORD = re.compile(r"\b(equivocal|borderline|indeterminate)\b", re.IGNORECASE)
_SCORE = re.compile(r"(?<![A-Za-z0-9.>])([0-3])\s*\+")
_SCORE_WORDED = re.compile(r"\b(?:score|ihc)\s*:?\s*([0-3])\b(?!\s*\+)", re.IGNORECASE)
#: A score written first in an IHC result, e.g. "0 with faint staining" or "3 (positive)".
_LEADING_SCORE = re.compile(r"^\s*([0-3])(?![\d%+]|[.,]\d)\b")
#: Two scores given as a range, e.g. "0-1+" or "1+/2+": which one applies is not said.
_SCORE_RANGE = re.compile(r"(?<![A-Za-z0-9.])[0-3]\+?\s*(?:-|–|/|to|or)\s*[0-3]\s*\+")
_ULTRALOW = re.compile(r"ultra[\s-]?low|>\s*0\s*(?:and\s*)?<\s*1\s*\+", re.IGNORECASE)
_FAINT = re.compile(r"\bfaint\b", re.IGNORECASE)
_NOT_AMPLIFIED = re.compile(r"\b(not|non)[\s-]?amplified\b|\bno amplification\b", re.IGNORECASE)
_AMPLIFIED = re.compile(r"\bamplified\b|\bamplification\b", re.IGNORECASE)
_PERCENT = frozenset({"%", "percent"})

_TEXT_NAMES = {
    "er": re.compile(r"\b(estrogen|oestrogen) receptor\b", re.IGNORECASE),
    "pr": re.compile(r"\bprogesterone receptor\b", re.IGNORECASE),
    "her2": re.compile(r"\b(her2|her-2|erbb2)\b", re.IGNORECASE),
    "pdl1": re.compile(r"\b(pd-?l1|cd274)\b", re.IGNORECASE),
}
_ISH_NAME = re.compile(r"\b(f?ish|in situ hybridi[sz]ation)\b", re.IGNORECASE)
_IHC_NAME = re.compile(r"\b(ihc|immun\w*)\b", re.IGNORECASE)
_CPS = re.compile(r"\bcps\b|combined positive score", re.IGNORECASE)
_NUMBER = r"(>=|<=|<|>|≥|≤)?\s*(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?(?![\w.])"
#: A number written after "CPS", so that an antibody clone such as 22C3 or SP263 is never read as the score.
_CPS_NUMBER = re.compile(r"(?:\bcps\b|combined positive score)(?:\s*\(cps\))?\s*(?:score|value|of|is|was|=|:)?\s*"
                         + _NUMBER, re.IGNORECASE)
#: A result that is only a number (the test's name says it is a CPS).
_ONLY_NUMBER = re.compile(r"^\s*" + _NUMBER + r"\s*$")


@dataclass(frozen=True, slots=True)
class Markers:
    er: str
    pr: str
    her2: str
    pdl1: str


def read_markers(observations: list[Item], findings: Findings) -> Markers:
    by_marker: dict[str, list[Item]] = {"er": [], "pr": [], "her2_ihc": [], "her2_ish": [], "her2": [], "pdl1": []}
    for item in usable(observations):
        for result in (item, *_component_results(item)):
            marker = _marker_of(result.resource)
            if marker:
                by_marker[marker].append(result)
    er = _receptor("ER", by_marker["er"], findings)
    pr = _receptor("PR", by_marker["pr"], findings)
    her2 = _her2(by_marker["her2_ihc"], by_marker["her2_ish"], by_marker["her2"], findings)
    # PD-L1 matters for triple-negative disease; a missing result is only worth saying then.
    pdl1 = _pdl1(by_marker["pdl1"], findings, report_missing="positive" not in (er, pr, her2))
    return Markers(er, pr, her2, pdl1)


#: What a component shares with its Observation: when it was done and what it is about.
_SHARED = ("status", "subject", "effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued", "method")


def _component_results(item: Item) -> list[Item]:
    """A panel's components (e.g. ER and PR in one receptor panel) as results of their own.

    Genomic results are left alone: their components describe one variant, not separate tests.
    """
    observation: Observation = item.resource
    if not observation.component or has_code(observation.code, c.LOINC, {c.VARIANT_CODE, c.REGION_STUDIED_CODE}):
        return []
    shared: dict[str, Any] = {}
    for name in _SHARED:  # one by one: fhir.resources' model_dump does not keep to ``include``
        value = getattr(observation, name, None)
        if value is not None:
            shared[name] = value.model_dump(exclude_none=True) if isinstance(value, BaseModel) else value
    results = []
    for number, component in enumerate(observation.component, start=1):
        data = {"resourceType": "Observation", **shared, **component.model_dump(exclude_none=True)}
        data.pop("modifierExtension", None)
        try:
            results.append(Item(f"{item.label} component {number}", Observation.model_validate(data)))
        except ValidationError:
            continue
    return results


def _marker_of(observation: Observation) -> str | None:
    code = observation.code
    for marker, wanted in (("er", c.ER_CODES), ("pr", c.PR_CODES), ("her2_ihc", c.HER2_IHC_CODES),
                           ("her2_ish", c.HER2_ISH_CODES), ("her2", c.HER2_INTERPRETATION_CODES)):
        if find_code(code, c.LOINC, wanted):
            return marker
    # Only when no code we know: the test's name, for records coded locally.
    if has_code(code, c.LOINC, {c.VARIANT_CODE, c.REGION_STUDIED_CODE}):
        return None
    name = all_text(code)
    for marker in ("er", "pr", "pdl1", "her2"):
        if _TEXT_NAMES[marker].search(name):
            if marker == "her2" and _ISH_NAME.search(name):
                return "her2_ish"
            if marker == "her2" and _IHC_NAME.search(name):
                return "her2_ihc"
            return marker
    return None


def _source(item: Item) -> str:
    coded = find_code(item.resource.code, c.LOINC, c.ER_CODES | c.PR_CODES | c.HER2_IHC_CODES | c.HER2_ISH_CODES
                      | c.HER2_INTERPRETATION_CODES)
    how = coded.label() if coded else "test named in text"
    return f"{item.label}, {how}{when(item.resource)}"


# --- ER and PR ----------------------------------------------------------------------------------

#: A receptor immunostain is an antigen *presence* test, so "detected" / "not detected" answer it too.
_DETECTED = frozenset({"LA11882-0", "260373001"})
_NOT_DETECTED = frozenset({"LA11883-8", "260415000"})
_NOT_DETECTED_WORD = re.compile(r"\bnot[\s-]+detected\b|\bundetected\b|\bno\b[^|.;]*\bdetected\b", re.IGNORECASE)
_DETECTED_WORD = re.compile(r"\bdetected\b", re.IGNORECASE)
#: A result that is only a percentage of cells stained, e.g. "90%" or "<1%".
_PERCENT_ONLY = re.compile(r"^\s*(<=|>=|<|>)?\s*(\d{1,3}(?:\.\d+)?)\s*%\s*$")
#: A result that is only a sign or an abbreviation, e.g. "ER+", "-", "POS", "neg".
_SIGN_ONLY = re.compile(r"^\s*(?:(?:ER|PR|PgR)\s*)?(?:(?P<plus>\+|pos)|(?P<minus>-|−|neg))\s*$", re.IGNORECASE)


def _receptor_value(observation: Observation) -> tuple[str, str] | None:
    found = value_codes(observation)
    positive_codes, negative_codes = found & (_POSITIVE | _DETECTED), found & (_NEGATIVE | _NOT_DETECTED)
    if positive_codes and not negative_codes:
        return "positive", ""
    if negative_codes and not positive_codes:
        return "negative", ""
    quantity = observation.valueQuantity
    if quantity is not None and quantity.value is not None and (quantity.unit in _PERCENT or quantity.code == "%"):
        comparator = quantity.comparator or ""
        status = _percent_status(comparator, quantity.value)
        if status is not None:
            return status, f"{comparator}{quantity.value}% of cells stained; 1% cut-off"
    words = value_words(observation)
    positive, negative = bool(_POSITIVE_WORD.search(words)), bool(_NEGATIVE_WORD.search(words))
    if positive != negative:
        return ("positive" if positive else "negative"), "read from the result text"
    if not positive and not negative:
        return _receptor_words(words)
    return None


def _receptor_words(words: str) -> tuple[str, str] | None:
    """A result written without "positive" or "negative": "not detected", "90%", "ER+", "NEG"."""
    if _NOT_DETECTED_WORD.search(words):
        return "negative", "read from the result text"
    if _DETECTED_WORD.search(words):
        return "positive", "read from the result text"
    parts = words.split(" | ")
    percent = next(filter(None, map(_PERCENT_ONLY.match, parts)), None)
    if percent is not None:
        comparator = percent.group(1) or ""
        status = _percent_status(comparator, Decimal(percent.group(2)))
        return (status, f"{comparator}{percent.group(2)}% of cells stained; 1% cut-off") if status else None
    sign = next(filter(None, map(_SIGN_ONLY.match, parts)), None)
    if sign is not None:
        return ("positive" if sign.group("plus") else "negative"), "read from the result text"
    return None


def _percent_status(comparator: str, value: Decimal) -> str | None:
    """ASCO/CAP 2020: 1% or more of cells staining is positive. ``None`` when a comparator leaves it open."""
    one = Decimal(1)
    if comparator in ("", "="):
        return "positive" if value >= one else "negative"
    if comparator in (">", ">="):
        return "positive" if value >= one else None
    if comparator == "<":
        return "negative" if value <= one else None
    if comparator == "<=":
        return "negative" if value < one else None
    return None


def _receptor(name: str, items: list[Item], findings: Findings) -> str:
    readable: list[tuple[str, Item]] = []
    for item in items:
        value = _receptor_value(item.resource)
        if value is None:
            findings.add_note(f"{name}: the result in {item.label} could not be read as positive or negative; "
                              "not used.")
            continue
        status, how = value
        if not readable:
            more = f"; newest of {len(items)} results" if len(items) > 1 else ""
            findings.add_read(f"{name}: {status} ({_source(item)}{'; ' + how if how else ''}{more})")
        readable.append((status, item))
    if not readable:
        findings.add_missing(f"{name} status not found")
        return "unknown"
    (status, item), older = readable[0], readable[1:]
    disagree(findings, name, f"{status} ({dated(item)})",
             [f"{other} ({dated(older_item)})" for other, older_item in older if other != status])
    return status


#: How many disagreeing older results are named one by one.
_MAX_NAMED = 3


def disagree(findings: Findings, name: str, used: str, others: list[str],
             advice: str = "Receptors can change; ask the team which result applies.") -> None:
    """Say plainly, at the top of the facts card, that results in the record disagree and which was used."""
    if not others:
        return
    named = "; ".join(others[:_MAX_NAMED])
    if len(others) > _MAX_NAMED:
        named += f"; and {len(others) - _MAX_NAMED} more"
    verb = "is" if len(others) == 1 else "are"
    findings.add_alert(f"{name}: results disagree — {used} used; {named} {verb} also in the record. {advice}")


# --- HER2 ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Her2Result:
    item: Item
    score: str | None  # "0", "1+", "2+", "3+"
    ultralow: bool
    status: str | None  # "positive", "negative", "equivocal"
    amplified: bool | None


def _score(observation: Observation, words: str, ihc: bool) -> str | None:
    if _SCORE_RANGE.search(words):
        return None
    match = _SCORE.search(words) or _SCORE_WORDED.search(words)
    if match is None and ihc:
        match = next(filter(None, map(_LEADING_SCORE.match, words.split(" | "))), None)
    number: int | None = int(match.group(1)) if match else None
    if number is None and ihc:
        quantity = observation.valueQuantity
        if observation.valueInteger is not None:
            number = observation.valueInteger
        elif quantity is not None and quantity.value is not None and quantity.value == int(quantity.value):
            number = int(quantity.value)
        elif words.strip() in ("0", "1", "2", "3"):
            number = int(words.strip())
    if number is None or not 0 <= number <= 3:
        return None
    return f"{number}+" if number else "0"


def _status(found: set[str], words: str) -> str | None:
    if found & _POSITIVE and not found & _NEGATIVE:
        return "positive"
    if found & _NEGATIVE and not found & _POSITIVE:
        return "negative"
    if _EQUIVOCAL_WORD.search(words):
        return "equivocal"
    if _LOW_WORD.search(words):
        return "negative"
    positive, negative = bool(_POSITIVE_WORD.search(words)), bool(_NEGATIVE_WORD.search(words))
    if positive != negative:
        return "positive" if positive else "negative"
    return None


def _her2_result(item: Item, kind: str) -> _Her2Result:
    observation: Observation = item.resource
    words = value_words(observation)
    if _ULTRALOW.search(words):
        score: str | None = "0"
        ultralow = True
    else:
        score = _score(observation, words, kind == "ihc")
        ultralow = score == "0" and bool(_FAINT.search(words))
    status = _status(value_codes(observation), words)
    amplified: bool | None = None
    if kind == "ish":
        if _NOT_AMPLIFIED.search(words):
            amplified = False
        elif _AMPLIFIED.search(words):
            amplified = True
        elif status in ("positive", "negative"):
            amplified = status == "positive"
    return _Her2Result(item, score, ultralow, status, amplified)


#: Results this close in time are taken as one work-up (e.g. IHC 2+ and the reflex ISH a week later);
#: results further apart are separate tests, e.g. a re-biopsy of a metastasis.
_SAME_WORK_UP_DAYS = 30
_HER2_WORDS = {"positive": "HER2-positive", "low": "HER2-low", "ultralow": "HER2-ultralow", "negative": "HER2-negative",
               "unknown": "not decided"}


@dataclass
class _Her2Call:
    """What one work-up says: the value, how it was read, and the lines for the facts card."""

    value: str
    how: str
    item: Item
    read: str
    missing: list[str]
    #: Other IHC scores in the same work-up that differ from the one used (e.g. two samples the same week).
    also: list[str] = field(default_factory=list)


def _her2(ihc_items: list[Item], ish_items: list[Item], other_items: list[Item], findings: Findings) -> str:
    results = sorted([*((i, "ihc") for i in ihc_items), *((i, "ish") for i in ish_items),
                      *((i, "other") for i in other_items)],
                     key=lambda pair: newest_first_key(pair[0].resource), reverse=True)
    calls: list[_Her2Call] = []
    unread: list[Item] = []
    for work_up in _work_ups(results):
        call = _her2_call(work_up, findings)
        if call is None:
            unread.extend(item for item, _kind in work_up)
        else:
            calls.append(call)
    if not calls:
        if unread:
            findings.add_note(f"HER2 in {unread[0].label} gives no IHC score, ISH result or positive/negative call "
                              "this service can read (a range such as 0-1+ is not read as one score); not used.")
        findings.add_missing("HER2 status not found")
        return "unknown"
    chosen = calls[0]
    more = f"; newest of {len(calls)} HER2 work-ups" if len(calls) > 1 else ""
    findings.add_read(chosen.read + more)
    for line in chosen.missing:
        findings.add_missing(line)
    others = chosen.also + [f"{c.how} ({_HER2_WORDS[c.value]}; {dated(c.item)})" for c in calls[1:]
                            if c.value != chosen.value and c.value != "unknown"]
    disagree(findings, "HER2", f"{chosen.how} ({_HER2_WORDS[chosen.value]}; {dated(chosen.item)})", others)
    return chosen.value


def _work_ups(results: list[tuple[Item, str]]) -> list[list[tuple[Item, str]]]:
    """Results (newest first) split into work-ups: each takes the results up to 30 days older than its newest."""
    groups: list[list[tuple[Item, str]]] = []
    anchor = None
    for item, kind in results:
        day = observation_date(item.resource)
        if groups and (anchor is None) == (day is None) and (
                anchor is None or day is None or (anchor - day).days <= _SAME_WORK_UP_DAYS):
            groups[-1].append((item, kind))
            continue
        groups.append([(item, kind)])
        anchor = day
    return groups


def _her2_call(work_up: list[tuple[Item, str]], findings: Findings) -> _Her2Call | None:
    """Read one work-up as the rules of ASCO/CAP: ISH amplified is positive; else the IHC score decides,
    IHC 2+ needing ISH or a stated final call. ``None`` when nothing in it can be read."""
    ihc = [_her2_result(i, "ihc") for i, k in work_up if k == "ihc"]
    overall = [_her2_result(i, "other") for i, k in work_up if k == "other"]
    ish_items = [i for i, k in work_up if k == "ish"]
    ish = next((r for r in (_her2_result(i, "ish") for i in ish_items) if r.amplified is not None), None)
    if ish is None and ish_items:
        findings.add_note(f"HER2 ISH in {ish_items[0].label} does not say amplified or not amplified (a ratio or "
                          "copy number alone is not interpreted here); not used.")
    scored = next((r for r in (*ihc, *overall) if r.score is not None), None)
    stated = next((r for r in (*overall, *ihc) if r.status is not None), None)

    if ish is not None and ish.amplified:
        return _Her2Call("positive", "ISH amplified", ish.item,
                         f"HER2: positive (ISH amplified; {_source(ish.item)})", [])
    if scored is not None:
        call = _her2_from_score(scored, ish, stated)
        call.also = [f"IHC {r.score} ({dated(r.item)})" for r in ihc
                     if r.score is not None and r.item is not scored.item and r.score != scored.score]
        return call
    if stated is not None and stated.status == "positive":
        return _Her2Call("positive", "reported positive", stated.item, f"HER2: positive ({_source(stated.item)})", [])
    negative = stated if stated is not None and stated.status == "negative" else ish
    if negative is not None:
        how = "ISH not amplified" if negative is ish else "reported negative"
        return _Her2Call("negative", how, negative.item, f"HER2: negative ({_source(negative.item)})",
                         ["HER2 IHC score not found (0, 1+ or 2+ decides whether the cancer is HER2-low or "
                          "-ultralow)"])
    if stated is not None:
        return _Her2Call("unknown", "reported equivocal", stated.item, f"HER2: equivocal ({_source(stated.item)})",
                         ["A final HER2 result (ISH) not found, so HER2 status is unknown"])
    return None


def _her2_from_score(scored: _Her2Result, ish: _Her2Result | None, stated: _Her2Result | None) -> _Her2Call:
    how = f"IHC {scored.score}" + (" with faint staining (ultralow)" if scored.ultralow else "")
    src = _source(scored.item)
    simple = {"3+": "positive", "1+": "low", "0": "ultralow" if scored.ultralow else "negative"}
    if scored.score in simple:
        value = simple[scored.score or ""]
        return _Her2Call(value, how, scored.item, f"HER2: {value} ({how}; {src})", [])
    # IHC 2+ is decided by ISH, or by a result that states the final call.
    if ish is not None:
        return _Her2Call("low", f"{how} and ISH not amplified", scored.item,
                         f"HER2: low ({how} and ISH not amplified; {src}; {_source(ish.item)})", [])
    if stated is not None and stated.status in ("positive", "negative"):
        value = "positive" if stated.status == "positive" else "low"
        return _Her2Call(value, f"{how}, reported {stated.status}", scored.item,
                         f"HER2: {value} ({how}, reported {stated.status}; {src}; {_source(stated.item)})", [])
    return _Her2Call("unknown", f"{how}, equivocal", scored.item, f"HER2: IHC 2+, equivocal ({src})",
                     ["HER2 ISH result for the IHC 2+ score not found, so HER2 status is unknown"])


# --- PD-L1 --------------------------------------------------------------------------------------

def _pdl1(items: list[Item], findings: Findings, *, report_missing: bool) -> str:
    readable: list[tuple[str, str, Item]] = []
    for item in items:
        observation: Observation = item.resource
        context = " | ".join((all_text(observation.code, observation.method), value_words(observation)))
        if not _CPS.search(context):
            findings.add_note(f"PD-L1 in {item.label} is not given as a combined positive score (CPS); not used.")
            continue
        cps = _cps_value(observation)
        if cps is None:
            findings.add_note(f"PD-L1 in {item.label}: no CPS number could be read; not used.")
            continue
        shown, positive = cps
        if positive is None:
            findings.add_note(f"PD-L1 in {item.label}: CPS {shown} does not say which side of 10 it is on; not used.")
            continue
        status = "positive" if positive else "negative"
        if not readable:
            findings.add_read(f"PD-L1: {status} (CPS {shown}; 10 or more counts as positive; "
                              f"{item.label}{when(observation)})")
        readable.append((status, shown, item))
    if not readable:
        if report_missing:
            findings.add_missing("PD-L1 (CPS) result not found")
        return "not_tested"
    (status, shown, item), older = readable[0], readable[1:]
    disagree(findings, "PD-L1", f"CPS {shown}, {status} ({dated(item)})",
             [f"CPS {o_shown}, {o_status} ({dated(o_item)})" for o_status, o_shown, o_item in older
              if o_status != status],
             "PD-L1 can differ between samples and over time; ask the team which result applies.")
    return status


def _cps_value(observation: Observation) -> tuple[str, bool | None] | None:
    """The CPS as written, and whether it is 10 or more (``None`` when the result leaves that open)."""
    quantity = observation.valueQuantity
    if quantity is not None and quantity.value is not None:
        comparator, number = (quantity.comparator or ""), float(quantity.value)
        return f"{comparator}{number:g}", _cps_positive(comparator, number)
    if observation.valueInteger is not None:
        return f"{observation.valueInteger}", observation.valueInteger >= 10
    words = value_words(observation)
    match = _CPS_NUMBER.search(words) or next(filter(None, map(_ONLY_NUMBER.match, words.split(" | "))), None)
    if match is None:
        return None
    comparator, low, high = match.group(1) or "", float(match.group(2)), match.group(3)
    if high is not None:  # a range, e.g. "CPS 1-9"
        top = float(high)
        return f"{low:g}-{top:g}", (True if low >= 10 else False if top < 10 else None)
    return f"{comparator}{low:g}", _cps_positive(comparator, low)


def _cps_positive(comparator: str, number: float) -> bool | None:
    """Whether a CPS result is 10 or more, or ``None`` when its comparator leaves that open."""
    if comparator in ("", "="):
        return number >= 10
    if comparator in (">", ">=", "≥"):
        return True if number >= 10 else None
    if comparator == "<":
        return False if number <= 10 else None
    if comparator in ("<=", "≤"):
        return False if number < 10 else None
    return None
