"""The guide as Markdown, for printing or for the command line."""

from __future__ import annotations

from decision_aid.guide import Guide


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
            lines += [f"Sources: {', '.join(s.id for s in item.sources)}", ""]
    lines += ["## Points to discuss" if clinician else "## Things to talk about with your team", ""]
    for point in guide.points:
        lines += [f"### {point.title}", "", point.text, ""]
        lines += [f"Why this appears: {'; '.join(point.why)}.", ""]
        lines += [f"Sources: {', '.join(s.id for s in point.sources)}", ""]
    lines += ["## Questions to ask", ""]
    lines += [f"- [ ] {q}" for q in guide.questions]
    lines.append("")
    if guide.glossary:
        lines += ["## Words used", ""]
        lines += [f"- **{g.term}**: {g.definition}" for g in guide.glossary]
        lines.append("")
    sources = {s.id: s.citation for item in guide.urgent for s in item.sources}
    sources.update({s.id: s.citation for point in guide.points for s in point.sources})
    lines += ["## Sources", ""]
    lines += [f"- **{sid}**: {citation}" for sid, citation in sorted(sources.items())]
    lines += ["", "---", "", guide.disclaimer, ""]
    return "\n".join(lines)
