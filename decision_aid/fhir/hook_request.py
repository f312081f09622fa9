"""The CDS Hooks 2.0 request bodies: a hook call and a feedback report.

Unknown fields are allowed, as the specification adds fields over time. Validation errors never
echo the input, so an access token in ``fhirAuthorization`` cannot leak into an error message.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr, model_validator

from decision_aid.fhir.codes import FHIR_ID_CHARS

#: FHIR ``id``: what ``{{context.patientId}}`` may safely be substituted with in a URL.
FHIR_ID = rf"^{FHIR_ID_CHARS}$"

_LENIENT = ConfigDict(extra="allow", hide_input_in_errors=True, frozen=True)


class FhirAuthorization(BaseModel):
    model_config = _LENIENT

    access_token: SecretStr
    token_type: str = "Bearer"
    expires_in: int | None = None
    scope: str | None = None
    subject: str | None = None
    patient: str | None = None


class HookRequest(BaseModel):
    model_config = _LENIENT

    hook: str = Field(min_length=1, max_length=200)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = Field(None, max_length=2000)
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _server_with_token(self) -> HookRequest:
        if self.fhirAuthorization is not None and not self.fhirServer:
            raise ValueError("fhirServer is required when fhirAuthorization is given")
        return self


class PatientViewContext(BaseModel):
    model_config = _LENIENT

    userId: str = Field(min_length=1, max_length=300)
    patientId: str = Field(pattern=FHIR_ID)
    encounterId: str | None = None

    @property
    def viewer_is_patient(self) -> bool:
        """True when the patient or a proxy (``Patient/…`` or ``RelatedPerson/…``) opened the record."""
        parts = self.userId.rstrip("/").split("/")
        kind = parts[-2] if len(parts) >= 2 else ""
        return kind in ("Patient", "RelatedPerson")


class OverrideReason(BaseModel):
    model_config = _LENIENT

    reason: dict[str, Any] | None = None
    userComment: str | None = None


class FeedbackItem(BaseModel):
    model_config = _LENIENT

    card: str = Field(min_length=1, max_length=200)
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: list[dict[str, Any]] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: AwareDatetime


class FeedbackRequest(BaseModel):
    model_config = _LENIENT

    feedback: list[FeedbackItem] = Field(min_length=1, max_length=200)
