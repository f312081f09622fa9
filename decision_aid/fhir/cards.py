"""A discussion guide as a few CDS Hooks cards.

One ``critical`` card per urgent item comes first, then one ``info`` summary card with the guide's
top questions and a link to the full guide, then the record card (topic ``record``) saying what was
read from the record and what was not found. Never one card per point: a chart that opens with a
dozen cards teaches a clinician to ignore them all.

The link opens the full guide on this service's ``/guide/view`` page. The profile travels in the
URL fragment (``#profile=`` and the base64url of its JSON): a browser never sends a fragment to a
server, so the service stores nothing and no log line holds it. The profile has no identifiers
(no name, no id, no dates); its ``audience`` says whether the page uses clinician or patient
wording. Cards carry no ``suggestions`` or ``systemActions``: the aid never writes to the record.
Each card's ``uuid`` is stable for (hookInstance, rule), so feedback can refer to it.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from decision_aid.fhir.reading import RecordReading
from decision_aid.guide import Guide, SourceRef
from decision_aid.knowledge_base import URGENT_TOPIC
from decision_aid.profile import Profile
from decision_aid.vocabulary import words

PROJECT = "Metastatic breast cancer decision aid"
FACTS_CARD_ID = "facts-read-from-the-record"
SUMMARY_CARD_ID = "guide-summary"
SUMMARY_TOPIC = "guide"
RECORD_TOPIC = "record"
#: The page that shows the full guide from the link's fragment.
GUIDE_VIEW_PATH = "/guide/view"
FRAGMENT_KEY = "profile"
_FALLBACK_QUESTIONS = 5
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


class Link(_Out):
    label: str
    url: str
    type: Literal["absolute"] = "absolute"


class Card(_Out):
    uuid: str
    summary: str = Field(max_length=MAX_SUMMARY)
    detail: str
    indicator: Literal["info", "warning", "critical"]
    source: CardSource
    links: list[Link] | None = None


def guide_link(profile: Profile, base_url: str) -> str:
    """The absolute URL of the full guide for ``profile``, the profile held in the fragment only.

    Example usage::

        >>> url = guide_link(Profile(audience="clinician", sites=["bone"]), "https://x.org")
        >>> url.split("#")[0], url.split("#")[1].startswith("profile=")
        ('https://x.org/guide/view', True)
        >>> profile_from_fragment(url.split("#")[1])
        {'audience': 'clinician', 'sites': ['bone']}
    """
    data = {"audience": profile.audience, **profile.model_dump(mode="json", exclude_defaults=True)}
    packed = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{base_url}{GUIDE_VIEW_PATH}#{FRAGMENT_KEY}={packed}"


def profile_from_fragment(fragment: str) -> dict[str, object]:
    """The profile JSON a :func:`guide_link` fragment holds (what the page's script decodes)."""
    packed = fragment.removeprefix("#").removeprefix(f"{FRAGMENT_KEY}=")
    data: dict[str, object] = json.loads(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    return data


def build_cards(guide: Guide, reading: RecordReading, *, base_url: str, hook_instance: str) -> list[Card]:
    """The cards for one hook call.

    Example usage::

        >>> from decision_aid.engine import build_guide
        >>> from decision_aid.fhir.reading import read_record
        >>> from decision_aid.knowledge_base import load_knowledge_base
        >>> kb = load_knowledge_base()
        >>> reading = read_record({}, "p1", kb.drugs)
        >>> cards = build_cards(build_guide(reading.profile, kb), reading, base_url="https://x.org", hook_instance="h")
        >>> [card.source.topic.code for card in cards if card.source.topic]
        ['guide', 'record']
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
    cards.append(_summary_card(guide, reading.profile, label, topics, base_url, hook_instance, patient))
    cards.append(_facts_card(guide, reading, label, topics, hook_instance, patient))
    return cards


def _summary_card(guide: Guide, profile: Profile, label: str, topics: str, base_url: str, hook_instance: str,
                  patient: bool) -> Card:
    """The guide in one card: the questions to ask first, and a link to the whole guide."""
    questions = [item.text for item in guide.top_questions] or list(guide.questions[:_FALLBACK_QUESTIONS])
    count = len(guide.points)
    if patient:
        summary = f"Your discussion guide: {_count(len(questions), 'question')} you may want to ask first"
        heading, more = "Questions you may want to ask first", (
            f"The full guide has {_count(count, 'thing')} your team may talk about with you, and every question, "
            "with where each fact comes from. Open it with the link below.")
        link = "Open your full guide"
    else:
        summary = (f"Discussion guide: {_count(count, 'point')} to discuss, "
                   f"{_count(len(questions), 'question')} to ask first")
        heading, more = "Questions to ask first", (
            f"The full guide has {_count(count, 'point')}, each with why it appears, its questions and its sources. "
            "Open it with the link below (the profile travels in the link's fragment: nothing is stored).")
        link = "Open the full discussion guide"
    body = [f"**{heading}**\n\n" + "\n".join(f"{n}. {q}" for n, q in enumerate(questions, 1))] if questions else []
    if guide.notices:
        body.append(f"**{'Please note' if patient else 'Notices'}**\n\n{_bullets([n.text for n in guide.notices])}")
    body += [more, f"_{guide.disclaimer}_", f"Knowledge base {guide.knowledge_base.version}"]
    return Card(
        uuid=str(uuid.uuid5(_NAMESPACE, f"{hook_instance}|{SUMMARY_CARD_ID}")),
        summary=_summary(summary),
        detail="\n\n".join(body),
        indicator="info",
        source=CardSource(label=label, url=topics,
                          topic=Coding(system=topics, code=SUMMARY_TOPIC, display="discussion guide")),
        links=[Link(label=link, url=guide_link(profile, base_url))],
    )


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
    # The two main headings are the same for every reader, so an integrator can rely on them.
    if patient:
        summary = f"What this guide used from your record: {read} facts found, {missing} not found"
        headings = ("Please check with your team", "Read from the record", "Not found in the record",
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
                          topic=Coding(system=topics, code=RECORD_TOPIC, display="facts read from the record")),
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
