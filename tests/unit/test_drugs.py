from __future__ import annotations

import pytest

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
