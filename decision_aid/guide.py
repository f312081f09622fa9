"""The discussion guide: the response of POST /v1/guide."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class SourceRef(_Out):
    id: str
    citation: str


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


class Notice(_Out):
    code: str = Field(description="what kind of notice: `not_a_cancer_medicine` for a medicine listed that is "
                                  "not a cancer treatment")
    text: str = Field(description="the notice in plain words")


class GlossaryEntry(_Out):
    term: str
    definition: str


class Guide(_Out):
    disclaimer: str = Field(min_length=1)
    audience: str
    knowledge_base: KnowledgeBaseInfo
    notices: list[Notice] = Field(default=[], description="things about the profile the reader should know, such "
                                  "as a medicine listed that is not a cancer treatment (it never changes the points)")
    urgent: list[UrgentItem]
    points: list[Point]
    questions: list[str]
    glossary: list[GlossaryEntry]
