"""The drug vocabulary: generic names, brand names, aliases, classes and groups.

A treatment may be named any of these ways; all resolve to a :class:`DrugRef`, which says which
generic drugs, classes and groups it stands for.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decision_aid.errors import KnowledgeBaseError, UnknownDrugError

_SEPARATORS = re.compile(r"[\s_\-,]+")
_MARKS = re.compile(r"[®™]")
#: The four-letter suffix of a US biologic's name ("trastuzumab-dkst", "denosumab-bbdz").
_BIOLOGIC_SUFFIX = re.compile(r"^(?P<base>.+?)\s*-\s*[a-z]{4}$", re.IGNORECASE)
_BIOLOGIC_STEMS = ("mab", "hyaluronidase")
#: Treatments that are not medicines: a name like these is not "close" to any drug.
_NOT_A_MEDICINE = re.compile(r"\b(radio|radiation|irradiation|surgery|surgical|operation|mastectomy|lumpectomy|"
                             r"resection|sbrt|srs|wbrt|gamma knife|cyberknife|ablation)")
#: A suggestion is kept only when it is nearly as close as the closest one.
_SUGGESTION_MARGIN = 0.1


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


@dataclass(frozen=True)
class DrugClass:
    key: str
    label: str
    groups: tuple[str, ...]
    lowers_white_cells: bool


@dataclass(frozen=True)
class DrugVocabulary:
    """Every accepted treatment name, folded, mapped to what it stands for."""

    classes: dict[str, DrugClass]
    groups: dict[str, str]
    generics: tuple[str, ...]
    by_name: dict[str, DrugRef] = field(repr=False)
    #: The names as written in the vocabulary, for suggestions and the public list.
    display_names: tuple[str, ...] = field(repr=False)

    @cached_property
    def _folded_names(self) -> dict[str, str]:
        """Folded name -> the name as written, built once for suggestions."""
        return {normalise(n): n for n in self.display_names}

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
        """The accepted names closest to an unknown one: look-alike characters folded (full-width letters,
        invisible marks), and only those nearly as close as the best, so a near miss is not buried.
        A treatment that is not a medicine (radiotherapy, surgery) is close to none.

        Example usage::

            >>> from decision_aid.knowledge_base import load_knowledge_base
            >>> drugs = load_knowledge_base().drugs
            >>> drugs.suggest("\uff4c\uff45\uff54\uff52\uff4f\uff5a\uff4f\uff4c\uff45")
            ['letrozole']
            >>> drugs.suggest("palbociclib 125"), drugs.suggest("radiotherapy")
            (['palbociclib'], [])
        """
        visible = "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c)[0] != "C")
        if is_not_a_medicine(visible):
            return []
        if self.find(visible) is not None:
            return [visible.strip()]
        folded = normalise(visible)
        close = difflib.get_close_matches(folded, list(self._folded_names), n=3, cutoff=0.6)
        scores = [difflib.SequenceMatcher(None, folded, c).ratio() for c in close]
        best = max(scores, default=0.0)
        return [self._folded_names[c] for c, score in zip(close, scores, strict=True)
                if score >= best - _SUGGESTION_MARGIN]


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
        cls = DrugClass(key, spec["label"], tuple(spec["groups"]), bool(spec.get("lowers_white_cells")))
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

    return DrugVocabulary(classes, groups, tuple(generics), by_name, tuple(display))
