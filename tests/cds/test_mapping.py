"""The FHIR R4 / mCODE → profile mapping, case by case, on real FHIR JSON (pure functions, no web)."""

from __future__ import annotations

from typing import Any

import pytest

from decision_aid.fhir.reading import RecordReading, read_record
from decision_aid.knowledge_base import load_knowledge_base

PID = "p-1"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def read(*resources: dict[str, Any], patient: dict[str, Any] | None = None) -> RecordReading:
    bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}
    return read_record({"patient": patient, "everything": bundle}, PID, load_knowledge_base().drugs)


def obs(loinc: str | None = None, *, text: str | None = None, date: str = "2025-01-01", **value: Any) -> dict[str, Any]:
    code: dict[str, Any] = {}
    if loinc:
        code["coding"] = [{"system": LOINC, "code": loinc}]
    if text:
        code["text"] = text
    return {"resourceType": "Observation", "status": "final", "code": code, "subject": {"reference": f"Patient/{PID}"},
            "effectiveDateTime": date, **value}


def concept(text: str | None = None, *codes: tuple[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {"coding": [{"system": s, "code": c} for s, c in codes]} if codes else {}
    if text:
        result["text"] = text
    return result


def condition(*, icd: str | None = None, snomed: str | None = None, text: str | None = None, onset: str = "2024-01-01",
              **more: Any) -> dict[str, Any]:
    codes = [(ICD, icd)] if icd else []
    codes += [(SNOMED, snomed)] if snomed else []
    return {"resourceType": "Condition", "code": concept(text, *codes), "subject": {"reference": f"Patient/{PID}"},
            "onsetDateTime": onset, **more}


def med(kind: str = "MedicationRequest", *, text: str | None = None, rxnorm: tuple[str, str] | None = None,
        status: str = "active", **more: Any) -> dict[str, Any]:
    medication: dict[str, Any] = {}
    if rxnorm:
        medication["coding"] = [{"system": RXNORM, "code": rxnorm[0], **({"display": rxnorm[1]} if rxnorm[1] else {})}]
    if text:
        medication["text"] = text
    resource = {"resourceType": kind, "status": status, "medicationCodeableConcept": medication,
                "subject": {"reference": f"Patient/{PID}"}, **more}
    if kind == "MedicationRequest":
        resource.setdefault("intent", "order")
    if kind == "MedicationAdministration" and "effectivePeriod" not in resource:
        resource.setdefault("effectiveDateTime", "2025-01-01")
    return resource


def intent(code: str) -> list[dict[str, Any]]:
    return [{"url": "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-treatment-intent",
             "valueCodeableConcept": concept(None, (SNOMED, code))}]


# --- HER2: low and ultralow only from an explicit IHC score --------------------------------------

IHC, ISH, INTERPRETATION = "85319-2", "85318-4", "48676-1"


@pytest.mark.parametrize("results, expected, missing", [
    ([obs(IHC, valueCodeableConcept=concept("Score 3+"))], "positive", None),
    ([obs(IHC, valueCodeableConcept=concept("1+"))], "low", None),
    ([obs(IHC, valueInteger=1)], "low", None),
    ([obs(IHC, valueString="Negative (Score 1+)")], "low", None),
    ([obs(IHC, valueString="0")], "negative", None),
    ([obs(IHC, valueString="Score 0, faint incomplete membrane staining in <=10% of cells")], "ultralow", None),
    ([obs(IHC, valueString="HER2-ultralow")], "ultralow", None),
    ([obs(IHC, valueString=">0 <1+")], "ultralow", None),
    ([obs(IHC, valueString="2+"), obs(ISH, valueString="Not amplified")], "low", None),
    ([obs(IHC, valueString="2+"), obs(ISH, valueString="Amplified")], "positive", None),
    ([obs(IHC, valueString="Equivocal (Score 2+)")], "unknown", "HER2 ISH result for the IHC 2+ score not found"),
    ([obs(INTERPRETATION, valueCodeableConcept=concept(None, (LOINC, "LA6577-6")))], "negative",
     "HER2 IHC score not found"),
    ([obs(INTERPRETATION, valueCodeableConcept=concept(None, (LOINC, "LA6576-8")))], "positive", None),
    ([obs(ISH, valueString="Not amplified")], "negative", "HER2 IHC score not found"),
    ([obs(INTERPRETATION, valueString="HER2-low")], "negative", "HER2 IHC score not found"),
    ([obs(text="HER2 (ERBB2) by IHC", valueString="Score 1+")], "low", None),
    ([obs(text="HER2 FISH", valueString="non-amplified")], "negative", "HER2 IHC score not found"),
    ([], "unknown", "HER2 status not found"),
])
def test_her2(results: list[dict[str, Any]], expected: str, missing: str | None) -> None:
    reading = read(*results)
    assert reading.profile.receptors.her2 == expected
    if missing:
        assert any(missing in line for line in reading.missing)
    else:
        assert not any("HER2" in line for line in reading.missing)


def test_her2_text_like_her2_plus_is_not_a_score() -> None:
    reading = read(obs(INTERPRETATION, valueString="HER2+ breast cancer (positive)"))
    assert reading.profile.receptors.her2 == "positive"
    assert "IHC" not in next(line for line in reading.read if line.startswith("HER2"))


def test_the_newest_her2_result_wins() -> None:
    reading = read(obs(IHC, valueString="3+", date="2019-01-01"), obs(IHC, valueString="1+", date="2025-02-01"))
    assert reading.profile.receptors.her2 == "low"


# --- ER and PR ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ({"valueCodeableConcept": concept(None, (LOINC, "LA6576-8"))}, "positive"),
    ({"valueCodeableConcept": concept(None, (SNOMED, "260385009"))}, "negative"),
    ({"valueQuantity": {"value": 5, "unit": "%"}}, "positive"),
    ({"valueQuantity": {"value": 0.5, "unit": "%", "code": "%"}}, "negative"),
    ({"valueString": "Positive (weak, 3%)"}, "positive"),
    ({"interpretation": [concept(None, ("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "NEG"))]},
     "negative"),
    ({"valueString": "positive control only; tumour negative"}, "unknown"),
])
def test_er(value: dict[str, Any], expected: str) -> None:
    assert read(obs("85337-4", **value)).profile.receptors.er == expected


def test_cancelled_and_entered_in_error_results_are_not_used() -> None:
    wrong = obs("85337-4", date="2026-01-01", valueCodeableConcept=concept("Positive"))
    reading = read({**wrong, "status": "entered-in-error"}, obs("85337-4", valueCodeableConcept=concept("Negative")))
    assert reading.profile.receptors.er == "negative"


# --- PD-L1 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("result, expected", [
    (obs(text="PD-L1 22C3 CPS", valueQuantity={"value": 10}), "positive"),
    (obs(text="PD-L1 22C3 CPS", valueQuantity={"value": 9}), "negative"),
    (obs(text="PD-L1 combined positive score", valueString="CPS <1"), "negative"),
    (obs(text="PD-L1 combined positive score", valueString="CPS >= 10"), "positive"),
    (obs(text="PD-L1 CPS", valueQuantity={"value": 5, "comparator": ">"}), "not_tested"),
    (obs(text="PD-L1 (SP142) immune cells", valueString="Positive, IC 2%"), "not_tested"),
])
def test_pdl1_only_from_a_cps(result: dict[str, Any], expected: str) -> None:
    assert read(result).profile.biomarkers.pdl1 == expected


# --- genomics -----------------------------------------------------------------------------------

def variant(gene: str, *, source: str | None = None, present: bool = True, significance: str | None = None,
            hgnc: str | None = None) -> dict[str, Any]:
    gene_coding = {"system": "http://www.genenames.org/geneId", "display": gene, **({"code": hgnc} if hgnc else {})}
    components = [{"code": concept(None, (LOINC, "48018-6")), "valueCodeableConcept": {"coding": [gene_coding]}}]
    if source:
        components.append({"code": concept(None, (LOINC, "48002-0")),
                           "valueCodeableConcept": concept(None, (LOINC, source))})
    if significance:
        components.append({"code": concept(None, (LOINC, "53037-8")), "valueCodeableConcept": concept(significance)})
    return obs("69548-6", component=components,
               valueCodeableConcept=concept(None, (LOINC, "LA9633-4" if present else "LA9634-2")))


GERMLINE, SOMATIC = "LA6683-2", "LA6684-0"


def test_variant_genes_map_to_biomarkers() -> None:
    reading = read(variant("PIK3CA", hgnc="HGNC:8975", source=SOMATIC), variant("ESR1", hgnc="3467"),
                   variant("PTEN", source=SOMATIC))
    markers = reading.profile.biomarkers
    assert (markers.pik3ca, markers.esr1, markers.akt_pathway, markers.gbrca) == (
        "mutated", "mutated", "mutated", "not_tested")


@pytest.mark.parametrize("source, expected, note", [
    (GERMLINE, "mutated", None),
    (SOMATIC, "not_tested", "in the tumour (somatic)"),
    (None, "not_tested", "no record of whether it is inherited"),
])
def test_only_germline_brca_counts_as_inherited(source: str | None, expected: str, note: str | None) -> None:
    reading = read(variant("BRCA2", hgnc="HGNC:1101", source=source))
    assert reading.profile.biomarkers.gbrca == expected
    if note:
        assert any(note in line for line in reading.notes)


def test_benign_and_uncertain_variants_are_not_mutations() -> None:
    reading = read(variant("PIK3CA", significance="Likely benign"), variant("ESR1", significance="VUS"))
    assert reading.profile.biomarkers.pik3ca == "not_tested"
    assert reading.profile.biomarkers.esr1 == "not_tested"
    assert sum("was not counted as a mutation" in line for line in reading.notes) == 2


def test_not_detected_needs_the_gene_to_have_been_studied() -> None:
    panel = obs("53041-0", component=[{"code": concept(None, (LOINC, "48018-6")),
                                       "valueCodeableConcept": {"coding": [
                                           {"system": "http://www.genenames.org/geneId", "code": "HGNC:8975"},
                                           {"system": "http://www.genenames.org/geneId", "code": "HGNC:9588"}]}}])
    reading = read(panel, variant("BRCA1", source=GERMLINE, present=False),
                   variant("BRCA2", source=GERMLINE, present=False))
    markers = reading.profile.biomarkers
    assert markers.pik3ca == "not_detected"
    assert markers.esr1 == "not_tested"
    assert markers.akt_pathway == "not_tested"
    assert any("only PTEN was tested" in line for line in reading.missing)
    assert markers.gbrca == "not_detected"


# --- sites --------------------------------------------------------------------------------------

@pytest.mark.parametrize("resource, sites", [
    (condition(icd="C79.51"), ["bone"]),
    (condition(icd="C79.52"), ["bone"]),
    (condition(icd="C78.7"), ["liver"]),
    (condition(icd="C78.00"), ["lung"]),
    (condition(icd="C78.2"), ["pleura"]),
    (condition(icd="C79.31"), ["brain"]),
    (condition(icd="C79.32"), ["leptomeninges"]),
    (condition(icd="C77.2"), ["lymph_nodes"]),
    (condition(icd="C77.3"), []),
    (condition(icd="C79.2"), ["skin"]),
    (condition(icd="C79.89", bodySite=[concept(None, (SNOMED, "78904004"))]), ["chest_wall"]),
    (condition(icd="C79.71"), ["other"]),
    (condition(snomed="94225005"), ["brain"]),
    (condition(text="Metastasis to liver", category=[concept(None, (SNOMED, "128462008"))]), ["liver"]),
    (condition(text="Leptomeningeal metastases from breast cancer"), ["leptomeninges"]),
    (condition(text="Non-metastatic breast cancer"), []),
    (condition(text="Family history of metastatic breast cancer"), []),
    (condition(icd="C50.911"), []),
    ({**condition(icd="C78.7"), "verificationStatus": concept(None, (
        "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted"))}, []),
])
def test_sites(resource: dict[str, Any], sites: list[str]) -> None:
    assert read(resource).profile.sites == sites


def test_another_patients_resources_are_skipped() -> None:
    theirs = {**condition(icd="C79.31"), "id": "x", "subject": {"reference": "https://ehr.example.org/fhir/Patient/other"}}
    reading = read(theirs, patient={"resourceType": "Patient", "id": "someone-else", "gender": "male"})
    assert reading.profile.sites == [] and reading.profile.sex == "female"
    assert any("belongs to Patient/other" in line for line in reading.skipped)
    assert any("Patient/someone-else: a different patient" in line for line in reading.skipped)


@pytest.mark.parametrize("primary, secondary, presentation", [
    ("2024-01-01", "2024-02-15", "de_novo"),
    ("2019-01-01", "2024-02-15", "recurrent"),
    (None, "2024-02-15", "unknown"),
])
def test_presentation_from_dates(primary: str | None, secondary: str, presentation: str) -> None:
    resources = [condition(icd="C79.51", onset=secondary)]
    if primary:
        resources.append(condition(icd="C50.911", onset=primary))
    assert read(*resources).profile.presentation == presentation


# --- medicines ----------------------------------------------------------------------------------

@pytest.mark.parametrize("resource, drugs", [
    (med(rxnorm=("84857", "")), ["anastrozole"]),
    (med(rxnorm=("200064", "letrozole 2.5 MG Oral Tablet")), ["letrozole"]),
    (med(text="IBRANCE® 125mg capsules"), ["palbociclib"]),
    (med(text="{21 (ribociclib 200 MG Oral Tablet) / 28 (letrozole 2.5 MG Oral Tablet) } Pack "
              "[Kisqali Femara Co-Pack]"), ["ribociclib and letrozole"]),
    (med(text="fam-trastuzumab deruxtecan-nxki 100 MG Injection"), ["trastuzumab deruxtecan"]),
    (med(text="ado-trastuzumab emtansine 100 MG Injection [Kadcyla]"), ["ado-trastuzumab emtansine"]),
    (med(text="Aromatase inhibitor"), ["Aromatase inhibitor"]),
    (med(text="metformin 500 MG Oral Tablet"), []),
    (med(text="capecitabine", status="cancelled"), []),
    (med(text="capecitabine", intent="plan"), []),
    (med("MedicationStatement", text="capecitabine", status="not-taken"), []),
    (med("MedicationAdministration", text="capecitabine", status="not-done"), []),
])
def test_medicine_names(resource: dict[str, Any], drugs: list[str]) -> None:
    assert [t.drug for t in read(resource).profile.treatments] == drugs


@pytest.mark.parametrize("resource, setting, outcome", [
    (med(status="completed", text="letrozole", extension=intent("373808002")), "early", "completed"),
    (med(status="active", text="letrozole", extension=intent("363676003")), "metastatic", "ongoing"),
    (med(status="stopped", text="letrozole", statusReason=concept(None, (SNOMED, "407563006"))), "metastatic",
     "stopped_side_effects"),
    (med(status="stopped", text="letrozole", statusReason=concept("Disease progression")), "metastatic", "progressed"),
    (med(status="stopped", text="letrozole", statusReason=concept("Patient moved away")), "metastatic", "unknown"),
    (med("MedicationStatement", status="completed", text="letrozole"), "metastatic", "completed"),
    (med("MedicationAdministration", status="completed", text="paclitaxel"), "metastatic", "unknown"),
    (med("MedicationAdministration", status="in-progress", text="paclitaxel"), "metastatic", "ongoing"),
    (med("MedicationAdministration", status="stopped", text="paclitaxel",
         statusReason=[concept(None, (SNOMED, "266721009"))]), "metastatic", "progressed"),
])
def test_setting_and_outcome(resource: dict[str, Any], setting: str, outcome: str) -> None:
    treatment = read(resource).profile.treatments[0]
    assert (treatment.setting, treatment.outcome) == (setting, outcome)


def test_setting_and_relapse_timing_from_dates() -> None:
    spread = condition(icd="C79.51", onset="2024-06-01")
    before = med("MedicationStatement", text="tamoxifen", status="completed",
                 effectivePeriod={"start": "2018-01-01", "end": "2023-09-15"})
    during = med("MedicationStatement", text="anastrozole", status="completed", extension=intent("373808002"),
                 effectivePeriod={"start": "2020-01-01", "end": "2024-08-01"})
    after = med("MedicationStatement", text="fulvestrant", effectivePeriod={"start": "2024-07-01"})
    treatments = {t.drug: t for t in read(spread, before, during, after).profile.treatments}
    assert (treatments["tamoxifen"].setting, treatments["tamoxifen"].months_since_end) == ("early", 8)
    assert (treatments["anastrozole"].setting, treatments["anastrozole"].outcome) == ("early", "progressed")
    assert treatments["fulvestrant"].setting == "metastatic"


def test_disease_that_worsened_during_a_treatment_makes_it_progressed() -> None:
    worse = obs("97509-4", date="2025-03-01", valueCodeableConcept=concept(None, (SNOMED, "271299001")))
    bounds = {"boundsPeriod": {"start": "2025-01-01"}}
    on_it = med(text="capecitabine", dosageInstruction=[{"timing": {"repeat": bounds}}])
    later = med(text="eribulin", authoredOn="2025-04-01")
    treatments = {t.drug: t.outcome for t in read(worse, on_it, later).profile.treatments}
    assert treatments == {"capecitabine": "progressed", "eribulin": "ongoing"}


def test_records_of_one_course_become_one_treatment() -> None:
    cycles = [med("MedicationAdministration", status="completed", text="paclitaxel 6 MG/ML Injectable Solution",
                  effectiveDateTime=f"2025-0{m}-01") for m in range(1, 6)]
    order = med(text="PACLitaxel", status="stopped", statusReason=concept("Peripheral neuropathy, not tolerated"))
    reading = read(*cycles, order)
    assert [(t.drug, t.outcome) for t in reading.profile.treatments] == [("paclitaxel", "stopped_side_effects")]
    assert any("and 2 more records" in line for line in reading.read)


def test_medication_reference_to_a_bundled_medication() -> None:
    medication = {"resourceType": "Medication", "id": "m1",
                  "code": concept(None, (RXNORM, "1873916"))}
    request = {**med(), "medicationCodeableConcept": None, "medicationReference": {"reference": "Medication/m1"}}
    del request["medicationCodeableConcept"]
    assert [t.drug for t in read(medication, request).profile.treatments] == ["ribociclib"]


# --- sex ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("patient, sex, says", [
    ({"gender": "male"}, "male", "Sex: male"),
    ({"gender": "other"}, "female", "Sex recorded as 'other'"),
    ({"gender": "unknown", "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
                                          "valueCode": "M"}]}, "male", "US Core birth sex"),
])
def test_sex(patient: dict[str, Any], sex: str, says: str) -> None:
    reading = read(patient={"resourceType": "Patient", "id": PID, **patient})
    assert reading.profile.sex == sex
    assert any(says in line for line in (*reading.read, *reading.missing))
