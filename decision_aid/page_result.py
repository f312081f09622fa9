"""The patient page's result, without the web: which questions are ticked, how the page groups them,
and the sheet that is printed and downloaded.

The result lives at a plain ``GET`` address: the answers are in the query, as the form sends them,
so Back and Reload never ask to send a form again. The ticks travel in the same query: ``keep`` names
a question of the guide by a short id of its words, ``own`` is a question the person added and
``keep_own`` one of those that is still ticked, and ``picked`` says the ticks were chosen. With no
``picked``, the top questions and the person's own questions are ticked.

The printout and the ``.txt`` download hold the same things, from :func:`sheet`: a header with
blanks for a name, the date of the visit and who the person is seeing; "My situation" in three
lines; the ticked questions under headings; the urgent signs with a blank for the 24-hour acute
oncology line; the knowledge-base version, the date and the disclaimer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from decision_aid import page_text as words
from decision_aid.guide import Guide, Point
from decision_aid.page_form import MAX_QUESTIONS, clean_question, form_from_profile, long_date, readable_day
from decision_aid.profile import Profile

Fields = Mapping[str, Sequence[str]]

#: How many questions of their own a person can add.
MAX_OWN = 20
#: The fields that carry the ticks and the actions, not the answers.
SELECTION_FIELDS = ("keep", "own", "keep_own", "picked", "action", "new_question", "added")
_ID = re.compile(r"[0-9a-f]{10}")
#: Blanks to write in on paper (and in the text file).
BLANK = "_" * 24


def question_id(text: str) -> str:
    """A short id for a question, from its words, so a tick survives a reload.

    Example usage::

        >>> question_id("Can I travel?")
        '63332e7493'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def profile_query(profile: Profile) -> list[tuple[str, str]]:
    """The answers as the form's fields, for the result's address and the link to change them. Only
    what was given is listed, so the address stays short.

    Example usage::

        >>> from decision_aid.profile import parse_profile
        >>> profile_query(parse_profile({"sites": ["bone"], "treatments": [{"drug": "Ibrance"}]}))
        [('sites', 'bone'), ('treatment-0-drug', 'Ibrance'), ('treatment-0-setting', 'metastatic')]
    """
    state = form_from_profile(profile)
    pairs: list[tuple[str, str]] = []
    if state.visit != "unknown":
        pairs.append(("visit", state.visit))
    pairs += [("sites", site) for site in state.sites]
    pairs += [(name, value) for name, value in (("er", state.er), ("pr", state.pr), ("her2", state.her2))
              if value != "unknown"]
    for index, row in enumerate(r for r in state.treatments if not r.empty):
        prefix = f"treatment-{index}"
        pairs += [(f"{prefix}-drug", row.drug), (f"{prefix}-setting", row.setting)]
        if row.outcome != "unknown":
            pairs.append((f"{prefix}-outcome", row.outcome))
        if row.months:
            pairs.append((f"{prefix}-months", row.months))
    pairs += [("symptoms", s) for s in state.symptoms] + [("concerns", c) for c in state.concerns]
    for name in ("presentation", "menopausal_status"):
        value = getattr(state, name)
        if value != "unknown":
            pairs.append((name, value))
    if state.sex:
        pairs.append(("sex", state.sex))
    pairs += [(key, value) for key, value in state.biomarkers.items() if value != "not_tested"]
    return pairs


@dataclass(frozen=True)
class Selection:
    """The questions the person added and which questions are ticked."""

    own: tuple[str, ...] = ()
    picked: bool = False
    keep: frozenset[str] = frozenset()
    keep_own: frozenset[str] = frozenset()

    def kept(self, question: str, top: bool) -> bool:
        """Whether a question of the guide is ticked (``top``: it is one of the top questions)."""
        return question_id(question) in self.keep if self.picked else top

    def own_kept(self, question: str) -> bool:
        return question in self.keep_own if self.picked else True

    def with_own(self, new: str) -> Selection:
        """The selection with one more question of the person's own, ticked."""
        new = clean_question(new)
        if not new or len(self.own) >= MAX_OWN:
            return self
        own = self.own if new in self.own else (*self.own, new)
        return Selection(own, self.picked, self.keep, self.keep_own | {new})

    def query(self, guide: Guide) -> list[tuple[str, str]]:
        """The selection as query fields (always ``picked``, so the ticks are exactly these)."""
        top = {q.text for q in guide.top_questions}
        pairs = [("picked", "1")]
        pairs += [("own", q) for q in self.own] + [("keep_own", q) for q in self.own if self.own_kept(q)]
        pairs += [("keep", question_id(q)) for q in guide.questions if self.kept(q, q in top)]
        return pairs


def read_selection(fields: Fields) -> Selection:
    """The ticks and own questions from the query; anything malformed is left out.

    Example usage::

        >>> read_selection({"own": [" Can I  swim? "], "picked": ["1"]}).own
        ('Can I swim?',)
    """
    own = tuple(dict.fromkeys(q for q in (clean_question(str(v)) for v in fields.get("own") or ()) if q))[:MAX_OWN]
    keep = frozenset(str(v) for v in fields.get("keep") or () if _ID.fullmatch(str(v)))
    keep_own = frozenset(clean_question(str(v)) for v in fields.get("keep_own") or ()) & set(own)
    return Selection(own, bool(fields.get("picked")), keep, keep_own)


def only_top(selection: Selection) -> Selection:
    """Keep only the top questions (and the person's own)."""
    return Selection(selection.own, False)


def untick_all(selection: Selection) -> Selection:
    return Selection(selection.own, True)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kept: bool
    own: bool = False


@dataclass(frozen=True)
class PointView:
    """A point on the page, with the questions of it not already shown higher up."""

    point: Point
    questions: tuple[Question, ...]

    @property
    def any_kept(self) -> bool:
        return any(q.kept for q in self.questions)


@dataclass
class ResultView:
    """The result page in the order a person reads it."""

    top: list[Question] = field(default_factory=list)
    options: list[PointView] = field(default_factory=list)
    personal: list[PointView] = field(default_factory=list)
    background: list[PointView] = field(default_factory=list)

    @property
    def all_questions(self) -> list[Question]:
        return self.top + [q for group in (self.options, self.personal, self.background)
                           for view in group for q in view.questions]

    @property
    def kept_count(self) -> int:
        return sum(q.kept for q in self.all_questions)


def result_view(guide: Guide, selection: Selection) -> ResultView:
    """Group the guide for the page: the person's own questions, then the top questions; then the
    personal option points, the other personal points and the general points, each with its other
    questions (a question shows once, where it first comes)."""
    top = [q.text for q in guide.top_questions]
    view = ResultView()
    view.top = [Question(f"own-{n}", q, selection.own_kept(q), own=True) for n, q in enumerate(selection.own, 1)]
    view.top += [Question(question_id(q), q, selection.kept(q, True)) for q in top]
    shown = set(top) | set(selection.own)
    budget = MAX_QUESTIONS
    for point in guide.points:
        questions = []
        for text in point.questions:
            if text in shown or budget <= 0:
                continue
            shown.add(text)
            budget -= 1
            questions.append(Question(question_id(text), text, selection.kept(text, False)))
        group = view.background if not point.personal else view.options if point.kind == "option" else view.personal
        group.append(PointView(point, tuple(questions)))
    return view


# -- the sheet: what prints and what the download holds ---------------------------------------------


@dataclass(frozen=True)
class Sheet:
    situation: tuple[tuple[str, str], tuple[str, str], tuple[str, str]]
    groups: tuple[tuple[str, tuple[str, ...]], ...]
    urgent: tuple[tuple[str, str], ...]
    safety_line: str
    version: str
    reviewed_on: str
    disclaimer: str


def situation_lines(understood: Iterable[str]) -> tuple[tuple[str, str], tuple[str, str], tuple[str, str]]:
    """What the guide understood, in three lines: the cancer, the treatments, and now (symptoms, what
    to talk about, the visit).

    Example usage::

        >>> situation_lines(["ER positive", "Cancer in the bones", "Letrozole for metastatic cancer: completed",
        ...                  "Symptoms: bone pain"])  # doctest: +NORMALIZE_WHITESPACE
        (('The cancer:', 'ER positive; Cancer in the bones'),
         ('Treatments:', 'Letrozole for metastatic cancer: completed'), ('Now:', 'Symptoms: bone pain'))
    """
    cancer: list[str] = []
    treatments: list[str] = []
    now: list[str] = []
    for line in understood:
        if line.startswith(("Symptoms:", "To talk about:", "Next appointment:")):
            now.append(line)
        elif " for metastatic cancer" in line or " for earlier breast cancer" in line:
            treatments.append(line)
        else:
            cancer.append(line)
    none = words.text("situation_none")
    return ((words.text("situation_cancer"), "; ".join(cancer) or none),
            (words.text("situation_treatments"), "; ".join(treatments) or none),
            (words.text("situation_now"), "; ".join(now) or none))


def sheet(guide: Guide, view: ResultView) -> Sheet:
    """The ticked questions under their headings, and everything else the printout holds."""
    groups: list[tuple[str, tuple[str, ...]]] = []
    top = tuple(q.text for q in view.top if q.kept)
    if top:
        groups.append((words.text("top_title"), top))
    for point_view in (*view.options, *view.personal, *view.background):
        kept = tuple(q.text for q in point_view.questions if q.kept)
        if kept:
            groups.append((point_view.point.title, kept))
    return Sheet(
        situation=situation_lines(guide.understood), groups=tuple(groups),
        urgent=tuple((item.title, item.text) for item in guide.urgent),
        safety_line=guide.safety_line or words.text("unwell_now"),
        version=guide.knowledge_base.version, reviewed_on=readable_day(guide.knowledge_base.reviewed_on),
        disclaimer=" ".join(guide.disclaimer.split()))


def sheet_text(sheet: Sheet, day: dt.date) -> str:
    """The sheet as a plain-text file that opens on any phone: short lines of words, blanks to fill
    in, no mark-up.

    Example usage::

        >>> s = Sheet(situation=(("The cancer:", "ER positive"), ("Treatments:", "Not given"), ("Now:", "Not given")),
        ...           groups=(("Your questions for this appointment", ("Can I travel?",)),), urgent=(),
        ...           safety_line="If you feel very unwell, call now.", version="2026.12.0",
        ...           reviewed_on="1 December 2026", disclaimer="For information only.")
        >>> print(sheet_text(s, dt.date(2026, 12, 4)))  # doctest: +ELLIPSIS
        MY QUESTIONS FOR MY CANCER TEAM
        <BLANKLINE>
        Name: ________________________
        Date of visit: ________________________
        Who I am seeing: ________________________
        <BLANKLINE>
        MY SITUATION
        The cancer: ER positive
        Treatments: Not given
        Now: Not given
        <BLANKLINE>
        YOUR QUESTIONS FOR THIS APPOINTMENT
        <BLANKLINE>
        1. Can I travel?
        Notes:
        <BLANKLINE>
        <BLANKLINE>
        WHEN TO GET HELP NOW
        If you feel very unwell, call now.
        Your 24-hour acute oncology line: ________________________
        If you cannot get through, call emergency services.
        <BLANKLINE>
        ---
        Knowledge base version 2026.12.0, checked on 1 December 2026. Made on 4 December 2026.
        For information only.
        <BLANKLINE>
    """
    lines = [words.text("print_title").upper(), ""]
    lines += [f"{words.text(key)} {BLANK}" for key in ("print_name", "print_visit_date", "print_seeing")]
    lines += ["", words.text("situation_title").upper()]
    lines += [f"{label} {value}" for label, value in sheet.situation]
    number = 0
    for heading, questions in sheet.groups:
        lines += ["", heading.upper(), ""]
        for question in questions:
            number += 1
            lines += [f"{number}. {question}", words.text("answer_label"), "", ""]
    if not sheet.groups:
        lines += ["", words.text("top_title").upper(), "", words.text("top_none"), ""]
    lines += ["", words.text("help_title").upper(), sheet.safety_line]
    for title, text in sheet.urgent:
        lines += ["", f"{title}:", text]
    if sheet.urgent:
        lines.append("")
    lines += [f"{words.text('help_line')} {BLANK}", words.text("help_emergency"), "", "---",
              f"{words.text('kb_version', version=sheet.version, reviewed_on=sheet.reviewed_on)} "
              f"{words.text('printed_on', date=long_date(day))}",
              sheet.disclaimer, ""]
    text = "\n".join(lines)
    return re.sub(r"\n{4,}", "\n\n\n", text)
