"""The discussion guide: the response of POST /v1/guide."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceRef(_Out):
    id: str
    label: str = Field(description="a short name of the source that a patient can read")
    url: str | None = Field(default=None, description="a link to the source (a DOI, PubMed or guideline page)")
    citation: str = Field(description="the full reference, for clinicians")


class KnowledgeBaseInfo(_Out):
    version: str
    reviewed_on: str


class UrgentItem(_Out):
    id: str
    title: str
    text: str
    why: list[str] = Field(description="the profile facts that made this warning appear")
    sources: list[SourceRef] = Field(min_length=1)


class Point(_Out):
    id: str
    topic: str
    title: str
    text: str
    why: list[str] = Field(description="the profile facts that made this point appear")
    questions: list[str]
    sources: list[SourceRef] = Field(min_length=1)


class GlossaryEntry(_Out):
    term: str
    definition: str


class Guide(_Out):
    disclaimer: str = Field(min_length=1)
    audience: str
    knowledge_base: KnowledgeBaseInfo
    urgent: list[UrgentItem]
    points: list[Point]
    questions: list[str]
    glossary: list[GlossaryEntry]
