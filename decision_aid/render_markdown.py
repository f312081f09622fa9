"""The guide as Markdown, for printing or for the command line."""

from __future__ import annotations

from collections.abc import Iterable

from decision_aid.guide import Guide, SourceRef


def render_markdown(guide: Guide) -> str:
    """Render a guide as Markdown: urgent warnings first, then points, questions and glossary.

    Example usage::

        >>> from decision_aid import build_guide, load_knowledge_base, parse_profile
        >>> render_markdown(build_guide(parse_profile({}), load_knowledge_base())).startswith("# ")
        True
    """
    kb = guide.knowledge_base
    clinician = guide.audience == "clinician"
    lines = ["# Discussion guide: metastatic breast cancer", ""]
    lines += [f"_Knowledge base {kb.version}, reviewed on {kb.reviewed_on}._", ""]
    if guide.urgent:
        lines += ["## Get help now", ""]
        for item in guide.urgent:
            lines += [f"### {item.title}", "", item.text, ""]
            lines += [f"Why this appears: {'; '.join(item.why)}.", ""]
            lines += [_sources_line(item.sources, clinician), ""]
    lines += ["## Points to discuss" if clinician else "## Things to talk about with your team", ""]
    for point in guide.points:
        lines += [f"### {point.title}", "", point.text, ""]
        lines += [f"Why this appears: {'; '.join(point.why)}.", ""]
        lines += [_sources_line(point.sources, clinician), ""]
    lines += ["## Questions to ask", ""]
    lines += [f"- [ ] {q}" for q in guide.questions]
    lines.append("")
    if guide.glossary:
        lines += ["## Words used", ""]
        lines += [f"- **{g.term}**: {g.definition}" for g in guide.glossary]
        lines.append("")
    sources = {s.id: s for item in guide.urgent for s in item.sources}
    sources.update({s.id: s for point in guide.points for s in point.sources})
    lines += ["## Sources", ""]
    lines += [_source_entry(source, clinician) for _, source in sorted(sources.items())]
    lines += ["", "---", "", guide.disclaimer, ""]
    return "\n".join(lines)


def _sources_line(sources: Iterable[SourceRef], clinician: bool) -> str:
    """Under each point: clinicians find the ids in the list of sources; patients read the labels
    (a label may hold a comma, so they are parted by semicolons)."""
    if clinician:
        return f"Sources: {', '.join(s.id for s in sources)}"
    return f"Sources: {'; '.join(s.label for s in sources)}"


def _source_entry(source: SourceRef, clinician: bool) -> str:
    """Patients get the short label, linked when there is a link; clinicians the full citation."""
    if clinician:
        link = f" <{source.url}>" if source.url else ""
        return f"- **{source.id}**: {source.citation}{link}"
    return f"- [{source.label}]({source.url})" if source.url else f"- {source.label}"
