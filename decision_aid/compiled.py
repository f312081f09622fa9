"""Rule conditions compiled, once per knowledge base, into closures for the served path.

``Compiler.test(node)`` answers what ``node.matches(facts)`` answers, and ``Compiler.explain(node)``
gives what ``node.why(facts)`` gives for a node that holds (the engine explains only rules that
fired). Both take, with the facts, a memo that :meth:`Compiler.start` makes for each guide.

Deciding is quick because the memo starts with the profile written as one set of tokens:
``subtype=hr_positive_her2_negative``, ``sites=bone``, one per single-valued fact and per listed
item, and the name of every treatment match some listed treatment satisfies (looked up, see
:mod:`decision_aid.treatment_table`). Almost every condition is then one relation between that set
and a set of tokens fixed when the rules load, asked in C: it *meets* the set (``sites: [bone,
liver]``, ``subtype: her2_positive``, a treatment match), *avoids* it (``none_of``, ``not``), or
lies *within* it (``all_of``; meeting a one-token set is the same). An ``all`` merges its "avoids"
and its "within" sets, an ``any`` its "meets" sets, so most rules are decided by two set
operations and no Python call (:meth:`Compiler.gate`).

Explaining reuses the conditions' own words: "why" lines that cannot depend on the profile
(:meth:`Condition.fixed_why`) are made once, and the rest are worked out at most once per guide.
The lists an explanation returns may be shared: read them, never change them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from decision_aid.conditions import (
    All,
    AnyOf,
    Condition,
    FieldIn,
    HasTreatments,
    ListHas,
    Not,
    TreatmentMatch,
    TreatmentsHave,
    listed,
)
from decision_aid.drugs import DrugVocabulary
from decision_aid.facts import Facts
from decision_aid.treatment_table import TreatmentTable

# The memo of one guide: the profile's tokens; the names of the treatment matches each listed
# treatment satisfies; each listed treatment's "why" line (worked out when first needed); then, for
# each condition remembered rather than compiled, its answer and its "why" lines (None: not yet).
Memo = list[Any]
TOKENS, _EACH, _TREATMENT_LINES, _FIRST_SLOT = 0, 1, 2, 3
Test = Callable[[Facts, Memo], bool]
Explain = Callable[[Facts, Memo], list[str]]

_LIST_KEYS = ("sites", "symptoms", "concerns")
_SOME_TREATMENT = "treatments=some"


def _token(key: str, value: str) -> str:
    return f"{key}={value}"


@dataclass(frozen=True, slots=True)
class _Check:
    """A condition as one relation between the profile's tokens and ``tokens``."""

    relation: str  # "meets", "avoids" or "within"
    tokens: frozenset[str]


def _check(relation: str, tokens: frozenset[str]) -> _Check:
    # Meeting a set of one token is having that token: "within", which an ``all`` can merge.
    return _Check("within" if relation == "meets" and len(tokens) == 1 else relation, tokens)


@dataclass(frozen=True, slots=True)
class Gate:
    """A rule's condition as the engine's loop asks it, mostly without calling Python: the tokens
    the profile must have, those it must not have, and the rest of the condition (None: nothing).
    ``needs <= tokens and excludes.isdisjoint(tokens) and (rest is None or rest(facts, memo))``."""

    needs: frozenset[str]
    excludes: frozenset[str]
    rest: Test | None


class Compiler:
    """Compiles ``conditions`` (a knowledge base's rules' conditions), whose drug names are read with
    ``drugs``; only these may be compiled."""

    def __init__(self, conditions: Iterable[Condition], drugs: DrugVocabulary) -> None:
        self._table = TreatmentTable([m for node in conditions for m in _treatment_matches(node)], drugs)
        self._slots: dict[Condition, int] = {}

    def start(self, facts: Facts) -> Memo:
        """The memo for one guide."""
        satisfied = self._table.satisfied(facts.treatments)
        memo: Memo = [None] * (_FIRST_SLOT + 2 * len(self._slots))
        memo[TOKENS] = _tokens(facts).union(satisfied.anywhere)
        memo[_EACH] = satisfied.each
        return memo

    def test(self, node: Condition) -> Test:
        check = self._check(node)
        if check is not None:
            return _test(check)
        if isinstance(node, (All, AnyOf)):
            return self._combined(node)
        if isinstance(node, Not):
            inner = self.test(node.part)
            return lambda facts, memo: not inner(facts, memo)
        return self._remembered_test(node)  # at_least: rare, and it counts

    def explain(self, node: Condition) -> Explain:
        fixed = node.fixed_why()
        if fixed is not None:
            lines = list(fixed)
            return lambda facts, memo: lines
        if isinstance(node, All):
            parts = tuple(self.explain(part) for part in node.parts)
            return lambda facts, memo: [line for part in parts for line in part(facts, memo)]
        if isinstance(node, AnyOf):
            return self._first_that_holds(node)
        if isinstance(node, FieldIn):
            key, lines_for = node.key, {value: node.why_for(value) for value in node.values}
            return lambda facts, memo: lines_for[facts.values[key]]
        if isinstance(node, TreatmentsHave):  # mode "any"; "none" has a fixed_why
            return self._treatments_that_match(node.match)
        return self._remembered_why(node)

    def gate(self, node: Condition) -> Gate:
        """A rule's condition split for the engine's loop; see :class:`Gate`."""
        needs: list[frozenset[str]] = []
        excludes: list[frozenset[str]] = []
        rest: list[Condition] = []
        for part in _flattened(node) if isinstance(node, All) else [node]:
            check = self._check(part)
            if check is not None and check.relation == "within":
                needs.append(check.tokens)
            elif check is not None and check.relation == "avoids":
                excludes.append(check.tokens)
            else:
                rest.append(part)
        return Gate(_union(needs), _union(excludes), self.test(All(tuple(rest))) if rest else None)

    # --- deciding ---------------------------------------------------------------------------

    def _check(self, node: Condition) -> _Check | None:
        """``node`` as one relation to the profile's tokens, or None when it is not one."""
        if isinstance(node, FieldIn):
            return _check("meets", frozenset(_token(node.key, value) for value in node.values))
        if isinstance(node, ListHas) and node.mode != "at_least":
            relation = {"any_of": "meets", "all_of": "within", "none_of": "avoids"}[node.mode]
            return _check(relation, frozenset(_token(node.key, value) for value in node.values))
        if isinstance(node, TreatmentsHave):
            return _check("meets" if node.mode == "any" else "avoids", frozenset({self._table.name(node.match)}))
        if isinstance(node, HasTreatments):
            return _check("meets" if node.wanted else "avoids", frozenset({_SOME_TREATMENT}))
        if isinstance(node, Not):
            inner = self._check(node.part)
            if inner is None or inner.relation == "within" and len(inner.tokens) > 1:
                return None
            return _check("meets" if inner.relation == "avoids" else "avoids", inner.tokens)
        if isinstance(node, (All, AnyOf)):
            # all(avoids A, avoids B) is avoids A | B, all(within A, within B) within A | B,
            # any(meets A, meets B) meets A | B.
            checks = [self._check(part) for part in _flattened(node)]
            if isinstance(node, AnyOf):
                checks = [_Check("meets", c.tokens) if c is not None and c.relation == "within" and len(c.tokens) == 1
                          else c for c in checks]
            relations = {check.relation if check is not None else None for check in checks}
            shared = relations.pop() if len(relations) == 1 else None
            if shared is not None and shared in (("avoids", "within") if isinstance(node, All) else ("meets",)):
                return _check(shared, _union([c.tokens for c in checks if c is not None]))
        return None

    def _combined(self, node: All | AnyOf) -> Test:
        checks: dict[str, list[frozenset[str]]] = {"meets": [], "avoids": [], "within": []}
        others: list[Test] = []
        for part in _flattened(node):
            check = self._check(part)
            if check is not None:
                checks[check.relation].append(check.tokens)
            else:
                others.append(self.test(part))
        if isinstance(node, All):
            return _all_of(tuple(checks["meets"]), _union(checks["avoids"]), _union(checks["within"]), tuple(others))
        return _any_of(_union(checks["meets"]), tuple(checks["avoids"]), tuple(checks["within"]), tuple(others))

    def _slot(self, node: Condition) -> int:
        return _FIRST_SLOT + 2 * self._slots.setdefault(node, len(self._slots))

    def _remembered_test(self, node: Condition) -> Test:
        slot, matches = self._slot(node), node.matches

        def remembered(facts: Facts, memo: Memo) -> bool:
            answer: bool | None = memo[slot]
            if answer is None:
                answer = memo[slot] = matches(facts)
            return answer

        return remembered

    # --- explaining -------------------------------------------------------------------------

    def _first_that_holds(self, node: AnyOf) -> Explain:
        # The first branch that holds is reason enough, as in AnyOf.why.
        branches = tuple((self.test(part), self.explain(part)) for part in node.parts)

        def first_that_holds(facts: Facts, memo: Memo) -> list[str]:
            for holds, why in branches:
                if holds(facts, memo):
                    return why(facts, memo)
            return []

        return first_that_holds

    def _treatments_that_match(self, match: TreatmentMatch) -> Explain:
        name = self._table.name(match)

        def why(facts: Facts, memo: Memo) -> list[str]:
            lines: list[str] | None = memo[_TREATMENT_LINES]
            if lines is None:
                lines = memo[_TREATMENT_LINES] = [listed(t) for t in facts.treatments]
            return [line for line, matched in zip(lines, memo[_EACH], strict=True) if name in matched]

        return why

    def _remembered_why(self, node: Condition) -> Explain:
        slot, why = self._slot(node) + 1, node.why

        def remembered(facts: Facts, memo: Memo) -> list[str]:
            lines: list[str] | None = memo[slot]
            if lines is None:
                lines = memo[slot] = why(facts)
            return lines

        return remembered


def _union(sets: list[frozenset[str]]) -> frozenset[str]:
    return frozenset[str]().union(*sets)


def _tokens(facts: Facts) -> frozenset[str]:
    tokens = [f"{key}={value}" for key, value in facts.values.items()]  # as _token writes them
    for key in _LIST_KEYS:
        tokens += [f"{key}={item}" for item in getattr(facts, key)]
    if facts.treatments:
        tokens.append(_SOME_TREATMENT)
    return frozenset(tokens)


def _test(check: _Check) -> Test:
    tokens = check.tokens
    if check.relation == "meets":
        return lambda facts, memo: not tokens.isdisjoint(memo[TOKENS])
    if check.relation == "avoids":
        return lambda facts, memo: tokens.isdisjoint(memo[TOKENS])
    return lambda facts, memo: tokens.issubset(memo[TOKENS])


def _all_of(meets: tuple[frozenset[str], ...], avoids: frozenset[str], within: frozenset[str],
            others: tuple[Test, ...]) -> Test:
    # Each check is a set's own method and the answer it must give, empty sets left out.
    checks = tuple((wanted.isdisjoint, False) for wanted in meets)
    if avoids:
        checks += ((avoids.isdisjoint, True),)
    if within:
        checks += ((within.issubset, True),)

    def all_of(facts: Facts, memo: Memo) -> bool:
        tokens = memo[TOKENS]
        for check, answer in checks:
            if check(tokens) is not answer:
                return False
        for part in others:  # noqa: SIM110 - a loop, not all(genexpr): it runs for many rules of every guide
            if not part(facts, memo):
                return False
        return True

    return all_of


def _any_of(meets: frozenset[str], avoids: tuple[frozenset[str], ...], within: tuple[frozenset[str], ...],
            others: tuple[Test, ...]) -> Test:
    def any_of(facts: Facts, memo: Memo) -> bool:
        tokens = memo[TOKENS]
        if not meets.isdisjoint(tokens):
            return True
        for unwanted in avoids:
            if unwanted.isdisjoint(tokens):
                return True
        for wanted in within:
            if wanted.issubset(tokens):
                return True
        for part in others:  # noqa: SIM110 - as above
            if part(facts, memo):
                return True
        return False

    return any_of


def _treatment_matches(node: Condition) -> list[TreatmentMatch]:
    if isinstance(node, (All, AnyOf)):
        return [m for part in node.parts for m in _treatment_matches(part)]
    if isinstance(node, Not):
        return _treatment_matches(node.part)
    return [node.match] if isinstance(node, TreatmentsHave) else []


def _flattened(node: All | AnyOf) -> list[Condition]:
    """The parts of ``node``, with the parts of a nested node of the same kind lifted into it."""
    parts: list[Condition] = []
    for part in node.parts:
        if isinstance(part, All) and isinstance(node, All) or isinstance(part, AnyOf) and isinstance(node, AnyOf):
            parts.extend(_flattened(part))
        else:
            parts.append(part)
    return parts
