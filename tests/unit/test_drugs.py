from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from decision_aid.drugs import normalise
from decision_aid.errors import UnknownDrugError
from decision_aid.knowledge_base import KnowledgeBase


@pytest.mark.parametrize(
    ("name", "generic"),
    [("letrozole", "letrozole"), ("Femara", "letrozole"), ("IBRANCE", "palbociclib"), ("kisqali", "ribociclib"),
     ("T-DXd", "trastuzumab deruxtecan"), ("Enhertu", "trastuzumab deruxtecan"), ("Xgeva", "denosumab"),
     ("Phesgo", "trastuzumab"), ("  Verzenio ", "abemaciclib"), ("Faslodex", "fulvestrant")],
)
def test_generic_and_brand_names_resolve(kb: KnowledgeBase, name: str, generic: str) -> None:
    ref = kb.drugs.resolve(name)
    assert ref.kind == "drug"
    assert generic in ref.generics


@pytest.mark.parametrize(
    ("name", "cls"),
    [("aromatase_inhibitor", "aromatase_inhibitor"), ("Aromatase inhibitor", "aromatase_inhibitor"),
     ("cdk46_inhibitor", "cdk46_inhibitor"), ("CDK4/6 inhibitor", "cdk46_inhibitor"), ("chemotherapy", "chemotherapy")],
)
def test_classes_resolve_case_insensitively(kb: KnowledgeBase, name: str, cls: str) -> None:
    ref = kb.drugs.resolve(name)
    assert ref.kind == "class"
    assert ref.classes == {cls}


def test_brand_maps_to_its_class_and_groups(kb: KnowledgeBase) -> None:
    ref = kb.drugs.resolve("Ibrance")
    assert ref.classes == {"cdk46_inhibitor"}
    assert "targeted" in ref.groups
    assert ref.lowers_white_cells is True


def test_group_names_resolve_to_groups(kb: KnowledgeBase) -> None:
    ref = kb.drugs.resolve("hormone therapy")
    assert ref.kind == "group"
    assert ref.groups == {"endocrine"}


def test_unknown_drug_suggests_close_names(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownDrugError) as info:
        kb.drugs.resolve("Ibranse")
    assert "Ibrance" in info.value.suggestions


def test_unknown_drug_with_nothing_close_has_no_suggestion(kb: KnowledgeBase) -> None:
    with pytest.raises(UnknownDrugError) as info:
        kb.drugs.resolve("qqqqqqqq")
    assert info.value.suggestions == ()


def test_normalise_folds_separators_and_marks() -> None:
    assert normalise("Kisqali®  Femara-Co_Pack") == "kisqali femara co pack"


# --- "did you mean": only a name that is plausibly the same medicine ----------------------------

@pytest.mark.parametrize(("typed", "meant"), [
    ("letrazole", "letrozole"), ("latrozole", "letrozole"), ("letrozol", "letrozole"), ("anastrazol", "anastrozole"),
    ("ibranse", "Ibrance"), ("kisqaly", "Kisqali"), ("faslodx", "Faslodex"), ("herceptn", "Herceptin"),
    ("ondansetrone", "ondansetron"), ("ondansetrom", "ondansetron"), ("zofan", "Zofran"),
    ("trastuzumb", "trastuzumab"), ("trastuzimab", "trastuzumab"), ("pembrolizamab", "pembrolizumab"),
    ("denosumb", "denosumab"), ("abemaciclb", "abemaciclib"), ("ribocyclib", "ribociclib"), ("olaparip", "olaparib"),
    ("lapatanib", "lapatinib"), ("capecitibine", "capecitabine"), ("paclitaxol", "paclitaxel"),
    ("tamoxifin", "tamoxifen"), ("fulvestrent", "fulvestrant"), ("ibandronat", "ibandronate"),
    ("bondronatt", "Bondronat"), ("zoledronic acd", "zoledronic acid"), ("Zometta", "Zometa"),
    ("paracetamool", "paracetamol"), ("asprin", "aspirin"), ("Oramorf", "Oramorph"), ("apixiban", "apixaban"),
    ("rivaroxiban", "rivaroxaban"), ("clexan", "Clexane"), ("amoxicilin", "amoxicillin"), ("omeprazol", "omeprazole"),
    ("filgrastin", "filgrastim"), ("dexamethazone", "dexamethasone"), ("steriod", "steroid"),
    ("anthracyclin", "anthracycline"), ("palbociclib 125", "palbociclib"), ("ondansetron 8mg", "ondansetron"),
])
def test_a_misspelt_name_still_gets_its_medicine(kb: KnowledgeBase, typed: str, meant: str) -> None:
    assert kb.drugs.suggest(typed)[:1] == [meant]


@pytest.mark.parametrize(("typed", "never"), [
    # Another family's ending: an anti-sickness medicine is not a bone drug, nor another anti-sickness one.
    ("ondansetrom", {"Bondronat", "ibandronate", "granisetron"}),
    ("dolasetron", {"Bondronat", "ibandronate", "ondansetron", "granisetron", "palonosetron"}),
    ("tropisetron", {"Bondronat", "ondansetron", "granisetron"}),
    ("ondronasetron", {"Bondronat", "ibandronate"}),
    # Same ending, different medicine: the letters before the ending differ.
    ("bevacizumab", {"sacituzumab", "pembrolizumab", "trastuzumab", "denosumab", "atezolizumab"}),
    ("azithromycin", {"clarithromycin", "Adriamycin", "Vibramycin"}),
    ("niraparib", {"olaparib", "talazoparib"}),
    ("imatinib", {"lapatinib", "neratinib", "tucatinib"}),
    ("risedronate", {"ibandronate", "pamidronate", "clodronate"}),
    ("betrixaban", {"rivaroxaban", "apixaban", "edoxaban"}),
    ("rabeprazole", {"omeprazole", "lansoprazole", "esomeprazole", "pantoprazole"}),
    # An unknown name whose family has no medicine here, and a name lacking a suggestion's own ending.
    ("fluconazole", {"letrozole", "anastrozole"}),
    ("ceftriaxone", {"docetaxel"}),
])
def test_a_near_miss_of_another_medicine_is_not_offered(kb: KnowledgeBase, typed: str, never: set[str]) -> None:
    offered = set(kb.drugs.suggest(typed))
    assert not offered & never, offered


@pytest.mark.parametrize("typed", ["ramipril", "losartan", "atenolol", "atorvastatin", "montelukast", "sitagliptin",
                                   "dapagliflozin", "amlodipine", "diazepam", "fluoxetine", "dolasetron",
                                   "bevacizumab", "qqqqqqqq", "MTS", "xyz"])
def test_a_name_of_a_family_this_list_does_not_hold_gets_no_suggestion(kb: KnowledgeBase, typed: str) -> None:
    assert kb.drugs.suggest(typed) == []


def test_a_short_name_needs_to_be_closer(kb: KnowledgeBase) -> None:
    # Two letters in common out of three is close for a long name, not for a short one.
    assert kb.drugs.suggest("MTS") == [] and kb.drugs.suggest("PPL") == []
    assert kb.drugs.suggest("Emnd") == ["Emend"]


def test_the_unknown_drug_error_for_ondansetrom_offers_ondansetron_only(client: TestClient) -> None:
    response = client.post("/v1/guide", json={"treatments": [{"drug": "ondansetrom"}]})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["ctx"]["did_you_mean"] == ["ondansetron"]
    assert "Bondronat" not in detail["msg"]
