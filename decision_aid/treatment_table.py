"""Which of a knowledge base's treatment matches each listed treatment satisfies, by look-up.

A treatment match (``treatments: {any: {class: cdk46_inhibitor, outcome: progressed}}``) reads two
things: what the drug name stands for, and how the drug was given (setting, outcome, months since
it ended). Both come from small, closed sets: the drug vocabulary, and two settings times five
outcomes times the few month limits the rules use. So :class:`TreatmentTable` asks every match
about every one of them once, when the knowledge base is prepared, through the match's own
``matches_drug`` and ``matches_given``; a listed treatment then costs two look-ups and a set
intersection, however many rules ask about treatments.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from typing import get_args

from decision_aid import vocabulary as v
from decision_aid.conditions import TreatmentMatch
from decision_aid.drugs import DrugRef, DrugVocabulary
from decision_aid.facts import TreatmentFacts
from decision_aid.profile import Treatment

Matches = frozenset[str]


@dataclass(frozen=True, slots=True)
class Satisfied:
    """The matches that a profile's treatments satisfy."""

    anywhere: Matches  # by at least one treatment
    each: tuple[Matches, ...]  # by each treatment, in the profile's order


class TreatmentTable:
    def __init__(self, matches: Iterable[TreatmentMatch], drugs: DrugVocabulary) -> None:
        self._names = {match: f"treatment match {number}" for number, match in enumerate(dict.fromkeys(matches))}
        named = self._names.items()
        self._by_drug = {ref: frozenset(n for m, n in named if m.matches_drug(ref))
                         for ref in set(drugs.by_name.values())}
        self._limits = sorted({m.on_or_within_months for m in self._names if m.on_or_within_months is not None})
        self._beyond = self._limits[-1] + 1 if self._limits else 0
        self._by_given: dict[tuple[str, str, int | None], Matches] = {}
        for setting in get_args(v.Setting):
            for outcome in get_args(v.Outcome):
                for months in (None, *self._limits, self._beyond):
                    given = Treatment.model_construct(drug="", setting=setting, outcome=outcome,
                                                      months_since_end=months)
                    self._by_given[setting, outcome, months] = frozenset(n for m, n in named
                                                                          if m.matches_given(given))

    def name(self, match: TreatmentMatch) -> str:
        return self._names[match]

    def satisfied(self, treatments: tuple[TreatmentFacts, ...]) -> Satisfied:
        each = tuple(self._drug_matches(t.ref) & self._by_given[t.given.setting, t.given.outcome,
                                                                self._months(t.given.months_since_end)]
                     for t in treatments)
        return Satisfied(frozenset().union(*each), each)

    def _drug_matches(self, ref: DrugRef) -> Matches:
        found = self._by_drug.get(ref)
        if found is None:  # not a name of the vocabulary the table was made from: ask each match
            found = frozenset(n for m, n in self._names.items() if m.matches_drug(ref))
        return found

    def _months(self, months: int | None) -> int | None:
        """The smallest month limit at or above ``months`` (or one beyond them all): every match
        answers the same for both, since a match only asks whether the months are within its limit."""
        if months is None:
            return None
        at = bisect_left(self._limits, months)
        return self._limits[at] if at < len(self._limits) else self._beyond
