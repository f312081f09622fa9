"""The condition language of the rules' ``when`` mappings.

Each condition does three jobs, so that the explanation can never drift from the logic:
``matches(facts)`` decides, ``describe()`` says the condition in words (for the rule's public
page), and ``why(facts)`` names the profile facts that made it hold (for the guide's ``why``).
:func:`parse_when` checks every key and value against the vocabulary as the file loads.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from decision_aid import vocabulary as v
from decision_aid.drugs import SUPPORTIVE, DrugRef, DrugVocabulary, normalise
from decision_aid.errors import KnowledgeBaseError
from decision_aid.facts import Facts, TreatmentFacts
from decision_aid.profile import Treatment

Path = tuple[str | int, ...]


class Condition:
    def matches(self, facts: Facts) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError

    def why(self, facts: Facts) -> list[str]:
        return []

    def fixed_why(self) -> tuple[str, ...] | None:
        """What ``why`` gives for every profile this condition holds for, when that is always the same
        (``sites: [brain]`` always says "Cancer has spread to: brain"); None when it depends on the
        profile. Lets the served path write such a rule's JSON once."""
        return None


# --- single-valued facts ------------------------------------------------------------------------

#: Each single-valued fact (see ``facts.single_values``): its label in the "why" lines and its values.
_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "audience": ("Guide written for", get_args(v.Audience)),
    "sex": ("Sex", get_args(v.Sex)),
    "menopausal_status": ("Menopausal status", get_args(v.MenopausalStatus)),
    "presentation": ("How the cancer was found", get_args(v.Presentation)),
    "er": ("ER (oestrogen receptor)", get_args(v.ReceptorStatus)),
    "pr": ("PR (progesterone receptor)", get_args(v.ReceptorStatus)),
    "her2": ("HER2", get_args(v.Her2Status)),
    "hormone_receptors": ("Hormone receptors (ER or PR)", get_args(v.HormoneReceptorStatus)),
    "subtype": ("Type of breast cancer", get_args(v.Subtype)),
    "pik3ca": ("PIK3CA test", get_args(v.GeneStatus)),
    "esr1": ("ESR1 test", get_args(v.GeneStatus)),
    "akt_pathway": ("AKT1 or PTEN test", get_args(v.GeneStatus)),
    "gbrca": ("Inherited (germline) BRCA test", get_args(v.GeneStatus)),
    "pdl1": ("PD-L1 test", get_args(v.Pdl1Status)),
}

_VALUE_WORDS = {
    "de_novo": "already spread when first found (de novo)",
    "recurrent": "came back after earlier breast cancer",
    "pre": "before menopause", "peri": "around menopause", "post": "after menopause",
    "mutated": "a change (mutation) was found", "not_detected": "no change found",
    "not_tested": "not tested", "low": "low", "ultralow": "ultralow",
    "hr_positive_her2_negative": "hormone receptor positive, HER2-negative",
    "her2_positive": "HER2-positive", "triple_negative": "triple negative",
}


def _value_words(value: str) -> str:
    return _VALUE_WORDS.get(value, v.words(value))


def fact_words(key: str, value: str) -> str:
    """A single-valued fact in the words of the guide's "why" lines: ``PIK3CA test: a change (mutation) was found``."""
    return f"{_FIELDS[key][0]}: {_value_words(value)}"


@dataclass(frozen=True, slots=True)
class FieldIn(Condition):
    key: str
    values: frozenset[str]

    def matches(self, facts: Facts) -> bool:
        return facts.values[self.key] in self.values

    def describe(self) -> str:
        values = sorted(self.values)
        said = values[0] if len(values) == 1 else "one of " + ", ".join(values)
        return f"{self.key} is {said}"

    def why(self, facts: Facts) -> list[str]:
        return self.why_for(facts.values[self.key])

    def why_for(self, value: str) -> list[str]:
        """The "why" lines when the fact's value is ``value``."""
        if self.key == "audience":
            return []  # who reads the guide is not a fact about the person's cancer
        return [f"{_FIELDS[self.key][0]}: {_value_words(value)}"]

    def fixed_why(self) -> tuple[str, ...] | None:
        if self.key == "audience" or len(self.values) == 1:
            return tuple(self.why_for(next(iter(self.values))))
        return None


# --- lists: sites, symptoms, concerns -----------------------------------------------------------

_LISTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sites": ("Cancer has spread to", v.SITES),
    "symptoms": ("Symptoms listed", v.SYMPTOMS),
    "concerns": ("Concerns listed", v.CONCERNS),
}


@dataclass(frozen=True, slots=True)
class ListHas(Condition):
    key: str
    mode: str  # any_of, all_of, none_of, at_least
    values: tuple[str, ...]
    count: int = 1

    def _present(self, facts: Facts) -> frozenset[str]:
        got: frozenset[str] = getattr(facts, self.key)
        return got

    def matches(self, facts: Facts) -> bool:
        present = self._present(facts)
        if self.mode == "all_of":
            return present.issuperset(self.values)
        found = sum(map(present.__contains__, self.values))
        if self.mode == "none_of":
            return found == 0
        return found >= self.count

    def describe(self) -> str:
        said = ", ".join(self.values)
        if self.mode == "at_least":
            return f"{self.key} include at least {self.count} of: {said}"
        return f"{self.key} include {self.mode.replace('_', ' ')}: {said}"

    def why(self, facts: Facts) -> list[str]:
        if self.mode == "none_of":
            return []
        present = self._present(facts)
        return self._why_shown([x for x in self.values if x in present])

    def fixed_why(self) -> tuple[str, ...] | None:
        if self.mode == "none_of":
            return ()
        # When holding means every listed value is present, the lines name them all.
        if self.mode == "all_of" or self.count >= len(self.values) or len(set(self.values)) == 1:
            return tuple(self._why_shown(list(self.values)))
        return None

    def _why_shown(self, shown: list[str]) -> list[str]:
        words = [v.SITE_WORDS[x] if self.key == "sites" else v.words(x) for x in shown]
        return [f"{_LISTS[self.key][0]}: {', '.join(words)}"] if words else []


# --- treatments ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TreatmentMatch:
    drugs: frozenset[str] | None = None
    classes: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    settings: frozenset[str] | None = None
    outcomes: frozenset[str] | None = None
    on_or_within_months: int | None = None
    lowers_white_cells: bool | None = None

    def matches(self, t: TreatmentFacts) -> bool:
        return self.matches_drug(t.ref) and self.matches_given(t.given)

    def matches_drug(self, ref: DrugRef) -> bool:
        """The half of the match that reads which drug the name stands for."""
        if self.drugs is not None and not (self.drugs & ref.generics):
            return False
        if self.classes is not None and not (self.classes & ref.classes):
            return False
        if self.groups is not None and not (self.groups & ref.groups):
            return False
        return self.lowers_white_cells is None or ref.lowers_white_cells == self.lowers_white_cells

    def matches_given(self, given: Treatment) -> bool:
        """The half that reads how it was given: setting, outcome, months since it ended."""
        if self.settings is not None and given.setting not in self.settings:
            return False
        if self.outcomes is not None and given.outcome not in self.outcomes:
            return False
        if self.on_or_within_months is not None:
            during = given.outcome in ("ongoing", "progressed")
            ended = given.months_since_end
            soon_after = ended is not None and ended <= self.on_or_within_months
            if not (during or soon_after):
                return False
        return True

    def describe(self) -> str:
        parts = []
        for name, value in (("drug", self.drugs), ("class", self.classes), ("group", self.groups),
                            ("setting", self.settings), ("outcome", self.outcomes)):
            if value is not None:
                parts.append(f"{name} {' or '.join(sorted(value))}")
        if self.on_or_within_months is not None:
            parts.append(f"the cancer came back during it or within {self.on_or_within_months} months of its end")
        if self.lowers_white_cells is not None:
            lowers = "can lower" if self.lowers_white_cells else "does not lower"
            parts.append(f"{lowers} white blood cells")
        return ", ".join(parts) or "any treatment"


def listed(treatment: TreatmentFacts) -> str:
    """A treatment's "why" line."""
    return f"Treatment listed: {treatment.describe()}"


@dataclass(frozen=True, slots=True)
class TreatmentsHave(Condition):
    mode: str  # any or none
    match: TreatmentMatch

    def matches(self, facts: Facts) -> bool:
        found = any(map(self.match.matches, facts.treatments))
        return found if self.mode == "any" else not found

    def describe(self) -> str:
        return f"{'some' if self.mode == 'any' else 'no'} treatment is: {self.match.describe()}"

    def why(self, facts: Facts) -> list[str]:
        if self.mode == "none":
            return []
        return [listed(t) for t in facts.treatments if self.match.matches(t)]

    def fixed_why(self) -> tuple[str, ...] | None:
        return () if self.mode == "none" else None


@dataclass(frozen=True, slots=True)
class HasTreatments(Condition):
    wanted: bool

    def matches(self, facts: Facts) -> bool:
        return bool(facts.treatments) == self.wanted

    def describe(self) -> str:
        return "some treatment is listed" if self.wanted else "no treatment is listed"

    def why(self, facts: Facts) -> list[str]:
        if not self.wanted:
            return ["No treatments were listed"]
        return [listed(t) for t in facts.treatments]

    def fixed_why(self) -> tuple[str, ...] | None:
        return None if self.wanted else ("No treatments were listed",)


# --- combinators --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def matches(self, facts: Facts) -> bool:
        return all(p.matches(facts) for p in self.parts)

    def describe(self) -> str:
        if not self.parts:
            return "always"
        return " and ".join(_wrap(p) for p in self.parts)

    def why(self, facts: Facts) -> list[str]:
        return [line for p in self.parts for line in p.why(facts)]

    def fixed_why(self) -> tuple[str, ...] | None:
        fixed = [p.fixed_why() for p in self.parts]
        return None if None in fixed else tuple(line for lines in fixed if lines is not None for line in lines)


@dataclass(frozen=True, slots=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def matches(self, facts: Facts) -> bool:
        return any(p.matches(facts) for p in self.parts)

    def describe(self) -> str:
        return "any of: " + "; or ".join(_wrap(p) for p in self.parts)

    def why(self, facts: Facts) -> list[str]:
        # The first branch that holds is reason enough; listing every branch repeats the same facts.
        return next((p.why(facts) for p in self.parts if p.matches(facts)), [])

    def fixed_why(self) -> tuple[str, ...] | None:
        fixed = {p.fixed_why() for p in self.parts}
        return fixed.pop() if len(fixed) == 1 else None  # every branch says the same, whichever holds


@dataclass(frozen=True, slots=True)
class Not(Condition):
    part: Condition

    def matches(self, facts: Facts) -> bool:
        return not self.part.matches(facts)

    def describe(self) -> str:
        return f"not ({self.part.describe()})"

    def fixed_why(self) -> tuple[str, ...] | None:
        return ()


def list_tests(condition: Condition, key: str) -> tuple[ListHas, ...]:
    """The tests of a list (``sites``, ``symptoms``, ``concerns``) in ``condition`` that hold when the list has
    a value: not under ``not``, and not ``none_of``. One of them holding means the value made the rule fire.

    Example usage::

        >>> test = ListHas("concerns", "any_of", ("prognosis",))
        >>> list_tests(All((test,)), "concerns") == (test,), list_tests(Not(test), "concerns")
        (True, ())
    """
    if isinstance(condition, ListHas):
        return (condition,) if condition.key == key and condition.mode != "none_of" else ()
    if isinstance(condition, (All, AnyOf)):
        return tuple(test for part in condition.parts for test in list_tests(part, key))
    return ()


def _wrap(condition: Condition) -> str:
    text = condition.describe()
    return f"({text})" if isinstance(condition, (All, AnyOf)) and len(condition.parts) > 1 else text


# --- the parser ---------------------------------------------------------------------------------

_COMBINATORS = ("all", "any", "not")
_TOP_KEYS = (*_FIELDS, *_LISTS, "treatments", "has_treatments", *_COMBINATORS)
_MATCH_KEYS = ("drug", "class", "group", "setting", "outcome", "on_or_within_months", "lowers_white_cells")


class _Parser:
    def __init__(self, drugs: DrugVocabulary, fail: Callable[[str, Path], KnowledgeBaseError]) -> None:
        self.drugs = drugs
        self.fail = fail

    def when(self, data: Any, path: Path) -> Condition:
        if not isinstance(data, dict):
            raise self.fail(f"Expected a mapping of conditions, got {data!r}.", path)
        parts = [self.key(key, value, (*path, key)) for key, value in data.items()]
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def key(self, key: Any, value: Any, path: Path) -> Condition:
        if key in _FIELDS:
            return FieldIn(key, frozenset(self.values(value, _FIELDS[key][1], path)))
        if key in _LISTS:
            return self.list_condition(key, value, path)
        if key == "treatments":
            return self.treatments(value, path)
        if key == "has_treatments":
            return HasTreatments(self.boolean(value, path))
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise self.fail(f"'{key}' takes a non-empty list of condition mappings.", path)
            parts = tuple(self.when(item, (*path, i)) for i, item in enumerate(value))
            return All(parts) if key == "all" else AnyOf(parts)
        if key == "not":
            return Not(self.when(value, path))
        raise self.fail(_unknown(str(key), _TOP_KEYS, "condition"), path)

    def values(self, value: Any, accepted: Sequence[str], path: Path) -> list[str]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail("Expected at least one value.", path)
        for i, item in enumerate(items):
            if item not in accepted:
                where = (*path, i) if isinstance(value, list) else path
                raise self.fail(_unknown(str(item), accepted, "value"), where)
        return [str(item) for item in items]

    def boolean(self, value: Any, path: Path) -> bool:
        if not isinstance(value, bool):
            raise self.fail(f"Expected true or false, got {value!r}.", path)
        return value

    def list_condition(self, key: str, value: Any, path: Path) -> Condition:
        accepted = _LISTS[key][1]
        if isinstance(value, (list, str)):
            return ListHas(key, "any_of", tuple(self.values(value, accepted, path)))
        if not isinstance(value, dict):
            raise self.fail(
                f"Expected a list or a mapping with any_of, all_of, none_of or at_least, got {value!r}.", path)
        if "at_least" in value:
            extra = set(value) - {"at_least", "of"}
            count = value["at_least"]
            if extra or "of" not in value or not isinstance(count, int) or isinstance(count, bool) or count < 1:
                raise self.fail("'at_least' takes a whole number and goes with 'of: [...]' only.", path)
            return ListHas(key, "at_least", tuple(self.values(value["of"], accepted, (*path, "of"))), count)
        parts: list[Condition] = []
        for mode, items in value.items():
            if mode not in ("any_of", "all_of", "none_of"):
                accepted = ("any_of", "all_of", "none_of", "at_least")
                raise self.fail(_unknown(str(mode), accepted, "key"), (*path, mode))
            parts.append(ListHas(key, mode, tuple(self.values(items, accepted, (*path, mode)))))
        if not parts:
            raise self.fail("Expected any_of, all_of, none_of or at_least.", path)
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def treatments(self, value: Any, path: Path) -> Condition:
        if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in ("any", "none"):
            raise self.fail("'treatments' takes exactly one of {any: MATCH} or {none: MATCH}.", path)
        mode, spec = next(iter(value.items()))
        return TreatmentsHave(mode, self.match(spec, (*path, mode)))

    def match(self, spec: Any, path: Path) -> TreatmentMatch:
        if not isinstance(spec, dict) or not spec:
            raise self.fail("A treatment match is a non-empty mapping.", path)
        fields: dict[str, Any] = {}
        generics = sorted({g for ref in self.drugs.by_name.values() for g in ref.generics})
        for key, value in spec.items():
            where = (*path, key)
            if key == "drug":
                fields["drugs"] = frozenset(self.values(value, generics, where))
            elif key == "class":
                fields["classes"] = frozenset(self.values(value, list(self.drugs.classes), where))
            elif key == "group":
                fields["groups"] = frozenset(self.values(value, list(self.drugs.groups), where))
            elif key == "setting":
                fields["settings"] = frozenset(self.values(value, get_args(v.Setting), where))
            elif key == "outcome":
                fields["outcomes"] = frozenset(self.values(value, get_args(v.Outcome), where))
            elif key == "on_or_within_months":
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise self.fail(f"Expected a whole number of months, got {value!r}.", where)
                fields["on_or_within_months"] = value
            elif key == "lowers_white_cells":
                fields["lowers_white_cells"] = self.boolean(value, where)
            else:
                raise self.fail(_unknown(str(key), _MATCH_KEYS, "treatment match key"), where)
        self.not_only_supportive(fields, path)
        return TreatmentMatch(**fields)

    def not_only_supportive(self, fields: dict[str, Any], path: Path) -> None:
        """Refuse a match that names only medicines that are not cancer treatments: the facts leave
        those out (see Facts.of), so it could never hold."""
        drugs, classes = self.drugs, self.drugs.classes
        named = [("drug", [drugs.by_name[normalise(g)].supportive for g in fields.get("drugs", ())]),
                 ("class", [set(classes[c].groups) <= {SUPPORTIVE} for c in fields.get("classes", ())]),
                 ("group", [g == SUPPORTIVE for g in fields.get("groups", ())])]
        for key, supportive in named:
            if supportive and all(supportive):
                raise self.fail(f"This '{key}' names only medicines that are not cancer treatments (group "
                                f"'{SUPPORTIVE}'); rules never read those.", (*path, key))


def _unknown(value: str, accepted: Sequence[str], what: str) -> str:
    close = difflib.get_close_matches(value, list(accepted), n=1, cutoff=0.6)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"Unknown {what} {value!r}. Accepted: {', '.join(accepted)}.{hint}"


def parse_when(data: Any, drugs: DrugVocabulary, fail: Callable[[str, Path], KnowledgeBaseError],
               path: Path = ("when",)) -> Condition:
    """Parse a rule's ``when`` mapping; ``{}`` means always. ``fail`` builds the error to raise.

    Example usage::

        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> fail = lambda message, path: KnowledgeBaseError(message, location=path)
        >>> parse_when({"sites": ["bone"]}, load_knowledge_base().drugs, fail).describe()
        'sites include any of: bone'
    """
    if data == {} or data is None:
        return All(())
    return _Parser(drugs, fail).when(data, path)
