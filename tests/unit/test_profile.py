from __future__ import annotations

import pytest
from pydantic import ValidationError

from decision_aid.profile import Profile, parse_profile


def test_empty_profile_has_contract_defaults() -> None:
    profile = parse_profile({})
    assert profile.audience == "patient"
    assert profile.sex == "female"
    assert profile.menopausal_status == "unknown"
    assert profile.receptors.her2 == "unknown"
    assert profile.biomarkers.pdl1 == "not_tested"
    assert profile.treatments == []


@pytest.mark.parametrize(
    ("receptors", "hr", "subtype"),
    [
        ({"er": "positive", "her2": "negative"}, "positive", "hr_positive_her2_negative"),
        ({"er": "negative", "pr": "positive", "her2": "low"}, "positive", "hr_positive_her2_negative"),
        ({"er": "negative", "pr": "negative", "her2": "ultralow"}, "negative", "triple_negative"),
        ({"er": "negative", "pr": "negative", "her2": "negative"}, "negative", "triple_negative"),
        ({"er": "positive", "her2": "positive"}, "positive", "her2_positive"),
        ({"er": "negative", "her2": "negative"}, "unknown", "unknown"),
        ({"er": "positive"}, "positive", "unknown"),
        ({}, "unknown", "unknown"),
    ],
)
def test_derived_subtype(receptors: dict[str, str], hr: str, subtype: str) -> None:
    profile = parse_profile({"receptors": receptors})
    assert profile.hormone_receptors == hr
    assert profile.subtype == subtype


def test_profile_from_json_bytes() -> None:
    profile = parse_profile(b'{"sites": ["bone"], "treatments": [{"drug": "Femara", "setting": "early"}]}')
    assert profile.sites == ["bone"]
    assert profile.treatments[0].setting == "early"


@pytest.mark.parametrize(
    "data",
    [
        {"receptor": {}},
        {"receptors": {"her2": "postive"}},
        {"sites": ["bones"]},
        {"treatments": [{"drug": "not-a-drug-name"}]},
        {"treatments": [{"drug": ""}]},
        {"treatments": [{"drug": "letrozole", "months_since_end": -1}]},
        {"treatments": [{"drug": "letrozole", "months_since_end": "12"}]},
        {"symptoms": ["bone_pain"] * 41},
        {"treatments": [{"drug": "letrozole"}] * 51},
    ],
)
def test_invalid_profiles_are_refused(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        parse_profile(data)


def test_profile_is_frozen() -> None:
    profile = Profile()
    with pytest.raises(ValidationError):
        profile.sex = "male"  # type: ignore[misc]
