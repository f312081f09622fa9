"""Guide → cards, and the mapper's promise never to fail on odd data (pure functions)."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from decision_aid.engine import build_guide
from decision_aid.fhir.cards import build_cards, guide_link, profile_from_fragment
from decision_aid.fhir.reading import read_record
from decision_aid.guide import Guide, KnowledgeBaseInfo, Point, SourceRef, UrgentItem
from decision_aid.knowledge_base import URGENT_TOPIC, load_knowledge_base
from decision_aid.profile import Profile

BASE = "https://cds.example.org"


def test_urgent_items_become_critical_cards_before_everything_else() -> None:
    kb = load_knowledge_base()
    reading = read_record({}, "p-1", kb.drugs)
    guide = build_guide(Profile(audience="clinician", symptoms=["seizure", "back_pain", "leg_weakness_or_numbness"]),
                        kb)
    assert guide.urgent, "red-flag symptoms give urgent items"
    cards = build_cards(guide, reading, base_url=BASE, hook_instance="h-1")
    urgent = cards[: len(guide.urgent)]
    assert all(c.indicator == "critical" and c.source.topic and c.source.topic.code == URGENT_TOPIC for c in urgent)
    assert [c.summary for c in urgent] == [item.title for item in guide.urgent]
    assert [c.source.topic.code for c in cards[len(guide.urgent):] if c.source.topic] == ["guide", "record"]
    assert len(cards) == len(guide.urgent) + 2, "no card per point"
    for card, item in zip(urgent, guide.urgent, strict=True):
        assert card.detail.startswith(item.text)
        assert card.source.url == f"{BASE}/v1/knowledge-base/rules/{item.id}"


def test_long_titles_are_cut_below_140_characters_at_a_word() -> None:
    title = "A very long title " * 12
    guide = Guide(disclaimer="Information only.", audience="clinician",
                  knowledge_base=KnowledgeBaseInfo(version="2026.11.0", reviewed_on="2026-11-26"), urgent=[],
                  points=[Point(id="x", topic="testing", kind="test", personal=True, title=title, text="Text.",
                                why=["Why."], questions=[],
                                sources=[SourceRef(id="S", label="A source", citation="Source.")])],
                  questions=[], glossary=[], safety_line=None, visit="unknown", understood=[], notices=[],
                  top_questions=[])
    guide = guide.model_copy(update={"urgent": [UrgentItem(id="x", title=title, text="Text.", why=["Why."],
                                                            sources=guide.points[0].sources)]})
    card = build_cards(guide, read_record({}, "p-1", load_knowledge_base().drugs), base_url=BASE,
                       hook_instance="h")[0]
    assert len(card.summary) < 140 and card.summary.endswith("…")
    assert title.startswith(card.summary[:-1]) and title[len(card.summary) - 1] == " ", "cut between words"


def test_the_summary_card_falls_back_to_the_first_questions_and_counts_right() -> None:
    kb = load_knowledge_base()
    guide = build_guide(Profile(audience="clinician"), kb).model_copy(update={"top_questions": []})
    (summary,) = [c for c in build_cards(guide, read_record({}, "p-1", kb.drugs), base_url=BASE, hook_instance="h")
                  if c.source.topic and c.source.topic.code == "guide"]
    assert [line.split(". ", 1)[1] for line in summary.detail.splitlines() if line[:1].isdigit()] == \
        guide.questions[:5]
    n = len(guide.points)
    assert f"{n} point{'' if n == 1 else 's'} to discuss" in summary.summary and "1 points" not in summary.summary


def test_the_link_fragment_round_trips_the_profile_without_identifiers() -> None:
    profile = Profile(audience="patient", sites=["bone"], receptors={"er": "positive"},  # type: ignore[arg-type]
                      treatments=[{"drug": "letrozole", "outcome": "progressed"}])  # type: ignore[list-item]
    url = guide_link(profile, BASE)
    page, _, fragment = url.partition("#")
    assert page == f"{BASE}/guide/view" and "?" not in page
    assert Profile.model_validate(profile_from_fragment(fragment)) == profile
    assert profile_from_fragment(fragment)["audience"] == "patient", "the audience travels even at its default"


def test_record_text_cannot_inject_markdown_or_html() -> None:
    condition = {"resourceType": "Condition", "id": "c1", "subject": {"reference": "Patient/p-1"},
                 "code": {"text": "Metastasis to bone [click](https://evil.example.com) <script>alert(1)</script>"}}
    reading = read_record({"conditions": condition}, "p-1", load_knowledge_base().drugs)
    kb = load_knowledge_base()
    facts = [c for c in build_cards(build_guide(reading.profile, kb), reading, base_url=BASE, hook_instance="h")
             if c.source.topic and c.source.topic.code == "record"][0].detail
    assert not re.search(r"(?<!\\)<", facts), "no raw HTML"
    assert not re.search(r"(?<!\\)\]\(", facts), "no link"
    assert "\\<script\\>" in facts and "\\[click\\]" in facts


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)
_FIELDS = ["id", "status", "code", "subject", "valueQuantity", "valueCodeableConcept", "valueString", "component",
           "medicationCodeableConcept", "medicationReference", "statusReason", "extension", "onsetDateTime",
           "effectiveDateTime", "effectivePeriod", "bodySite", "category", "gender", "intent", "meta"]
_TYPES = ["Patient", "Condition", "Observation", "MedicationRequest", "MedicationStatement", "MedicationAdministration",
          "Medication", "OperationOutcome", "Practitioner", "Bundle", "NotAType", ""]
_RESOURCE = st.builds(lambda kind, fields: {"resourceType": kind, **fields}, st.sampled_from(_TYPES),
                      st.dictionaries(st.sampled_from(_FIELDS), _JSON, max_size=6))
_BUNDLE = st.builds(lambda entries: {"resourceType": "Bundle", "type": "searchset", "entry": entries},
                    st.lists(st.one_of(st.builds(lambda r: {"resource": r}, _RESOURCE), _JSON), max_size=5))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["patient", "conditions", "tumor_markers", "medication_requests", "x"]),
                       st.one_of(_RESOURCE, _BUNDLE, _JSON), max_size=5))
def test_the_mapper_never_fails_on_odd_data(prefetch: dict[str, Any]) -> None:
    reading = read_record(prefetch, "p-1", load_knowledge_base().drugs)
    assert isinstance(reading.profile, Profile)
