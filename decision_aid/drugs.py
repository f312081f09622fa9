"""The drug vocabulary: generic names, brand names, aliases, classes and groups.

A treatment may be named any of these ways; all resolve to a :class:`DrugRef`, which says which
generic drugs, classes and groups it stands for. Medicines that are not cancer treatments (anti-sickness
medicines, pain relief, steroids, ...) are in the group :data:`SUPPORTIVE`: they are accepted so that a
real medicine list is not refused, and the engine leaves them out of every rule's facts.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decision_aid.errors import KnowledgeBaseError, UnknownDrugError

_SEPARATORS = re.compile(r"[\s_\-,]+")
_MARKS = re.compile(r"[®™]")
#: The four-letter suffix of a US biologic's name ("trastuzumab-dkst", "denosumab-bbdz").
_BIOLOGIC_SUFFIX = re.compile(r"^(?P<base>.+?)\s*-\s*[a-z]{4}$", re.IGNORECASE)
_BIOLOGIC_STEMS = ("mab", "hyaluronidase", "grastim")
#: Treatments that are not medicines: a name like these is not "close" to any drug.
_NOT_A_MEDICINE = re.compile(r"\b(radio|radiation|irradiation|surgery|surgical|operation|mastectomy|lumpectomy|"
                             r"resection|sbrt|srs|wbrt|gamma knife|cyberknife|ablation)")
#: A suggestion is kept only when it is nearly as close as the closest one.
_SUGGESTION_MARGIN = 0.1
_MAX_SUGGESTIONS = 3
#: How alike (difflib ratio) an unknown name and a suggestion must be, by the unknown name's length:
#: in a short name one letter is a larger part of the word, so a chance likeness is more likely.
_CUTOFFS = ((4, 0.85), (7, 0.75))
_CUTOFF = 0.6
#: So alike that one slip explains the difference, even one that breaks a family's word ending.
_NEAR_IDENTICAL = 0.9
#: How alike the names must be when the suggestion ends like a family and the unknown name does not.
_ENDING_MISSING_CUTOFF = 0.8
#: A word ending this long may be misspelt by one letter and still count ("-setrom" for "-setron").
_FUZZY_STEM_LENGTH = 5
#: The group of medicines that are not cancer treatments.
SUPPORTIVE = "supportive"


def normalise(name: str) -> str:
    """Fold case, trade marks, and hyphens/underscores/commas/spaces so that spellings compare equal.

    Example usage::

        >>> normalise("  Aromatase_Inhibitor ")
        'aromatase inhibitor'
        >>> normalise("pertuzumab, trastuzumab, and hyaluronidase")
        'pertuzumab trastuzumab and hyaluronidase'
    """
    return _SEPARATORS.sub(" ", _MARKS.sub("", name)).strip().casefold()


@dataclass(frozen=True, slots=True)
class DrugRef:
    """What one name in the vocabulary stands for."""

    label: str
    kind: str  # "drug", "class" or "group"
    generics: frozenset[str]
    classes: frozenset[str]
    groups: frozenset[str]
    lowers_white_cells: bool

    @property
    def supportive(self) -> bool:
        """True for a medicine (or class) that is not a cancer treatment: every group it is in is
        :data:`SUPPORTIVE`. Such a medicine never changes which points a guide shows."""
        return bool(self.groups) and self.groups <= {SUPPORTIVE}


@dataclass(frozen=True)
class DrugClass:
    key: str
    label: str
    groups: tuple[str, ...]
    lowers_white_cells: bool
    #: The class in plain words with its article ("an anti-sickness medicine"), for notices.
    plain: str = ""


class _Candidate(NamedTuple):
    """An accepted name as a suggestion: as written; the stem families of the generics it stands for,
    each with the letters before the ending; and the families its own name ends like."""

    written: str
    families: dict[str, list[str]]
    endings: frozenset[str]


@dataclass(frozen=True)
class DrugVocabulary:
    """Every accepted treatment name, folded, mapped to what it stands for."""

    classes: dict[str, DrugClass]
    groups: dict[str, str]
    generics: tuple[str, ...]
    by_name: dict[str, DrugRef] = field(repr=False)
    #: The names as written in the vocabulary, for suggestions and the public list.
    display_names: tuple[str, ...] = field(repr=False)
    #: Word endings shared by a family of medicines, longest first: (ending, family).
    stems: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @cached_property
    def _candidates(self) -> dict[str, _Candidate]:
        """Folded name -> what a suggestion needs to know of it, built once."""
        candidates: dict[str, _Candidate] = {}
        for written in self.display_names:
            folded = normalise(written)
            families: dict[str, list[str]] = {}
            for generic in sorted(self.by_name[folded].generics):
                for family, before in self._endings(normalise(generic))[0].items():
                    families.setdefault(family, []).append(before)
            candidates[folded] = _Candidate(written, families, frozenset(self._endings(folded)[0]))
        return candidates

    def _endings(self, folded: str) -> tuple[dict[str, str], dict[str, str]]:
        """The stem families whose ending a word of ``folded`` has exactly, and those whose ending
        (of five letters or more) it has within one slip ("ondansetrom" is a -setron); each with
        the letters before the ending."""
        words = folded.split()
        exact = {family: word[: -len(stem)] for word in words for stem, family in reversed(self.stems)
                 if len(word) > len(stem) and word.endswith(stem)}
        close: dict[str, str] = {}
        for word in words:
            for stem, family in self.stems:
                if len(stem) < _FUZZY_STEM_LENGTH:
                    continue
                for size in (len(stem) - 1, len(stem), len(stem) + 1):
                    if len(word) > size and _edits(word[-size:], stem) <= 1:
                        close.setdefault(family, word[:-size])
                        break
        return exact, close

    def resolve(self, name: str) -> DrugRef:
        """Find what ``name`` stands for, or raise :class:`UnknownDrugError` with suggestions.

        Example usage::

            >>> from decision_aid.knowledge_base import load_knowledge_base
            >>> load_knowledge_base().drugs.resolve("IBRANCE").generics
            frozenset({'palbociclib'})
        """
        ref = self.find(name)
        if ref is None:
            raise UnknownDrugError(name, self.suggest(name))
        return ref

    def find(self, name: str) -> DrugRef | None:
        """What ``name`` stands for, or None. Besides the names in the vocabulary, two spellings are
        read by rule: the plural of a class or group name ("CDK4/6 inhibitors", "ADCs"), and a US
        biologic's name with its four-letter suffix ("trastuzumab-dkst", "sacituzumab govitecan-hziy").

        Example usage::

            >>> from decision_aid.knowledge_base import load_knowledge_base
            >>> vocabulary = load_knowledge_base().drugs
            >>> vocabulary.find("PARP inhibitors").label, vocabulary.find("trastuzumab-anns").label
            ('PARP inhibitor', 'trastuzumab')
            >>> vocabulary.find("letrozoles") is None
            True
        """
        key = normalise(name)
        ref = self.by_name.get(key)
        if ref is not None:
            return ref
        if len(key) > 3 and key.endswith("s"):
            ref = self.by_name.get(key[:-1])
            if ref is not None and ref.kind != "drug":
                return ref
        suffixed = _BIOLOGIC_SUFFIX.match(_MARKS.sub("", name).strip())
        if suffixed is not None:
            base = normalise(suffixed["base"])
            ref = self.by_name.get(base)
            if ref is not None and ref.kind == "drug" and any(stem in base for stem in _BIOLOGIC_STEMS):
                return ref
        return None

    def accepted_names(self) -> list[str]:
        """Every name a treatment may be given as, sorted: generics, brands, aliases, classes, groups."""
        return sorted(set(self.display_names), key=str.casefold)

    def suggest(self, name: str) -> list[str]:
        """The accepted names that are plausibly the medicine an unknown name meant, closest first.

        A "did you mean" is only worth offering when accepting it would not change the guide into
        one about another medicine, so closeness of letters is not enough:

        1. Look-alike characters are folded first (full-width letters, invisible marks). A treatment
           that is not a medicine (radiotherapy, surgery) is close to none.
        2. The letters must be alike (difflib ratio): at least 0.6, and more for a short name
           (0.75 up to 7 letters, 0.85 up to 4), where one letter weighs more.
        3. Medicine names carry family endings (USAN/INN stems, ``name_stems`` in drugs.yaml):
           -setron, -mab, -ciclib, -dronate, -xaban, -cillin, ... When the unknown name ends like
           a family (or, for an ending of five letters or more, within one slip of it: "-setrom"),
           a suggestion must stand for a generic of the same family whose letters before the
           ending differ by at most one slip in three ("ondan-" is not "grani-"), unless the two
           names are near identical (ratio 0.9 or more: one slip that broke the ending). So
           "ondansetrom" never gets the bone drug Bondronat, "bevacizumab" does not get
           pembrolizumab, and a family with no medicine listed ("ramipril", "-pril") gets nothing. A brand counts as its
           generic's family, never by its own ending, which is chance ("Panadol" is no -adol).
           The other way round, a generic whose own name ends like a family is offered for a name
           that does not end so only when the two are close (ratio 0.8): "ceftriaxone" is not a
           -taxel, so it does not get docetaxel.
        4. Only the names nearly as close as the best are kept (within 0.1), at most three, so a
           near miss is not buried under weaker ones.

        Example usage::

            >>> from decision_aid.knowledge_base import load_knowledge_base
            >>> drugs = load_knowledge_base().drugs
            >>> drugs.suggest("\uff4c\uff45\uff54\uff52\uff4f\uff5a\uff4f\uff4c\uff45")
            ['letrozole']
            >>> drugs.suggest("palbociclib 125"), drugs.suggest("radiotherapy")
            (['palbociclib'], [])
            >>> drugs.suggest("ondansetrom"), drugs.suggest("dolasetron"), drugs.suggest("ramipril")
            (['ondansetron'], [], [])
        """
        visible = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c)[0] != "C")
        if is_not_a_medicine(visible):
            return []
        if self.find(visible) is not None:
            return [visible.strip()]
        folded = normalise(visible)
        cutoff = next((c for length, c in _CUTOFFS if len(folded) <= length), _CUTOFF)
        exact, close = self._endings(folded)
        own = exact or close
        endings = exact.keys() | close.keys()
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(folded)
        scored: list[tuple[float, str, str]] = []
        for candidate, (written, families, its_endings) in self._candidates.items():
            matcher.set_seq1(candidate)
            if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
                continue
            score = matcher.ratio()
            if score < cutoff:
                continue
            if own and score < _NEAR_IDENTICAL and not _same_family(own, families):
                continue
            if score < _ENDING_MISSING_CUTOFF and not its_endings <= endings:
                continue
            scored.append((-score, candidate, written))
        scored.sort()
        kept = scored[:_MAX_SUGGESTIONS]
        best = -kept[0][0] if kept else 0.0
        return [written for negative, _candidate, written in kept if -negative >= best - _SUGGESTION_MARGIN]


def _same_family(own: dict[str, str], theirs: dict[str, list[str]]) -> bool:
    """True when a family ending is shared and the letters before it differ by at most one slip in
    three letters (at least one slip allowed): "la-" for "le-" (letrozole), not "bevaci-" for "sacitu-"."""
    for family, before in own.items():
        for other in theirs.get(family, ()):
            if _edits(before, other) <= max(1, max(len(before), len(other)) // 3):
                return True
    return False


def _edits(a: str, b: str) -> int:
    """How many letters must be added, dropped or changed to turn ``a`` into ``b`` (Levenshtein).

    Example usage::

        >>> _edits("setrom", "setron"), _edits("setrone", "setron"), _edits("satrom", "setron")
        (1, 1, 2)
    """
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def is_not_a_medicine(name: str) -> bool:
    """True for a treatment that is not a medicine, such as radiotherapy or surgery.

    Example usage::

        >>> is_not_a_medicine("Whole-brain radiotherapy"), is_not_a_medicine("letrozole")
        (True, False)
    """
    return bool(_NOT_A_MEDICINE.search(normalise(name)))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _GroupSpec(_Strict):
    label: str
    aliases: list[str] = []


class _ClassSpec(_Strict):
    label: str
    plain: str | None = None
    groups: list[str] = Field(min_length=1)
    aliases: list[str] = []
    lowers_white_cells: bool = False


class _DrugSpec(_Strict):
    generic: str = Field(min_length=2)
    classes: list[str] = Field(min_length=1)
    brands: list[str] = []
    aliases: list[str] = []
    contains: list[str] = []


class _DrugsFile(_Strict):
    name_stems: dict[str, list[str]] = {}
    groups: dict[str, _GroupSpec]
    classes: dict[str, _ClassSpec]
    drugs: list[_DrugSpec]


def build_vocabulary(data: Any, file: str) -> DrugVocabulary:
    """Build the vocabulary from the parsed ``drugs.yaml``, checking every cross-reference."""
    try:
        _DrugsFile.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        raise KnowledgeBaseError(first["msg"], file=file, location=tuple(first["loc"])) from None
    groups: dict[str, str] = {}
    by_name: dict[str, DrugRef] = {}
    display: list[str] = []

    def add(name: str, ref: DrugRef, where: tuple[str | int, ...]) -> None:
        key = normalise(name)
        existing = by_name.get(key)
        # A class may share its name with its own group (chemotherapy): the class is more precise.
        if existing is not None and existing.kind == "group" and ref.kind == "class" and existing.groups <= ref.groups:
            existing = None
        if existing is not None and existing != ref:
            raise KnowledgeBaseError(f"The name {name!r} is used twice.", file=file, location=where)
        by_name[key] = ref
        display.append(name)

    for key, spec in (data.get("groups") or {}).items():
        groups[key] = spec["label"]
        ref = DrugRef(spec["label"], "group", frozenset(), frozenset(), frozenset({key}), key == "chemotherapy")
        for name in (key, *spec.get("aliases", ())):
            add(name, ref, ("groups", key))

    classes: dict[str, DrugClass] = {}
    for key, spec in (data.get("classes") or {}).items():
        unknown = [g for g in spec.get("groups", ()) if g not in groups]
        if unknown:
            raise KnowledgeBaseError(f"Unknown group {unknown[0]!r}. Accepted: {', '.join(groups)}.",
                                     file=file, location=("classes", key, "groups"))
        if SUPPORTIVE in spec["groups"] and not spec.get("plain"):
            raise KnowledgeBaseError(
                "A class of medicines that are not cancer treatments needs 'plain': the class in plain words "
                "with its article, such as 'an anti-sickness medicine'.", file=file, location=("classes", key))
        cls = DrugClass(key, spec["label"], tuple(spec["groups"]), bool(spec.get("lowers_white_cells")),
                        spec.get("plain") or "")
        classes[key] = cls
        ref = DrugRef(cls.label, "class", frozenset(), frozenset({key}), frozenset(cls.groups),
                      cls.lowers_white_cells)
        for name in (key, *spec.get("aliases", ())):
            add(name, ref, ("classes", key))

    generics: list[str] = []
    for index, spec in enumerate(data.get("drugs") or ()):
        where: tuple[str | int, ...] = ("drugs", index)
        unknown = [c for c in spec.get("classes", ()) if c not in classes]
        if unknown or not spec.get("classes"):
            raise KnowledgeBaseError(
                f"Unknown class {unknown[0] if unknown else None!r}. Accepted: {', '.join(classes)}.",
                file=file, location=(*where, "classes"))
        drug_classes = [classes[c] for c in spec["classes"]]
        generic = spec["generic"]
        generics.append(generic)
        ref = DrugRef(
            generic, "drug",
            frozenset({generic, *spec.get("contains", ())}),
            frozenset(c.key for c in drug_classes),
            frozenset(g for c in drug_classes for g in c.groups),
            any(c.lowers_white_cells for c in drug_classes),
        )
        for name in (generic, *spec.get("brands", ()), *spec.get("aliases", ())):
            add(name, ref, where)

    stems = sorted(((normalise(stem), family) for family, endings in (data.get("name_stems") or {}).items()
                    for stem in endings), key=lambda pair: (-len(pair[0]), pair[0]))
    return DrugVocabulary(classes, groups, tuple(generics), by_name, tuple(display), tuple(stems))
