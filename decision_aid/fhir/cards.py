"""A discussion guide as CDS Hooks cards.

Urgent items come first (``critical``), then a card saying what the guide was built from, then one
card per point (``info``). Cards carry no ``suggestions`` or ``systemActions``: the aid never
writes to the record. Each card's ``uuid`` is stable for (hookInstance, rule), so feedback can
refer to it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from decision_aid.fhir.reading import RecordReading
from decision_aid.guide import Guide, SourceRef
from decision_aid.knowledge_base import URGENT_TOPIC
from decision_aid.vocabulary import words

PROJECT = "Metastatic breast cancer decision aid"
FACTS_CARD_ID = "facts-read-from-the-record"
MAX_SUMMARY = 139
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:decision-aid:cds-hooks:card")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Coding(_Out):
    system: str
    code: str
    display: str | None = None


class CardSource(_Out):
    label: str
    url: str | None = None
    topic: Coding | None = None


class Card(_Out):
    uuid: str
    summary: str = Field(max_length=MAX_SUMMARY)
    detail: str
    indicator: Literal["info", "warning", "critical"]
    source: CardSource


def build_cards(guide: Guide, reading: RecordReading, *, base_url: str, hook_instance: str) -> list[Card]:
    """The cards for one hook call.

    Example usage::

        >>> from decision_aid.engine import build_guide
        >>> from decision_aid.fhir.reading import read_record
        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> reading = read_record({}, "p1", kb.drugs)
        >>> cards = build_cards(build_guide(reading.profile, kb), reading, base_url="https://x.org", hook_instance="h")
        >>> cards[0].summary.startswith("Built from the record")
        True
    """
    version = guide.knowledge_base.version
    label = f"{PROJECT}, knowledge base {version}"
    topics = f"{base_url}/v1/knowledge-base"
    patient = guide.audience == "patient"

    def card(rule_id: str, topic: str, summary: str, detail: str, indicator: Literal["info", "critical"]) -> Card:
        return Card(
            uuid=str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{rule_id}")),
            summary=_summary(summary),
            detail=f"{detail}\n\nRule `{rule_id}` · knowledge base {version}",
            indicator=indicator,
            source=CardSource(label=label, url=f"{base_url}/v1/knowledge-base/rules/{rule_id}",
                              topic=Coding(system=topics, code=topic, display=words(topic))),
        )

    cards = [card(item.id, URGENT_TOPIC, item.title, _detail(item.text, item.why, (), item.sources, patient),
                  "critical") for item in guide.urgent]
    cards.append(_facts_card(guide, reading, label, topics, hook_instance, patient))
    cards += [card(point.id, point.topic, point.title,
                   _detail(point.text, point.why, point.questions, point.sources, patient), "info")
              for point in guide.points]
    return cards


def _summary(title: str) -> str:
    flat = " ".join(title.split())
    if len(flat) <= MAX_SUMMARY:
        return flat
    cut = flat[: MAX_SUMMARY - 1].rsplit(" ", 1)[0]
    return cut + "…"


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def _detail(text: str, why: Sequence[str], questions: Sequence[str], sources: Sequence[SourceRef],
            patient: bool) -> str:
    parts = [text, f"**{'Why you are seeing this' if patient else 'Why this appears'}**\n\n{_bullets(why)}"]
    if questions:
        parts.append(f"**{'Questions you may want to ask' if patient else 'Questions to discuss'}**\n\n"
                     f"{_bullets(questions)}")
    parts.append(f"**Sources**\n\n{_bullets([f'{s.citation} ({s.id})' for s in sources])}")
    return "\n\n".join(parts)


def _escape(line: str) -> str:
    """Record text is not ours: keep it from being read as Markdown or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", line)


def _facts_card(guide: Guide, reading: RecordReading, label: str, topics: str, hook_instance: str,
                patient: bool) -> Card:
    read, missing, skipped = len(reading.read), len(reading.missing), len(reading.skipped)
    if patient:
        summary = f"What this guide used from your record: {read} facts found, {missing} not found"
        headings = ("Please check with your team", "Found in your record", "Not found in your record",
                    "Could not be read", "Left out")
    else:
        summary = f"Built from the record: {read} facts read, {missing} not found"
        headings = ("Check", "Read from the record", "Not found in the record", "Resources that could not be read",
                    "Read but left out")
    if skipped:
        summary += f", {skipped} resource{'s' if skipped != 1 else ''} not read"
    sections = [(headings[0], reading.alerts), (headings[1], reading.read), (headings[2], reading.missing),
                (headings[3], reading.skipped), (headings[4], reading.notes)]
    body = [f"**{heading}**\n\n{_bullets([_escape(line) for line in lines])}" for heading, lines in sections if lines]
    body.append(f"_{guide.disclaimer}_")
    return Card(
        uuid=str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{FACTS_CARD_ID}")),
        summary=_summary(summary),
        detail="\n\n".join(body),
        indicator="warning" if reading.alerts else "info",
        source=CardSource(label=label, url=topics,
                          topic=Coding(system=topics, code="record", display="facts read from the record")),
    )
