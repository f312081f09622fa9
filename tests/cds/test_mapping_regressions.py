"""Regressions from a review of the FHIR → profile mapping against real-world-shaped records.

Each test is one shape that was mis-read, dropped without a word, or answered with a 500 before.
Fixtures are written here by hand, small, and only as detailed as the case needs.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds.cds_support import SERVICE_URL, Auth, hook_body
from decision_aid.fhir import records
from decision_aid.fhir.reading import RecordReading, read_record
from decision_aid.knowledge_base import load_knowledge_base

PID = "rev-1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
HGNC = "http://www.genenames.org/geneId"
ME = {"reference": f"Patient/{PID}"}


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def read(*resources: dict[str, Any], **more_keys: dict[str, Any]) -> RecordReading:
    prefetch = {"patient": {"resourceType": "Patient", "id": PID, "gender": "female"},
                "everything": searchset(*resources), **more_keys}
    return read_record(prefetch, PID, load_knowledge_base().drugs)


def coded(loinc: str | None = None, text: str | None = None) -> dict[str, Any]:
    code: dict[str, Any] = {"coding": [{"system": LOINC, "code": loinc}]} if loinc else {}
    return {**code, **({"text": text} if text else {})}


def result(loinc: str | None = None, *, text: str | None = None, **value: Any) -> dict[str, Any]:
    return {"resourceType": "Observation", "status": "final", "code": coded(loinc, text), "subject": ME,
            "effectiveDateTime": "2025-05-01", **value}


def diagnosis(*codings: tuple[str, str], text: str | None = None, **more: Any) -> dict[str, Any]:
    code: dict[str, Any] = {"coding": [{"system": s, "code": c} for s, c in codings]} if codings else {}
    if text:
        code["text"] = text
    return {"resourceType": "Condition", "code": code, "subject": ME, "onsetDateTime": "2025-04-01", **more}


def order(medicine: str, **more: Any) -> dict[str, Any]:
    return {"resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": ME,
            "medicationCodeableConcept": {"text": medicine}, **more}


def lines(reading: RecordReading) -> str:
    return "\n".join((*reading.read, *reading.missing, *reading.skipped, *reading.notes))


# --- ER / PR ------------------------------------------------------------------------------------

@pytest.mark.parametrize("comparator, value, expected", [("<", 1, "negative"), (">=", 1, "positive"),
                                                         (">", 90, "positive"), ("<", 5, "unknown")])
def test_receptor_percentage_respects_its_comparator(comparator: str, value: int, expected: str) -> None:
    """'<1 %' of cells stained is negative; it was read as 1 %, i.e. positive."""
    reading = read(result("85329-1", valueQuantity={"value": value, "comparator": comparator, "unit": "%"}))
    assert reading.profile.receptors.er == expected


def test_receptor_panel_components_are_read_as_results() -> None:
    panel = result(text="Breast hormone receptor panel", component=[
        {"code": coded("85337-4"), "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6576-8"}]}},
        {"code": coded("85339-0"), "valueString": "Negative (0%)"},
    ])
    reading = read(panel)
    assert (reading.profile.receptors.er, reading.profile.receptors.pr) == ("positive", "negative")
    assert "component 1" in lines(reading) and "component 2" in lines(reading)


# --- HER2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [("0 with faint staining", "ultralow"),
                                               ("0 - no staining observed", "negative"),
                                               ("0, faint incomplete staining in <10% of cells", "ultralow"),
                                               ("3 (positive)", "positive"), ("0,5", "unknown")])
def test_her2_ihc_score_written_first_is_read(written: str, expected: str) -> None:
    assert read(result("85319-2", valueString=written)).profile.receptors.her2 == expected


@pytest.mark.parametrize("written", ["0-1+", "1+/2+"])
def test_her2_score_range_is_not_read_as_one_score(written: str) -> None:
    """A range does not say HER2-low: leave it out and say so, never guess."""
    reading = read(result("85319-2", valueString=written))
    assert reading.profile.receptors.her2 == "unknown"
    assert "a range such as 0-1+ is not read as one score" in lines(reading)


# --- PD-L1 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, expected", [("22C3 CPS = 3", "negative"), ("SP263; CPS: 12", "positive"),
                                               ("CPS 1-9", "negative"), ("CPS 5-15", "not_tested")])
def test_pdl1_cps_is_the_number_after_cps(written: str, expected: str) -> None:
    """The antibody clone 22C3 was read as a CPS of 22."""
    reading = read(result(text="PD-L1 by IHC, combined positive score", valueString=written))
    assert reading.profile.biomarkers.pdl1 == expected


# --- genomics -----------------------------------------------------------------------------------

def variant(gene: dict[str, Any], *, germline: bool = False) -> dict[str, Any]:
    parts = [{"code": coded("48018-6"), "valueCodeableConcept": gene}]
    if germline:
        parts.append({"code": coded("48002-0"),
                      "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6683-2"}]}})
    return result("69548-6", component=parts,
                  valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA9633-4"}]})


@pytest.mark.parametrize("gene", [{"text": "PIK3CA gene"}, {"text": "HGNC:8975"},
                                  {"coding": [{"display": "PIK3CA (phosphatidylinositol-4,5-bisphosphate)"}]}])
def test_gene_named_only_in_text_is_read(gene: dict[str, Any]) -> None:
    assert read(variant(gene)).profile.biomarkers.pik3ca == "mutated"


def test_hgnc_code_decides_over_a_display_that_mentions_brca1() -> None:
    """BARD1's name starts with "BRCA1": its HGNC code, not the words, says which gene it is."""
    bard1 = {"coding": [{"system": HGNC, "code": "HGNC:952", "display": "BRCA1 associated RING domain 1"}]}
    assert read(variant(bard1, germline=True)).profile.biomarkers.gbrca == "not_tested"


# --- medicines ----------------------------------------------------------------------------------

def test_order_not_to_give_a_medicine_is_not_a_treatment() -> None:
    reading = read(order("palbociclib 125 MG Oral Capsule", doNotPerform=True))
    assert reading.profile.treatments == []
    assert "an order not to give 'palbociclib 125 MG Oral Capsule'" in lines(reading)


def test_medication_reference_display_names_the_medicine_when_it_was_not_sent() -> None:
    request = order("unused")
    del request["medicationCodeableConcept"]
    request["medicationReference"] = {"reference": "Medication/not-sent", "display": "Letrozole 2.5 mg tablet"}
    assert [t.drug for t in read(request).profile.treatments] == ["letrozole"]


# --- conditions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("condition, site", [
    (diagnosis((SNOMED, "128462008"), bodySite=[{"coding": [{"system": SNOMED, "code": "10200004"}]}]), "liver"),
    (diagnosis((SNOMED, "94222008")), "bone"),
    (diagnosis(text="Liver mets"), "liver"),
    (diagnosis(text="Malignant pleural effusion"), "pleura"),
])
def test_secondary_cancer_shapes_are_read(condition: dict[str, Any], site: str) -> None:
    """The bare SNOMED 128462008 code, confirmed SNOMED site codes, 'mets' and malignant effusion were dropped."""
    assert read(condition).profile.sites == [site]


def test_metastatic_breast_cancer_diagnosis_adds_no_made_up_site() -> None:
    reading = read(diagnosis((ICD, "C50.911"), text="Metastatic breast cancer"), diagnosis((ICD, "C79.51")))
    assert reading.profile.sites == ["bone"]
    assert "Metastatic: 'Metastatic breast cancer'" in lines(reading)


def test_stage_iv_named_in_the_diagnosis_counts_as_metastatic() -> None:
    reading = read(diagnosis(text="Breast cancer, stage IV"))
    assert "Metastatic: Stage IV" in lines(reading)
    assert "Sites of spread not found" in reading.missing


@pytest.mark.parametrize("status", ["provisional", "differential"])
def test_unconfirmed_metastasis_is_not_used(status: str) -> None:
    verification = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                "code": status}]}
    reading = read(diagnosis((ICD, "C78.7"), verificationStatus=verification))
    assert reading.profile.sites == [] and f"marked {status}" in lines(reading)


def test_negated_menopausal_status_is_not_read_as_that_status() -> None:
    reading = read(result(text="Menopausal status", valueString="Not postmenopausal"))
    assert reading.profile.menopausal_status == "unknown"


# --- malformed resources ------------------------------------------------------------------------

def test_malformed_element_is_set_aside_and_the_rest_read() -> None:
    reading = read(diagnosis((ICD, "C78.7"), onsetDateTime="spring 2024"),
                   result("85337-4", valueString="Positive", vendorScore=3, issued="yesterday"))
    assert reading.profile.sites == ["liver"] and reading.profile.receptors.er == "positive"
    assert reading.skipped == ()
    notes = "\n".join(reading.notes)
    assert "onsetDateTime is not valid FHIR R4 and was ignored" in notes
    assert "vendorScore is not valid" in notes and "issued is not valid" in notes


def test_date_time_without_a_time_zone_keeps_its_day() -> None:
    """Common in real records and not valid FHIR: the day still dates the spread (de novo here)."""
    reading = read(diagnosis((ICD, "C78.7"), onsetDateTime="2024-05-01T10:00:00"),
                   diagnosis((ICD, "C50.912"), onsetDateTime="2024-04-20"))
    assert reading.profile.presentation == "de_novo"
    assert "onsetDateTime has a time without a time zone, so only its day (2024-05-01) was used" in reading.notes[0]


def test_stu3_style_verification_status_string_is_kept() -> None:
    assert read(diagnosis((ICD, "C78.7"), verificationStatus="refuted")).profile.sites == []


def test_malformed_modifier_element_skips_the_resource() -> None:
    """A status or subject that cannot be read is never set aside: that could turn 'do not give' into a fact."""
    reading = read(order("letrozole", doNotPerform={"value": True}), order("anastrozole", subject="Patient/rev-1"))
    assert reading.profile.treatments == []
    assert len(reading.skipped) == 2


def test_odd_shapes_that_raised_are_skipped_or_read() -> None:
    """A contained resource whose type is not a type raised KeyError; an Observation with a null code crashed."""
    weird = order("letrozole", contained=[{"resourceType": "Patient/zzz"}])
    reading = read(weird, result(None, valueString="Positive") | {"code": None})
    assert "KeyError while reading it" in "\n".join(reading.skipped)


def test_one_long_prefetch_does_not_crowd_out_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records, "MAX_ENTRIES", 3)
    labs = searchset(*(result("718-7", valueQuantity={"value": 12}) for _ in range(10)))
    reading = read(order("letrozole"), labs=labs)
    assert [t.drug for t in reading.profile.treatments] == ["letrozole"]
    assert "Prefetch 'labs' holds 10 entries; only the first 3 were read." in reading.notes


def test_odd_prefetch_through_the_service_is_answered(client: TestClient, auth: Auth) -> None:
    prefetch = {"patient": {"resourceType": "Patient", "id": PID, "gender": "unknown"},
                "conditions": searchset(diagnosis((ICD, "C79.31"), onsetDateTime="2024-02-30")),
                "tumor_markers": searchset(result(None, valueString="x") | {"code": None}),
                "medication_requests": searchset(order("letrozole", contained=[{"resourceType": "Nope/1"}]))}
    response = client.post(SERVICE_URL, json=hook_body(prefetch, PID), headers=auth())
    assert response.status_code == 200
    facts = next(card for card in response.json()["cards"] if card["source"]["topic"]["code"] == "record")
    assert "Spread to: brain" in facts["detail"]


def test_gene_test_coded_only_by_a_local_name_is_named_not_guessed() -> None:
    """"PIK3CA mutation analysis: mutation detected" is left out (free text), but no longer without a word."""
    reading = read(result(text="PIK3CA mutation analysis", valueString="Mutation detected: H1047R"))
    assert reading.profile.biomarkers.pik3ca == "not_tested"
    assert "is a test for PIK3CA that is not coded as a genomic variant" in lines(reading)


def test_malformed_result_value_is_never_set_aside() -> None:
    """Without its value a genomic variant would count as present: "Absent" sent as a bare string is not read."""
    absent = variant({"text": "BRCA1"}, germline=True) | {"valueCodeableConcept": "Absent"}
    reading = read(absent)
    assert reading.profile.biomarkers.gbrca == "not_tested"
    assert "valueCodeableConcept" in "\n".join(reading.skipped)


@pytest.mark.parametrize("value, expected", [
    ({"valueString": "90%"}, "positive"), ({"valueString": "<1%"}, "negative"), ({"valueString": "ER+"}, "positive"),
    ({"valueString": "NEG"}, "negative"), ({"valueString": "No staining detected"}, "negative"),
    ({"valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA11883-8"}]}}, "negative"),
    ({"valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA11882-0"}]}}, "positive"),
    ({"valueString": "Allred 7/8"}, "unknown"), ({"valueQuantity": {"value": 80}}, "unknown"),
])
def test_receptor_results_written_without_positive_or_negative(value: dict[str, Any], expected: str) -> None:
    """An antigen presence test answered "not detected", a bare percentage or a sign; a score with no cut-off
    given (Allred, a unitless number) stays unknown."""
    assert read(result("85337-4", **value)).profile.receptors.er == expected


@pytest.mark.parametrize("condition", [
    diagnosis((ICD, "G89.3"), text="Neoplasm related pain"), diagnosis((ICD, "E88.3"), text="Tumor lysis syndrome"),
    diagnosis(text="Malignant hypertension"), diagnosis(text="Cancer-related fatigue"),
])
def test_cancer_complications_are_not_read_as_another_cancer(condition: dict[str, Any]) -> None:
    """These put a false "not breast cancer" warning on the whole guide."""
    assert read(condition).alerts == ()


def test_another_primary_cancer_still_raises_the_alert() -> None:
    assert read(diagnosis((ICD, "C34.90"), text="Lung cancer")).alerts


def test_her2_panel_with_its_own_value_reads_the_score_in_its_components() -> None:
    """The panel's own value and a component's value made two value[x], so the components were dropped."""
    panel = result("48676-1", valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA6577-6"}]}, component=[
        {"code": coded("85319-2"), "valueString": "2+"},
        {"code": coded("85318-4"), "valueCodeableConcept": {"text": "Not amplified"}},
    ])
    assert read(panel).profile.receptors.her2 == "low"


def test_code_sent_as_a_json_number_is_read_as_its_text() -> None:
    """An RxNorm code sent as 1873916 (a number) made the whole MedicationRequest unreadable."""
    request = order("unused") | {"medicationCodeableConcept": {"coding": [
        {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": 1873916}]}}
    reading = read(request)
    assert [t.drug for t in reading.profile.treatments] == ["ribociclib"] and reading.skipped == ()


# --- the same resource in two prefetch searches ---------------------------------------------------

def test_a_resource_returned_by_two_searches_is_read_once() -> None:
    """Two prefetch searches can overlap (a lab search and a genomics search); each result was counted twice."""
    er = {**result("85337-4", valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA6576-8"}]}),
          "id": "er-1"}
    ecog = {**result("89247-1", valueInteger=1), "id": "ecog-1"}
    reading = read(er, ecog, labs=searchset(er, ecog))
    assert reading.profile.receptors.er == "positive"
    assert lines(reading).count("Observation/er-1") == 1
    assert lines(reading).count("Observation/ecog-1") == 1


def test_a_resource_sent_twice_with_different_content_is_read_both_times() -> None:
    """Only an identical copy is dropped: two versions under one id are both seen, so a conflict is named."""
    old = {**result("85337-4", valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA6576-8"}]}),
           "id": "er-1", "effectiveDateTime": "2021-01-01"}
    new = {**result("85337-4", valueCodeableConcept={"coding": [{"system": LOINC, "code": "LA6577-6"}]}),
           "id": "er-1"}
    reading = read(old, labs=searchset(new))
    assert reading.profile.receptors.er == "negative"
    assert any("results disagree" in alert for alert in reading.alerts)
