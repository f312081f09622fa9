"""The one CDS Hooks service this project offers: its discovery entry and prefetch templates."""

from __future__ import annotations

from typing import Any

SERVICE_ID = "mbc-discussion-guide"
HOOK = "patient-view"

#: Only the query forms CDS Hooks clients are most likely to honour: an instance read, and type-level
#: searches with a reference parameter and token equality.
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "tumor_markers": "Observation?patient={{context.patientId}}&category=laboratory",
    "genomic_variants": "Observation?patient={{context.patientId}}&code=http://loinc.org|69548-6",
    "disease_status": "Observation?patient={{context.patientId}}&code=http://loinc.org|97509-4",
    "medication_requests": "MedicationRequest?patient={{context.patientId}}",
    "medication_statements": "MedicationStatement?patient={{context.patientId}}",
    "medication_administrations": "MedicationAdministration?patient={{context.patientId}}",
}
#: Without these the guide would be misleading, so their absence is a 412; the rest only add detail.
REQUIRED_PREFETCH = ("patient", "conditions", "tumor_markers", "medication_requests")
OPTIONAL_PREFETCH = tuple(key for key in PREFETCH if key not in REQUIRED_PREFETCH)

DESCRIPTION = (
    "Points and questions a team may discuss for metastatic breast cancer, built from mCODE / FHIR R4 data: "
    "receptors, sites of spread, genomic results and cancer medicines. It never recommends, doses or ranks "
    "a drug, and never writes to the record."
)
USAGE = (
    "Send the prefetch keys " + ", ".join(REQUIRED_PREFETCH) + " (the others add detail). A key the EHR has "
    "no data for should be null or an empty searchset Bundle. Symptoms are not read from the record."
)


def discovery() -> dict[str, Any]:
    return {"services": [{
        "hook": HOOK,
        "id": SERVICE_ID,
        "title": "Metastatic breast cancer discussion guide",
        "description": DESCRIPTION,
        "prefetch": dict(PREFETCH),
        "usageRequirements": USAGE,
    }]}
