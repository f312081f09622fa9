"""The discussion guide: the response of POST /v1/guide.

Its order is its meaning: what the guide understood and the questions to ask first come before the
points, and the points the person's own situation made appear come before the general ones (see
:mod:`decision_aid.selection` and rules/README.md, "Order").
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from decision_aid.vocabulary import Kind, Visit


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


class Notice(_Out):
    code: str = Field(description="what kind of notice: `details_do_not_fit` for details that do not fit together, "
                                  "`not_a_cancer_medicine` for a medicine listed that is not a cancer treatment")
    text: str = Field(description="the notice in plain words")


class TopQuestion(_Out):
    text: str = Field(description="also in the guide's questions")
    point_id: str = Field(description="the point (or urgent item) the question comes from")


class UrgentItem(_Out):
    id: str
    title: str
    text: str
    why: list[str] = Field(description="the profile facts that made this warning appear")
    sources: list[SourceRef] = Field(min_length=1)


class Point(_Out):
    id: str
    topic: str
    kind: Kind
    personal: bool = Field(description="true when something specific in this profile made the point appear")
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
    questions: list[str] = Field(description="every question once: the top questions first, then in point order")
    glossary: list[GlossaryEntry]
    safety_line: str | None = Field(description="the first line of every patient guide")
    visit: Visit = Field(description="what the appointment is about: as given, or inferred from the profile")
    understood: list[str] = Field(description="what the guide understood from the profile, in plain sentences")
    notices: list[Notice] = Field(description="things about the profile the reader should know: details that do "
                                              "not fit together, a medicine that is not a cancer treatment (it "
                                              "never changes the points)")
    top_questions: list[TopQuestion] = Field(max_length=8, description="the questions to ask first")
