"""The Markdown guide names sources by label (with a link) for patients and by citation for clinicians."""

from __future__ import annotations

from decision_aid.engine import build_guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile
from decision_aid.render_markdown import render_markdown

SPINE = {"sites": ["bone"], "symptoms": ["back_pain", "leg_weakness_or_numbness"]}


def _sources_section(markdown: str) -> list[str]:
    section = markdown.split("\n## Sources\n\n", 1)[1].split("\n\n---\n", 1)[0]
    return section.splitlines()


def test_patients_read_labels_with_links(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(SPINE), kb)
    markdown = render_markdown(guide)
    nice = kb.sources["NICE-MSCC"]
    assert f"- [{nice.label}]({nice.url})" in _sources_section(markdown)
    unlinked = next(s for item in guide.points for s in item.sources if s.url is None)
    assert f"- {unlinked.label}" in _sources_section(markdown)
    assert nice.citation not in markdown
    assert any(line.startswith("Sources: ") and nice.label in line for line in markdown.splitlines())


def test_clinicians_read_citations(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile({**SPINE, "audience": "clinician"}), kb)
    markdown = render_markdown(guide)
    nice = kb.sources["NICE-MSCC"]
    assert f"- **NICE-MSCC**: {nice.citation} <{nice.url}>" in _sources_section(markdown)
    assert f"[{nice.label}]" not in markdown
