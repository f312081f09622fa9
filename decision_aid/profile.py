"""The profile: what a person or a clinician tells the decision aid (the request of POST /v1/guide).

Every field is optional and unknown fields are refused. Drug names are checked against the drug
vocabulary passed in the validation context (``context={"drugs": vocabulary}``); without one, the
vocabulary of the built-in knowledge base is used.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from decision_aid.drugs import DrugVocabulary, is_not_a_medicine
from decision_aid.errors import UnknownDrugError
from decision_aid.vocabulary import (
    Audience,
    Concern,
    GeneStatus,
    Her2Status,
    HormoneReceptorStatus,
    MenopausalStatus,
    Outcome,
    Pdl1Status,
    Presentation,
    ReceptorStatus,
    Setting,
    Sex,
    Site,
    Subtype,
    Symptom,
    Visit,
)

MAX_TREATMENTS = 50
MAX_LIST = 40
MAX_DRUG_NAME = 120
MAX_MONTHS = 1200

_STRICT = ConfigDict(extra="forbid", frozen=True)


class Receptors(BaseModel):
    model_config = _STRICT

    er: ReceptorStatus = "unknown"
    pr: ReceptorStatus = "unknown"
    her2: Her2Status = "unknown"


class Biomarkers(BaseModel):
    model_config = _STRICT

    pik3ca: GeneStatus = "not_tested"
    esr1: GeneStatus = "not_tested"
    akt_pathway: GeneStatus = Field("not_tested", description="AKT1 mutation or PTEN loss")
    gbrca: GeneStatus = Field("not_tested", description="germline BRCA1 or BRCA2")
    pdl1: Pdl1Status = Field("not_tested", description="positive means CPS of 10 or more")


class Treatment(BaseModel):
    model_config = _STRICT

    drug: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DRUG_NAME)] = Field(
        description="a generic name, brand name or class, in any case. Medicines that are not cancer treatments "
                    "(anti-sickness medicines, pain relief, steroids, blood thinners, antibiotics, vitamins; e.g. "
                    "ondansetron, Tylenol) are accepted too: they never change the points and are listed in the "
                    "guide's `notices`",
        examples=["letrozole", "Ibrance", "aromatase_inhibitor", "ondansetron"],
    )
    setting: Setting = "metastatic"
    outcome: Outcome = "unknown"
    months_since_end: Annotated[int, Field(ge=0, le=MAX_MONTHS, strict=True)] | None = None

    @field_validator("drug")
    @classmethod
    def _known_drug(cls, value: str, info: ValidationInfo) -> str:
        drugs = _drugs_from(info.context)
        try:
            drugs.resolve(value)
        except UnknownDrugError as error:
            suggestions = list(error.suggestions)
            hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
            if is_not_a_medicine(value):
                hint = " Radiotherapy and surgery are not asked for here: list only the medicines."
            raise PydanticCustomError(
                "unknown_value",
                "{quoted} is not a known drug name, brand name or class. Accepted values: a generic name, "
                "a brand name, or a class such as {classes} (all listed at GET /v1/knowledge-base/drugs).{hint}",
                {"quoted": repr(value), "hint": hint, "classes": ", ".join(drugs.classes),
                 "accepted": drugs.accepted_names(), "did_you_mean": suggestions},
            ) from None
        return value


class Profile(BaseModel):
    """A person's situation. An empty profile ``{}`` is valid and gives the general points."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [{
                "audience": "patient", "sex": "female", "menopausal_status": "post",
                "presentation": "recurrent",
                "receptors": {"er": "positive", "pr": "positive", "her2": "negative"},
                "sites": ["bone", "lung"],
                "biomarkers": {"pik3ca": "mutated", "esr1": "not_tested", "akt_pathway": "not_tested",
                               "gbrca": "not_detected", "pdl1": "not_tested"},
                "treatments": [
                    {"drug": "letrozole", "setting": "metastatic", "outcome": "progressed"},
                    {"drug": "Ibrance", "setting": "metastatic", "outcome": "progressed"},
                ],
                "symptoms": ["bone_pain"],
                "concerns": ["side_effects", "clinical_trials"],
            }]
        },
    )

    audience: Audience = "patient"
    sex: Sex = "female"
    menopausal_status: MenopausalStatus = "unknown"
    presentation: Presentation = "unknown"
    receptors: Receptors = Receptors()
    sites: Annotated[list[Site], Field(max_length=MAX_LIST)] = []
    biomarkers: Biomarkers = Biomarkers()
    treatments: Annotated[list[Treatment], Field(max_length=MAX_TREATMENTS)] = []
    symptoms: Annotated[list[Symptom], Field(max_length=MAX_LIST)] = []
    concerns: Annotated[list[Concern], Field(max_length=MAX_LIST)] = []
    visit: Visit = Field(
        "unknown",
        description="what the next appointment is about; it changes which questions come first, never which "
                    "options appear. When unknown, the guide infers what it can (growth on the latest "
                    "metastatic treatment reads as a treatment decision).",
    )

    @property
    def hormone_receptors(self) -> HormoneReceptorStatus:
        """Positive if ER or PR is positive; negative only when both are known to be negative."""
        er, pr = self.receptors.er, self.receptors.pr
        if "positive" in (er, pr):
            return "positive"
        if er == pr == "negative":
            return "negative"
        return "unknown"

    @property
    def subtype(self) -> Subtype:
        """The working subtype. HER2-low and -ultralow are HER2-negative in this sense."""
        her2 = self.receptors.her2
        if her2 == "positive":
            return "her2_positive"
        if her2 == "unknown":
            return "unknown"
        hr = self.hormone_receptors
        if hr == "positive":
            return "hr_positive_her2_negative"
        if hr == "negative":
            return "triple_negative"
        return "unknown"


def parse_profile(data: Any, drugs: DrugVocabulary | None = None) -> Profile:
    """Validate a profile from Python data (``dict``) or JSON text/bytes.

    Example usage::

        >>> parse_profile({"receptors": {"er": "positive", "her2": "negative"}}).subtype
        'hr_positive_her2_negative'
    """
    context = {"drugs": drugs} if drugs is not None else None
    if isinstance(data, (str, bytes, bytearray)):
        return Profile.model_validate_json(data, context=context)
    return Profile.model_validate(data, context=context)


def _drugs_from(context: Any) -> DrugVocabulary:
    drugs = context.get("drugs") if isinstance(context, dict) else None
    if isinstance(drugs, DrugVocabulary):
        return drugs
    from decision_aid.knowledge_base import load_knowledge_base  # the built-in one, loaded once

    return load_knowledge_base().drugs
