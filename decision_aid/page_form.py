"""The patient page's form, without the web: posted fields in, a profile (or errors in words) out;
a profile back into fields (to change the answers); the kept questions as a Markdown file.

The fields are a plain mapping of name to the list of posted values, so this works with any web
framework and is tested without one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from decision_aid import page_text as words
from decision_aid.drugs import DrugVocabulary
from decision_aid.errors import UnknownDrugError
from decision_aid.profile import MAX_DRUG_NAME, MAX_MONTHS, MAX_TREATMENTS, Profile, parse_profile

Fields = Mapping[str, Sequence[str]]

#: Empty treatment boxes shown on a new form (more can be added).
BLANK_TREATMENT_ROWS = 2
MAX_QUESTIONS = 150
MAX_QUESTION_LENGTH = 400
_SPACES = re.compile(r"\s+")

BIOMARKER_CHOICES: dict[str, dict[str, str]] = {
    key: (words.PDL1 if key == "pdl1" else words.GENE) for key in words.BIOMARKERS
}


@dataclass
class TreatmentRow:
    """One treatment box as the person filled it in (raw text, so it can be shown back)."""

    drug: str = ""
    setting: str = "metastatic"
    outcome: str = "unknown"
    months: str = ""

    @property
    def empty(self) -> bool:
        return not self.drug.strip()


@dataclass
class FormState:
    """Everything on the form, as filled in, with an error message per field id where needed."""

    visit: str = "unknown"
    sites: list[str] = field(default_factory=list)
    triple_negative: bool = False
    er: str = "unknown"
    pr: str = "unknown"
    her2: str = "unknown"
    treatments: list[TreatmentRow] = field(default_factory=list)
    symptoms: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    presentation: str = "unknown"
    menopausal_status: str = "unknown"
    sex: str = ""
    biomarkers: dict[str, str] = field(default_factory=lambda: dict.fromkeys(words.BIOMARKERS, "not_tested"))
    #: field id -> message; the ids are the ids of the controls on the page, in page order.
    errors: dict[str, str] = field(default_factory=dict)

    def with_blank_rows(self) -> FormState:
        """Pad the treatments with empty boxes at the end: one more than the last filled in, and at
        least ``BLANK_TREATMENT_ROWS``. Boxes keep their place, so their error messages stay with them."""
        last = max((i for i, row in enumerate(self.treatments) if not row.empty), default=-1)
        wanted = min(MAX_TREATMENTS, max(BLANK_TREATMENT_ROWS, last + 2))
        self.treatments = self.treatments[:wanted] + [TreatmentRow() for _ in range(wanted - len(self.treatments))]
        return self

    def add_row(self) -> int | None:
        """Add one empty treatment box at the end; its index, or None when the form is full."""
        if len(self.treatments) >= MAX_TREATMENTS:
            return None
        self.treatments.append(TreatmentRow())
        return len(self.treatments) - 1

    def profile_data(self) -> dict[str, Any]:
        """The profile as contract JSON (only meaningful when there are no errors)."""
        data: dict[str, Any] = {
            "visit": self.visit,
            "receptors": {"er": self.er, "pr": self.pr, "her2": self.her2},
            "sites": list(self.sites),
            "treatments": [],
            "symptoms": list(self.symptoms),
            "concerns": list(self.concerns),
            "presentation": self.presentation,
            "menopausal_status": self.menopausal_status,
            "biomarkers": dict(self.biomarkers),
        }
        if self.sex:
            data["sex"] = self.sex
        for row in self.treatments:
            if row.empty:
                continue
            treatment: dict[str, Any] = {"drug": row.drug.strip(), "setting": row.setting, "outcome": row.outcome}
            if row.months.strip():
                treatment["months_since_end"] = int(row.months.strip())
            data["treatments"].append(treatment)
        return data


def first_value(fields: Fields, name: str, default: str = "") -> str:
    """The first value sent for ``name``, or ``default``."""
    values = fields.get(name) or ()
    return str(values[0]) if values else default


def _choice(fields: Fields, name: str, choices: Mapping[str, str], default: str,
            errors: dict[str, str], error_id: str) -> str:
    value = first_value(fields, name, default) or default
    if value not in choices:
        errors.setdefault(error_id, words.text("bad_choice"))
        return default
    return value


def _choices(fields: Fields, name: str, choices: Mapping[str, str], errors: dict[str, str]) -> list[str]:
    picked = [str(v) for v in fields.get(name) or ()]
    if any(v not in choices for v in picked):
        errors.setdefault(f"{name}-{next(iter(choices))}", words.text("bad_choice"))
    # Page order, not the order posted, and each once.
    return [key for key in choices if key in picked]


def treatment_row_count(fields: Fields) -> int:
    """How many treatment boxes were posted (``treatment-N-drug``, N from 0)."""
    numbers = []
    for name in fields:
        match = re.fullmatch(r"treatment-(\d{1,3})-drug", name)
        if match:
            numbers.append(int(match.group(1)))
    return min(MAX_TREATMENTS, max(numbers) + 1) if numbers else 0


def read_form(fields: Fields, drugs: DrugVocabulary) -> FormState:
    """Read the posted form. Every value is checked; each problem gets a message in plain words,
    keyed by the id of the control it belongs to.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> state = read_form({"treatment-0-drug": ["Ibranse"]}, load_knowledge_base().drugs)
        >>> print(state.errors["treatment-0-drug"])  # doctest: +ELLIPSIS
        We do not know the medicine Ibranse. Did you mean Ibrance...? Check the name on the box or leaflet, ...
    """
    errors: dict[str, str] = {}
    state = FormState(errors=errors)
    state.visit = _choice(fields, "visit", words.VISIT, "unknown", errors, "visit-unknown")
    state.sites = _choices(fields, "sites", words.SITES, errors)
    state.er = _choice(fields, "er", words.RECEPTOR, "unknown", errors, "er-positive")
    state.pr = _choice(fields, "pr", words.RECEPTOR, "unknown", errors, "pr-positive")
    state.her2 = _choice(fields, "her2", words.HER2, "unknown", errors, "her2-positive")
    state.triple_negative = bool(first_value(fields, "triple_negative"))
    if state.triple_negative:
        # "Triple negative" is ER-, PR- and HER2-: it fills in what was left at "I don't know". A
        # HER2-low or -ultralow result is still HER2-negative, so it stays as given.
        if "positive" in (state.er, state.pr, state.her2):
            errors.setdefault("triple_negative", words.text("triple_conflict"))
        else:
            state.er = state.pr = "negative"
            if state.her2 == "unknown":
                state.her2 = "negative"
    for index in range(treatment_row_count(fields)):
        prefix = f"treatment-{index}"
        row = TreatmentRow(
            drug=first_value(fields, f"{prefix}-drug")[:MAX_DRUG_NAME],
            setting=_choice(fields, f"{prefix}-setting", words.SETTING, "metastatic", errors, f"{prefix}-setting"),
            outcome=_choice(fields, f"{prefix}-outcome", words.OUTCOME, "unknown", errors, f"{prefix}-outcome"),
            months=first_value(fields, f"{prefix}-months")[:8],
        )
        state.treatments.append(row)
        if row.empty:
            continue
        try:
            drugs.resolve(row.drug)
        except UnknownDrugError as error:
            message = [words.text("unknown_drug", name=row.drug.strip())]
            if error.suggestions:
                message.append(words.text("did_you_mean", names=" or ".join(error.suggestions)))
            message.append(words.text("unknown_drug_help"))
            errors[f"{prefix}-drug"] = " ".join(message)
        months = row.months.strip()
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if months and (not months.isdecimal() or int(months) > MAX_MONTHS):
            errors[f"{prefix}-months"] = words.text("bad_months")
    state.symptoms = _choices(fields, "symptoms", words.SYMPTOMS, errors)
    state.concerns = _choices(fields, "concerns", words.CONCERNS, errors)
    state.presentation = _choice(fields, "presentation", words.PRESENTATION, "unknown", errors,
                                 "presentation-recurrent")
    state.menopausal_status = _choice(fields, "menopausal_status", words.MENOPAUSE, "unknown", errors,
                                      "menopausal_status-pre")
    sex = first_value(fields, "sex")
    state.sex = _choice(fields, "sex", words.SEX, "", errors, "sex-female") if sex else ""
    for key, choices in BIOMARKER_CHOICES.items():
        state.biomarkers[key] = _choice(fields, key, choices, "not_tested", errors, key)
    state.errors = _in_page_order(errors)
    return state


def _in_page_order(errors: dict[str, str]) -> dict[str, str]:
    order = ["visit", "sites", "triple_negative", "er", "pr", "her2", "treatment", "symptoms", "concerns",
             "presentation", "menopausal_status",
             "sex", *words.BIOMARKERS]

    def rank(key: str) -> tuple[int, int, str]:
        head = key.split("-", 1)[0]
        number = re.match(r"treatment-(\d+)", key)
        return (order.index(head) if head in order else len(order), int(number.group(1)) if number else 0, key)

    return {key: errors[key] for key in sorted(errors, key=rank)}


def to_profile(state: FormState, drugs: DrugVocabulary) -> Profile:
    """The profile of a form with no errors (the same checks as ``POST /v1/guide``)."""
    return parse_profile(state.profile_data(), drugs)


def form_from_profile(profile: Profile) -> FormState:
    """The form filled in from a profile, so a person can change their answers.

    Example usage::

        >>> form_from_profile(parse_profile({"sites": ["bone"], "treatments": [{"drug": "Ibrance"}]})).sites
        ['bone']
    """
    state = FormState(
        visit=profile.visit,
        sites=list(profile.sites), er=profile.receptors.er, pr=profile.receptors.pr, her2=profile.receptors.her2,
        treatments=[TreatmentRow(t.drug, t.setting, t.outcome, "" if t.months_since_end is None else
                                 str(t.months_since_end)) for t in profile.treatments],
        symptoms=[s for s in words.SYMPTOMS if s in profile.symptoms],
        concerns=[c for c in words.CONCERNS if c in profile.concerns],
        presentation=profile.presentation, menopausal_status=profile.menopausal_status,
        sex=profile.sex if "sex" in profile.model_fields_set else "",
        biomarkers={key: getattr(profile.biomarkers, key) for key in words.BIOMARKERS},
    )
    return state.with_blank_rows()


def profile_to_field(profile: Profile) -> str:
    """The profile as one hidden form field (JSON), carried from the result page back to the server."""
    return profile.model_dump_json(exclude_unset=True)


def profile_from_field(value: str, drugs: DrugVocabulary) -> Profile | None:
    """The profile from the hidden field, or None when it is missing or not a valid profile."""
    if not value:
        return None
    try:
        return parse_profile(value.encode("utf-8"), drugs)
    except (ValidationError, ValueError):
        return None


def clean_question(value: str) -> str:
    """One line of plain text, trimmed to a sensible length.

    Example usage::

        >>> clean_question("  Can I   travel?\\n")
        'Can I travel?'
    """
    return _SPACES.sub(" ", value).strip()[:MAX_QUESTION_LENGTH]


@dataclass(frozen=True)
class QuestionList:
    """The questions on the result page, in order, and which of them the person keeps."""

    questions: tuple[str, ...]
    kept: frozenset[str]

    @property
    def kept_in_order(self) -> list[str]:
        return [q for q in self.questions if q in self.kept]


def question_list(fields: Fields, default: Sequence[str]) -> QuestionList:
    """The question list posted back from the result page (``question`` for each one shown, ``keep``
    for each one ticked), or ``default`` all kept when none was posted.

    Example usage::

        >>> question_list({"question": ["A?", "B?"], "keep": ["B?"]}, []).kept_in_order
        ['B?']
    """
    posted = [clean_question(str(q)) for q in fields.get("question") or ()]
    if not posted:
        questions = tuple(dict.fromkeys(default))
        return QuestionList(questions, frozenset(questions))
    questions = tuple(dict.fromkeys(q for q in posted if q))[:MAX_QUESTIONS]
    kept = frozenset(clean_question(str(q)) for q in fields.get("keep") or ()) & set(questions)
    return QuestionList(questions, kept)


def add_question(questions: QuestionList, new: str) -> QuestionList:
    """Add a question of the person's own at the end, kept."""
    new = clean_question(new)
    if not new or len(questions.questions) >= MAX_QUESTIONS:
        return questions
    if new in questions.questions:
        return QuestionList(questions.questions, questions.kept | {new})
    return QuestionList((*questions.questions, new), questions.kept | {new})


def long_date(day: dt.date) -> str:
    """A date no reader can get wrong: ``26 November 2026``.

    Example usage::

        >>> long_date(dt.date(2026, 11, 6))
        '6 November 2026'
    """
    return f"{day.day} {day:%B %Y}"


def questions_markdown(questions: Sequence[str], *, day: dt.date, version: str, reviewed_on: str,
                       disclaimer: str) -> str:
    """The kept questions as a Markdown file, with room for answers, the date, the knowledge-base
    version and the disclaimer.

    Example usage::

        >>> print(questions_markdown(["Can I travel?"], day=dt.date(2026, 11, 26), version="2026.11.0",
        ...                          reviewed_on="2026-11-26", disclaimer="For information only."))
        # My questions for my cancer team
        <BLANKLINE>
        Date: 26 November 2026
        <BLANKLINE>
        1. Can I travel?
        <BLANKLINE>
           Notes:
        <BLANKLINE>
        <BLANKLINE>
        ---
        <BLANKLINE>
        Made with knowledge base version 2026.11.0, checked on 26 November 2026.
        <BLANKLINE>
        For information only.
        <BLANKLINE>
    """
    lines = [f"# {words.text('file_title')}", "", words.text("print_date", date=long_date(day)), ""]
    for number, question in enumerate(questions, start=1):
        lines += [f"{number}. {clean_question(question)}", "", f"   {words.text('answer_label')}", "", ""]
    lines += ["---", "", words.text("file_kb", version=version, reviewed_on=readable_day(reviewed_on)), "",
              _SPACES.sub(" ", disclaimer).strip(), ""]
    return "\n".join(lines)


def readable_day(iso: str) -> str:
    """An ISO date as ``26 November 2026`` (unchanged if it is not an ISO date).

    Example usage::

        >>> readable_day("2026-11-26"), readable_day("soon")
        ('26 November 2026', 'soon')
    """
    try:
        return long_date(dt.date.fromisoformat(iso))
    except ValueError:
        return iso


def drug_suggestions(drugs: DrugVocabulary) -> list[dict[str, str]]:
    """The names a person may type, for suggestions as they type: generic and brand names, aliases,
    and the names of classes and groups, each with what it stands for when that differs.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> {"name": "Ibrance", "note": "palbociclib"} in drug_suggestions(load_knowledge_base().drugs)
        True
    """
    seen: set[str] = set()
    out: list[dict[str, str]] = []
    for name in drugs.display_names:
        if "_" in name or name.casefold() in seen:
            continue
        seen.add(name.casefold())
        ref = drugs.resolve(name)
        note = "" if ref.label.casefold() == name.casefold() else ref.label
        out.append({"name": name, "note": note})
    return sorted(out, key=lambda item: item["name"].casefold())

