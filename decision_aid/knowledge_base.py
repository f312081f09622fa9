"""The knowledge base: its models and the loader that checks every file once, at start-up.

A mistake anywhere stops loading with a :class:`KnowledgeBaseError` that names the file, the rule
and the field, with the accepted values. Cross-references (source ids, glossary terms, drug names,
topics) are resolved in the same pass, and every rule's example profiles are checked to be valid
profiles.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from decision_aid.conditions import Condition, ListHas, list_tests, parse_when
from decision_aid.drugs import DrugVocabulary, build_vocabulary
from decision_aid.errors import KnowledgeBaseError
from decision_aid.facts import Facts
from decision_aid.profile import Profile, parse_profile
from decision_aid.vocabulary import Audience, Kind

#: The rules shipped with the code: the ``rules`` folder beside the ``decision_aid`` package.
DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"

_SPECIAL_FILES = ("knowledge_base.yaml", "sources.yaml", "drugs.yaml", "glossary.yaml")
URGENT_TOPIC = "red_flags"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Examples(_Strict):
    triggers: list[dict[str, Any]] = Field(min_length=1)
    does_not_trigger: list[dict[str, Any]] = Field(min_length=1)


class RuleSpec(_Strict):
    """One rule as written in a topic file."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)
    title: str = Field(min_length=3, max_length=120)
    when: dict[str, Any]
    kind: Kind | None = None  # None: the topic's kind in knowledge_base.yaml
    patient: str = Field(min_length=20)
    clinician: str = Field(min_length=20)
    notice: str | None = Field(None, min_length=20)
    questions: list[str] = []
    sources: list[str] = Field(min_length=1)
    glossary: list[str] = []
    examples: Examples


class TopicFile(_Strict):
    topic: str
    glossary: dict[str, str] = {}
    rules: list[RuleSpec] = Field(min_length=1)


class Disclaimer(_Strict):
    patient: str = Field(min_length=20)
    clinician: str = Field(min_length=20)


class Meta(_Strict):
    version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    reviewed_on: dt.date
    update_policy: str = Field(min_length=20)
    disclaimer: Disclaimer
    safety_line: str = Field(min_length=20)
    topics: list[str] = Field(min_length=1)
    kinds: dict[str, Kind]


#: A source's label is read by patients beside each point: a few words, not a reference.
SOURCE_LABEL_MAX = 60


class Source(_Strict):
    """A reference a rule cites: a short ``label`` patients read, an optional link, and the full
    ``citation`` clinicians read."""

    id: str = Field(min_length=1)
    label: str = Field(min_length=3, max_length=SOURCE_LABEL_MAX, pattern=r"^\S(.*\S)?$")
    # Only links that open safely from a patient's page: https, a host, no spaces or quotes.
    url: str | None = Field(default=None, max_length=300,
                            pattern=r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/[^\s\"'<>]*)?$")
    citation: str = Field(min_length=10)


class _SourcesFile(_Strict):
    sources: list[Source]


class _GlossaryFile(_Strict):
    glossary: dict[str, str]


@dataclass(frozen=True)
class Rule:
    """A loaded rule: its text, with its condition parsed and its references resolved."""

    id: str
    topic: str
    file: str
    title: str
    kind: Kind
    when: Condition
    patient: str
    clinician: str
    notice: str | None
    questions: tuple[str, ...]
    sources: tuple[Source, ...]
    glossary: tuple[str, ...]
    examples: Examples
    #: The audiences for whom the rule fires on an empty profile: for them it is general, not personal.
    general_for: frozenset[Audience] = frozenset()
    #: The rule's tests of the ticked concerns (see :meth:`about_a_ticked_concern`).
    concern_tests: tuple[ListHas, ...] = ()

    @property
    def urgent(self) -> bool:
        return self.topic == URGENT_TOPIC

    def personal(self, audience: str) -> bool:
        """True when something specific in the profile made this rule fire: it does not fire for an empty one."""
        return audience not in self.general_for

    def about_a_ticked_concern(self, facts: Facts) -> bool:
        """True when a concern the person ticked is one of the reasons the rule fired."""
        return any(test.matches(facts) for test in self.concern_tests)


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything the engine reads. Rules are in guide order: topic order, then file order."""

    meta: Meta
    rules: tuple[Rule, ...]
    sources: Mapping[str, Source]
    glossary: Mapping[str, str]
    drugs: DrugVocabulary
    by_id: Mapping[str, Rule] = field(repr=False)

    @property
    def version(self) -> str:
        return self.meta.version


def _read_yaml(path: Path, root: Path) -> Any:
    name = _display(path, root)
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except yaml.YAMLError as error:
        raise KnowledgeBaseError(f"Not valid YAML: {error}", file=name) from None
    except OSError as error:
        raise KnowledgeBaseError(f"Cannot read the file: {error.strerror}", file=name) from None


def _display(path: Path, root: Path) -> str:
    return f"{root.name}/{path.relative_to(root)}"


def _validate(model: type[BaseModel], data: Any, file: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False)
        # A misspelt key shows up as both "missing" and "extra": the extra one says what to fix.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = list(first["loc"])
        full_loc = list(loc)
        rule_id = None
        # Name the rule by its id, not by its list index.
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int) and isinstance(data, dict):
            rules = data.get("rules") or []
            rule = rules[loc[1]] if loc[1] < len(rules) else None
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                rule_id = rule["id"]
                loc = loc[2:]
        message = first["msg"]
        if loc[-2:] == ["examples", "does_not_trigger"] and first["type"] == "too_short":
            message = message.rstrip(".") + (". Every rule needs an example that does not trigger it;"
                                               " a general point can be narrowed with `audience: patient`.")
        if first["type"] == "extra_forbidden":
            fields = _fields_at(model, full_loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), fields, n=1)
            message = f"Unknown field {loc[-1]!r}." + (f" Did you mean {close[0]!r}?" if close else "")
        raise KnowledgeBaseError(message, file=file, rule_id=rule_id, location=loc) from None


def _fields_at(model: type[BaseModel], loc: list[Any]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field_info is None:
            return []
        annotation = field_info.annotation
        args = getattr(annotation, "__args__", ())
        current = next((a for a in (annotation, *args) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if current is None:
            return []
    return list(getattr(current, "model_fields", {}))


def load_knowledge_base(rules_dir: Path | str | None = None) -> KnowledgeBase:
    """Load and check the knowledge base; the built-in one is loaded once and shared.

    Example usage::

        >>> kb = load_knowledge_base()
        >>> kb.by_id["red-flag-spinal-cord-compression"].urgent
        True
    """
    if rules_dir is None:
        return _load_default()
    return _load(Path(rules_dir))


@functools.lru_cache(maxsize=1)
def _load_default() -> KnowledgeBase:
    return _load(DEFAULT_RULES_DIR)


def _load(root: Path) -> KnowledgeBase:
    if not root.is_dir():
        raise KnowledgeBaseError(f"The rules folder {str(root)!r} does not exist.")
    for name in _SPECIAL_FILES:
        if not (root / name).is_file():
            raise KnowledgeBaseError("This file is missing; the knowledge base needs it.",
                                     file=f"{root.name}/{name}")

    meta_path = root / "knowledge_base.yaml"
    meta: Meta = _validate(Meta, _read_yaml(meta_path, root), _display(meta_path, root))
    missing = [t for t in meta.topics if t not in meta.kinds]
    unknown = [t for t in meta.kinds if t not in meta.topics]
    if missing or unknown:
        raise KnowledgeBaseError(
            f"Every topic needs a kind, and only topics have one: missing {missing}, unknown {unknown}.",
            file=_display(meta_path, root), location=("kinds",))
    sources_file = _display(root / "sources.yaml", root)
    sources_list = _validate(_SourcesFile, _read_yaml(root / "sources.yaml", root), sources_file).sources
    sources: dict[str, Source] = {}
    for index, source in enumerate(sources_list):
        if source.id in sources:
            raise KnowledgeBaseError(f"Source id {source.id!r} is used twice.", file=sources_file,
                                     location=("sources", index))
        sources[source.id] = source
    drugs = build_vocabulary(_read_yaml(root / "drugs.yaml", root), _display(root / "drugs.yaml", root))
    glossary_file = _display(root / "glossary.yaml", root)
    glossary = dict(_validate(_GlossaryFile, _read_yaml(root / "glossary.yaml", root), glossary_file).glossary)

    topic_files = sorted(p for p in root.glob("*.yaml") if p.name not in _SPECIAL_FILES)
    if not topic_files:
        raise KnowledgeBaseError(f"The rules folder {root.name!r} has no topic files (*.yaml).")
    parsed: list[tuple[str, TopicFile]] = []
    for path in topic_files:
        name = _display(path, root)
        topic_file: TopicFile = _validate(TopicFile, _read_yaml(path, root), name)
        if topic_file.topic not in meta.topics:
            close = difflib.get_close_matches(topic_file.topic, meta.topics, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise KnowledgeBaseError(
                f"Unknown topic {topic_file.topic!r}. Accepted: {', '.join(meta.topics)}.{hint}",
                file=name, location=("topic",))
        for term, definition in topic_file.glossary.items():
            if term in glossary:
                raise KnowledgeBaseError(f"Glossary term {term!r} is already defined.", file=name,
                                         location=("glossary", term))
            glossary[term] = definition
        parsed.append((name, topic_file))

    rules: list[Rule] = []
    by_id: dict[str, Rule] = {}
    for name, topic_file in parsed:
        for spec in topic_file.rules:
            rule = _build_rule(spec, topic_file.topic, meta.kinds[topic_file.topic], name, sources, glossary,
                               drugs)
            if rule.id in by_id:
                raise KnowledgeBaseError(f"Rule id {rule.id!r} is already used in {by_id[rule.id].file}.",
                                         file=name, rule_id=rule.id, location=("id",))
            by_id[rule.id] = rule
            rules.append(rule)
    order = {topic: i for i, topic in enumerate(meta.topics)}
    rules.sort(key=lambda r: order[r.topic])  # stable: file order within a topic
    return KnowledgeBase(meta, tuple(rules), sources, glossary, drugs, by_id)


def _build_rule(spec: RuleSpec, topic: str, topic_kind: Kind, file: str, sources: Mapping[str, Source],
                glossary: Mapping[str, str], drugs: DrugVocabulary) -> Rule:
    def fail(message: str, location: tuple[str | int, ...]) -> KnowledgeBaseError:
        return KnowledgeBaseError(message, file=file, rule_id=spec.id, location=location)

    for index, source_id in enumerate(spec.sources):
        if source_id not in sources:
            close = difflib.get_close_matches(source_id, list(sources), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise fail(f"Unknown source id {source_id!r}.{hint}", ("sources", index))
    for index, term in enumerate(spec.glossary):
        if term not in glossary:
            close = difflib.get_close_matches(term, list(glossary), n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise fail(f"Unknown glossary term {term!r}.{hint}", ("glossary", index))
    if topic != URGENT_TOPIC and not spec.questions:
        raise fail("A rule outside red_flags needs at least one question.", ("questions",))
    condition = parse_when(spec.when, drugs, fail)

    for kind in ("triggers", "does_not_trigger"):
        for index, example in enumerate(getattr(spec.examples, kind)):
            try:
                parse_profile(example, drugs)
            except ValidationError as error:
                first = error.errors(include_url=False)[0]
                where = ".".join(str(p) for p in first["loc"])
                raise fail(f"This example is not a valid profile: {where}: {first['msg']}",
                           ("examples", kind, index)) from None
    general_for = frozenset(audience for audience in _AUDIENCES
                            if condition.matches(Facts.of(Profile(audience=audience), drugs)))
    return Rule(
        id=spec.id, topic=topic, file=file, title=spec.title.strip(), kind=spec.kind or topic_kind, when=condition,
        patient=" ".join(spec.patient.split()), clinician=" ".join(spec.clinician.split()),
        notice=" ".join(spec.notice.split()) if spec.notice else None,
        questions=tuple(q.strip() for q in spec.questions),
        sources=tuple(sources[s] for s in spec.sources), glossary=tuple(spec.glossary),
        examples=spec.examples, general_for=general_for, concern_tests=list_tests(condition, "concerns"),
    )


_AUDIENCES: tuple[Audience, ...] = ("patient", "clinician")
