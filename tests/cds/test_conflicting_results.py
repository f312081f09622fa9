"""Records that hold several results for one marker which disagree: the newest is used, and the facts
card says so plainly, at the top, naming both results.

Every test posts hand-written FHIR JSON to the real CDS service with a signed token and reads the
facts card it returns. Resources are listed oldest-last and oldest-first, so record order never decides.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cds.cds_support import SERVICE_URL, Auth, hook_body

PID = "conflict-1"
LOINC = "http://loinc.org"
ME = {"reference": f"Patient/{PID}"}
RECEPTORS_CAN_CHANGE = "Receptors can change; ask the team which result applies."

ER = "85337-4"
PR = "85339-0"
HER2_IHC = "85319-2"
HER2_ISH = "85318-4"
POSITIVE = {"coding": [{"system": LOINC, "code": "LA6576-8", "display": "Positive"}]}
NEGATIVE = {"coding": [{"system": LOINC, "code": "LA6577-6", "display": "Negative"}]}


def searchset(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": r} for r in resources]}


def marker(rid: str, loinc: str | None, when: str | None, *, text: str | None = None, issued: str | None = None,
           **value: Any) -> dict[str, Any]:
    code: dict[str, Any] = {"coding": [{"system": LOINC, "code": loinc}]} if loinc else {}
    if text:
        code["text"] = text
    resource: dict[str, Any] = {"resourceType": "Observation", "id": rid, "status": "final", "subject": ME,
                                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                          "observation-category", "code": "laboratory"}]}],
                                "code": code, **value}
    if when:
        resource["effectiveDateTime"] = when
    if issued:
        resource["issued"] = issued
    return resource


def variant(rid: str, gene: str, hgnc: str, when: str, *, present: bool) -> dict[str, Any]:
    answer = ("LA9633-4", "Present") if present else ("LA9634-2", "Absent")
    return {"resourceType": "Observation", "id": rid, "status": "final", "subject": ME, "effectiveDateTime": when,
            "code": {"coding": [{"system": LOINC, "code": "69548-6"}]},
            "valueCodeableConcept": {"coding": [{"system": LOINC, "code": answer[0], "display": answer[1]}]},
            "component": [{"code": {"coding": [{"system": LOINC, "code": "48018-6"}]},
                           "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org/geneId",
                                                                "code": hgnc, "display": gene}]}}]}


def region_studied(rid: str, gene: str, hgnc: str, when: str) -> dict[str, Any]:
    return {"resourceType": "Observation", "id": rid, "status": "final", "subject": ME, "effectiveDateTime": when,
            "code": {"coding": [{"system": LOINC, "code": "53041-0"}]},
            "component": [{"code": {"coding": [{"system": LOINC, "code": "48018-6"}]},
                           "valueCodeableConcept": {"coding": [{"system": "http://www.genenames.org/geneId",
                                                                "code": hgnc, "display": gene}]}}]}


def facts_card(client: TestClient, auth: Auth, markers: list[dict[str, Any]],
               genomics: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    prefetch = {"patient": {"resourceType": "Patient", "id": PID, "gender": "female"},
                "conditions": searchset(), "tumor_markers": searchset(*markers),
                "genomic_variants": searchset(*(genomics or [])), "medication_requests": searchset()}
    response = client.post(SERVICE_URL, json=hook_body(prefetch, PID), headers=auth())
    assert response.status_code == 200, response.text
    card: dict[str, Any] = next(c for c in response.json()["cards"] if c["source"]["topic"]["code"] == "record")
    return card


def section(card: dict[str, Any], heading: str) -> list[str]:
    """The bullet lines under one bold heading of the facts card, with Markdown escapes undone."""
    for block in card["detail"].split("\n\n**")[0:]:
        block = block.removeprefix("**")
        if block.startswith(f"{heading}**"):
            return [line[2:].replace("\\", "") for line in block.split("\n") if line.startswith("- ")]
    return []


def both_orders(*resources: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [list(resources), list(reversed(resources))]


# --- HER2 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [0, 1])
def test_her2_after_a_re_biopsy_uses_the_newest_and_names_the_older(client: TestClient, auth: Auth,
                                                                     order: int) -> None:
    old = marker("her2-2021", HER2_IHC, "2021-05-01", valueString="3+")
    new = marker("her2-2025", HER2_IHC, "2025-03-02", valueString="1+")
    card = facts_card(client, auth, both_orders(old, new)[order])
    assert any(line.startswith("HER2: low (IHC 1+; Observation/her2-2025") for line in section(card, "Read from "
                                                                                                    "the record"))
    assert section(card, "Check") == [
        "HER2: results disagree — IHC 1+ (HER2-low; 2025-03-02, Observation/her2-2025) used; IHC 3+ "
        f"(HER2-positive; 2021-05-01, Observation/her2-2021) is also in the record. {RECEPTORS_CAN_CHANGE}"]
    assert card["indicator"] == "warning"


def test_an_old_amplified_ish_does_not_outrank_a_newer_ihc_score(client: TestClient, auth: Auth) -> None:
    """ISH amplified in 2021 used to win over anything; a 2025 re-biopsy scored IHC 1+ is the newer result."""
    card = facts_card(client, auth, [
        marker("ish-2021", HER2_ISH, "2021-05-01", valueString="Amplified"),
        marker("ihc-2025", HER2_IHC, "2025-03-02", valueString="1+"),
    ])
    assert any(line.startswith("HER2: low (IHC 1+") for line in section(card, "Read from the record"))
    (alert,) = section(card, "Check")
    assert alert.startswith("HER2: results disagree — IHC 1+ (HER2-low; 2025-03-02, Observation/ihc-2025) used; "
                            "ISH amplified (HER2-positive; 2021-05-01, Observation/ish-2021)")


def test_a_newer_amplified_ish_is_positive_and_the_older_low_score_is_named(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [
        marker("ihc-2021", HER2_IHC, "2021-05-01", valueString="1+"),
        marker("ihc-2025", HER2_IHC, "2025-03-02", valueString="2+"),
        marker("ish-2025", HER2_ISH, "2025-03-09", valueString="Amplified"),
    ])
    assert any(line.startswith("HER2: positive (ISH amplified; Observation/ish-2025")
               for line in section(card, "Read from the record"))
    (alert,) = section(card, "Check")
    assert "IHC 1+ (HER2-low; 2021-05-01, Observation/ihc-2021) is also in the record" in alert


def test_ihc_2_plus_and_its_reflex_ish_a_week_later_are_one_work_up(client: TestClient, auth: Auth) -> None:
    """The ISH result decides the IHC 2+ of the same work-up; that is not a disagreement."""
    card = facts_card(client, auth, [
        marker("ihc", HER2_IHC, "2025-03-02", valueString="2+"),
        marker("ish", HER2_ISH, "2025-03-09", valueString="Not amplified"),
    ])
    assert any(line.startswith("HER2: low (IHC 2+ and ISH not amplified") for line in section(card, "Read from "
                                                                                                   "the record"))
    assert section(card, "Check") == []
    assert card["indicator"] == "info"


def test_two_different_scores_in_the_same_week_are_named(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [
        marker("ihc-liver", HER2_IHC, "2025-03-03", valueString="0 with faint staining"),
        marker("ihc-bone", HER2_IHC, "2025-03-01", valueString="1+"),
    ])
    (alert,) = section(card, "Check")
    assert alert.startswith("HER2: results disagree — IHC 0 with faint staining (ultralow) (HER2-ultralow; "
                            "2025-03-03, Observation/ihc-liver) used; IHC 1+ (2025-03-01, Observation/ihc-bone)")


def test_her2_results_that_agree_raise_nothing(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [marker("a", HER2_IHC, "2021-05-01", valueString="3+"),
                                     marker("b", HER2_IHC, "2025-03-02", valueString="3+")])
    assert any(line.startswith("HER2: positive (IHC 3+; Observation/b") for line in section(card, "Read from the "
                                                                                                "record"))
    assert section(card, "Check") == []


# --- ER and PR ----------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [0, 1])
def test_er_positive_then_negative_uses_the_newest(client: TestClient, auth: Auth, order: int) -> None:
    old = marker("er-2021", ER, "2021-05-01", valueCodeableConcept=POSITIVE)
    new = marker("er-2025", ER, "2025-03-02", valueCodeableConcept=NEGATIVE)
    same_pr = [marker("pr-2021", PR, "2021-05-01", valueCodeableConcept=NEGATIVE),
               marker("pr-2025", PR, "2025-03-02", valueCodeableConcept=NEGATIVE)]
    card = facts_card(client, auth, [*both_orders(old, new)[order], *same_pr])
    read = section(card, "Read from the record")
    assert any(line.startswith("ER: negative (Observation/er-2025") and "newest of 2 results" in line for line in read)
    assert any(line.startswith("PR: negative (Observation/pr-2025") for line in read)
    assert section(card, "Check") == [
        "ER: results disagree — negative (2025-03-02, Observation/er-2025) used; positive (2021-05-01, "
        f"Observation/er-2021) is also in the record. {RECEPTORS_CAN_CHANGE}"]


@pytest.mark.parametrize("order", [0, 1])
def test_same_day_results_are_ordered_by_when_they_were_issued(client: TestClient, auth: Auth, order: int) -> None:
    first = marker("pr-first", PR, "2025-03-02", issued="2025-03-04T09:00:00Z", valueCodeableConcept=POSITIVE)
    revised = marker("pr-revised", PR, "2025-03-02", issued="2025-03-11T16:30:00Z", valueCodeableConcept=NEGATIVE)
    card = facts_card(client, auth, both_orders(first, revised)[order])
    assert any(line.startswith("PR: negative (Observation/pr-revised") for line in section(card, "Read from the "
                                                                                                "record"))
    (alert,) = section(card, "Check")
    assert alert.startswith("PR: results disagree — negative (2025-03-02, Observation/pr-revised) used; positive "
                            "(2025-03-02, Observation/pr-first) is also in the record.")


def test_an_undated_result_never_outranks_a_dated_one(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [marker("er-undated", ER, None, valueCodeableConcept=POSITIVE),
                                     marker("er-dated", ER, "2019-01-10", valueCodeableConcept=NEGATIVE)])
    assert any(line.startswith("ER: negative (Observation/er-dated") for line in section(card, "Read from the "
                                                                                              "record"))
    (alert,) = section(card, "Check")
    assert "positive (undated, Observation/er-undated) is also in the record" in alert


def test_an_unreadable_newer_result_does_not_hide_the_readable_one(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [marker("er-old", ER, "2021-05-01", valueCodeableConcept=POSITIVE),
                                     marker("er-new", ER, "2025-03-02", valueString="see report")])
    assert any(line.startswith("ER: positive (Observation/er-old") for line in section(card, "Read from the record"))
    assert any("Observation/er-new could not be read" in line for line in section(card, "Read but left out"))
    assert section(card, "Check") == []


# --- PD-L1 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("order", [0, 1])
def test_pdl1_newest_cps_is_used_and_the_older_named(client: TestClient, auth: Auth, order: int) -> None:
    old = marker("pdl1-2022", None, "2022-06-01", text="PD-L1 22C3 combined positive score", valueString="CPS 15")
    new = marker("pdl1-2025", None, "2025-03-02", text="PD-L1 22C3 combined positive score", valueString="CPS 2")
    card = facts_card(client, auth, both_orders(old, new)[order])
    assert any(line.startswith("PD-L1: negative (CPS 2;") for line in section(card, "Read from the record"))
    assert section(card, "Check") == [
        "PD-L1: results disagree — CPS 2, negative (2025-03-02, Observation/pdl1-2025) used; CPS 15, positive "
        "(2022-06-01, Observation/pdl1-2022) is also in the record. PD-L1 can differ between samples and over "
        "time; ask the team which result applies."]


# --- genomic variants ---------------------------------------------------------------------------

def test_a_change_found_then_not_found_later_is_kept_and_named(client: TestClient, auth: Auth) -> None:
    """A later test that finds no PIK3CA change does not erase one found before (a blood test can miss it);
    the card says the two disagree."""
    card = facts_card(client, auth, [], [variant("pik3ca-2022", "PIK3CA", "HGNC:8975", "2022-01-10", present=True),
                                         region_studied("panel-2025", "PIK3CA", "HGNC:8975", "2025-02-01")])
    assert any(line.startswith("PIK3CA: a change (mutation) was found (Observation/pik3ca-2022")
               for line in section(card, "Read from the record"))
    assert section(card, "Check") == [
        "PIK3CA: results disagree — a PIK3CA change was found (2022-01-10, Observation/pik3ca-2022) and is used; "
        "a later test found no change (2025-02-01, Observation/panel-2025). A test can miss a change that another "
        "test found (a blood test especially); ask the team which result applies."]


def test_an_inherited_brca_change_not_found_by_a_later_germline_test_is_named(client: TestClient,
                                                                              auth: Auth) -> None:
    germline = {"code": {"coding": [{"system": LOINC, "code": "48002-0"}]},
                "valueCodeableConcept": {"coding": [{"system": LOINC, "code": "LA6683-2", "display": "Germline"}]}}
    found = variant("brca1-2020", "BRCA1", "HGNC:1100", "2020-04-01", present=True)
    later = variant("brca1-2024", "BRCA1", "HGNC:1100", "2024-09-01", present=False)
    card = facts_card(client, auth, [], [{**r, "component": [*r["component"], germline]} for r in (found, later)])
    assert any(line.startswith("Inherited (germline) BRCA: a change was found (Observation/brca1-2020")
               for line in section(card, "Read from the record"))
    assert section(card, "Check") == [
        "Inherited (germline) BRCA: results disagree — a BRCA1 change was found (2020-04-01, "
        "Observation/brca1-2020) and is used; a later test found no change (2024-09-01, Observation/brca1-2024). "
        "An inherited result should not change; ask the team which result is right."]


def test_a_change_found_after_an_earlier_test_found_none_is_not_a_disagreement(client: TestClient,
                                                                                auth: Auth) -> None:
    """ESR1 changes usually appear during hormone therapy: none before, one later, is the expected course."""
    card = facts_card(client, auth, [], [variant("esr1-2023", "ESR1", "HGNC:3467", "2023-01-10", present=False),
                                         variant("esr1-2025", "ESR1", "HGNC:3467", "2025-02-01", present=True)])
    assert any(line.startswith("ESR1: a change (mutation) was found (Observation/esr1-2025")
               for line in section(card, "Read from the record"))
    assert section(card, "Check") == []


def test_a_variant_and_the_panel_of_the_same_report_do_not_disagree(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [], [variant("esr1", "ESR1", "HGNC:3467", "2025-02-01", present=True),
                                         region_studied("panel", "ESR1", "HGNC:3467", "2025-02-01")])
    assert section(card, "Check") == []


# --- what is not read ---------------------------------------------------------------------------

def test_the_facts_card_says_symptoms_are_not_read(client: TestClient, auth: Auth) -> None:
    card = facts_card(client, auth, [])
    assert any(line.startswith("Symptoms are not read from the record, so this guide checks no urgent warning signs")
               for line in section(card, "Not found in the record"))


def test_a_performance_status_in_the_record_is_named_as_not_used(client: TestClient, auth: Auth) -> None:
    ecog = marker("ecog", "89247-1", "2025-03-02", valueCodeableConcept={"coding": [
        {"system": LOINC, "code": "LA9623-5", "display": "Restricted in physically strenuous activity"}]})
    card = facts_card(client, auth, [ecog])
    assert any(line.startswith("Performance status (ECOG or Karnofsky) is in the record (Observation/ecog) but is "
                               "not used") for line in section(card, "Read but left out"))
