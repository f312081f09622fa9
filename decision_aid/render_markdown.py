"""The guide as Markdown, for printing or for the command line.

It follows the guide's own order: the safety line and urgent warnings, what the guide understood,
the questions to ask first, then the personal points (options first) and the general background.
Each point lists only the questions not already shown above it, so no question is printed twice.
"""

from __future__ import annotations

from collections.abc import Iterable

from decision_aid.guide import Guide, Point, SourceRef

_HEADINGS = {
    # audience: (understood, top questions, options, other personal points, background, more questions)
    "patient": ("What the guide understood", "Your questions for this appointment", "Your options to talk about",
                "More about your situation", "Background", "Questions you could ask"),
    "clinician": ("What the guide read from the profile", "Questions to discuss first", "Options to discuss",
                  "Other points for this patient", "Background", "Questions"),
}


def render_markdown(guide: Guide) -> str:
    """Render a guide as Markdown, in the guide's order.

    Example usage::

        >>> from decision_aid import build_guide, load_knowledge_base, parse_profile
        >>> render_markdown(build_guide(parse_profile({}), load_knowledge_base())).startswith("# ")
        True
    """
    kb = guide.knowledge_base
    clinician = guide.audience == "clinician"
    understood, top, options, others, background, more = _HEADINGS[guide.audience]
    lines = ["# Discussion guide: metastatic breast cancer", ""]
    if guide.safety_line:
        lines += [f"**{guide.safety_line}**", ""]
    lines += [f"_Knowledge base {kb.version}, reviewed on {kb.reviewed_on}._", ""]
    if guide.urgent:
        lines += ["## Get help now", ""]
        for item in guide.urgent:
            lines += [f"### {item.title}", "", item.text, ""]
            lines += [f"Why this appears: {'; '.join(item.why)}.", ""]
            lines += [_sources_line(item.sources, clinician), ""]
    if guide.understood:
        lines += [f"## {understood}", ""]
        lines += [f"- {line}" for line in guide.understood]
        if not clinician:
            lines += ["", "If something here is wrong, change your answers before you rely on this guide."]
        lines.append("")
    if guide.notices:
        lines += ["## Please note", ""]
        lines += [f"- {notice.text}" for notice in guide.notices]
        lines.append("")
    shown = {q.text for q in guide.top_questions}
    if guide.top_questions:
        lines += [f"## {top}", ""]
        lines += [f"{n}. [ ] {q.text}" for n, q in enumerate(guide.top_questions, start=1)]
        lines.append("")
    sections = (
        (options, [p for p in guide.points if p.personal and p.kind == "option"]),
        (others, [p for p in guide.points if p.personal and p.kind != "option"]),
        (background, [p for p in guide.points if not p.personal]),
    )
    for heading, points in sections:
        if points:
            lines += [f"## {heading}", ""]
            for point in points:
                lines += _point(point, shown, more, clinician)
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


def _point(point: Point, shown: set[str], more: str, clinician: bool) -> list[str]:
    lines = [f"### {point.title}", "", point.text, ""]
    lines += [f"Why this appears: {'; '.join(point.why)}.", ""]
    new = [q for q in point.questions if q not in shown]
    shown.update(new)
    if new:
        lines += [f"{more}:", ""]
        lines += [f"- [ ] {q}" for q in new]
        lines.append("")
    lines += [_sources_line(point.sources, clinician), ""]
    return lines


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
