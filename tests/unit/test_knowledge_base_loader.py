"""The loader refuses a broken knowledge base with a message that shows the path to the bad value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from decision_aid.errors import KnowledgeBaseError
from decision_aid.knowledge_base import load_knowledge_base

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "rules_minimal"


@pytest.fixture()
def rules_dir(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINIMAL, target)
    return target


def _break(rules_dir: Path, old: str, new: str) -> None:
    path = rules_dir / "bone.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _report(rules_dir: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(rules_dir)
    return info.value.report()


def test_the_minimal_fixture_loads(rules_dir: Path) -> None:
    kb = load_knowledge_base(rules_dir)
    assert [r.id for r in kb.rules] == ["test-bone-medicines", "test-general"]


def test_unknown_source_id(rules_dir: Path) -> None:
    _break(rules_dir, "sources: [ASCO-BMA]", "sources: [ASCO-BMX]")
    assert _report(rules_dir) == (
        "Knowledge base is invalid:\n"
        "==> File rules/bone.yaml\n"
        "==> At Rule(id='test-bone-medicines')\n"
        "==> At key: sources\n"
        "==> At index 0\n"
        "=====> Unknown source id 'ASCO-BMX'. Did you mean 'ASCO-BMA'?"
    )


def test_misspelt_condition_value_fails_at_load(rules_dir: Path) -> None:
    _break(rules_dir, "when: {sites: [bone]}", "when: {her2: postive}")
    assert _report(rules_dir) == (
        "Knowledge base is invalid:\n"
        "==> File rules/bone.yaml\n"
        "==> At Rule(id='test-bone-medicines')\n"
        "==> At key: when\n"
        "==> At key: her2\n"
        "=====> Unknown value 'postive'. Accepted: positive, low, ultralow, negative, unknown. Did you mean 'positive'?"
    )


def test_unknown_condition_key(rules_dir: Path) -> None:
    _break(rules_dir, "when: {sites: [bone]}", "when: {site: [bone]}")
    report = _report(rules_dir)
    assert report.endswith("=====> Unknown condition 'site'. Accepted: " + report.split("Accepted: ")[1])
    assert "Did you mean 'sites'?" in report


def test_unknown_drug_class_in_a_treatment_match(rules_dir: Path) -> None:
    _break(rules_dir, "when: {sites: [bone]}", "when: {treatments: {any: {class: aromatase_inhibtor}}}")
    report = _report(rules_dir)
    assert "==> At key: treatments\n==> At key: any\n==> At key: class\n" in report
    assert "Did you mean 'aromatase_inhibitor'?" in report


def test_unknown_rule_field(rules_dir: Path) -> None:
    _break(rules_dir, "    clinician: Bone", "    clinican: Bone")
    report = _report(rules_dir)
    assert "==> At Rule(id='test-bone-medicines')\n==> At key: clinican\n" in report
    assert "Unknown field 'clinican'. Did you mean 'clinician'?" in report


def test_example_that_is_not_a_valid_profile(rules_dir: Path) -> None:
    _break(rules_dir, "triggers: [{sites: [bone]}]", "triggers: [{sites: [bones]}]")
    report = _report(rules_dir)
    assert "==> At key: examples\n==> At key: triggers\n==> At index 0\n" in report
    assert "This example is not a valid profile: sites.0:" in report


def test_invalid_yaml_names_the_file(rules_dir: Path) -> None:
    (rules_dir / "bone.yaml").write_text("topic: bone\nrules: [\n")
    report = _report(rules_dir)
    assert report.startswith("Knowledge base is invalid:\n==> File rules/bone.yaml\n=====> Not valid YAML:")


def test_unknown_topic(rules_dir: Path) -> None:
    _break(rules_dir, "topic: bone", "topic: bones")
    assert _report(rules_dir).endswith("Did you mean 'bone'?")


def test_missing_special_file(rules_dir: Path) -> None:
    (rules_dir / "sources.yaml").unlink()
    assert _report(rules_dir) == (
        "Knowledge base is invalid:\n==> File rules/sources.yaml\n"
        "=====> This file is missing; the knowledge base needs it."
    )


def test_duplicate_rule_id(rules_dir: Path) -> None:
    _break(rules_dir, "id: test-general", "id: test-bone-medicines")
    assert "Rule id 'test-bone-medicines' is already used in rules/bone.yaml." in _report(rules_dir)


def test_a_rule_needs_an_example_that_does_not_trigger(rules_dir: Path) -> None:
    _break(rules_dir, "does_not_trigger: [{audience: clinician}]", "does_not_trigger: []")
    assert "Every rule needs an example that does not trigger it" in _report(rules_dir)


def test_the_real_knowledge_base_is_valid() -> None:
    kb = load_knowledge_base()
    assert len(kb.rules) > 50
    assert kb.meta.version and kb.meta.reviewed_on


def _break_sources(rules_dir: Path, old: str, new: str) -> None:
    path = rules_dir / "sources.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_source_needs_a_label(rules_dir: Path) -> None:
    _break_sources(rules_dir, "  label: ASCO guideline on bone medicines, 2017\n", "")
    report = _report(rules_dir)
    assert "==> File rules/sources.yaml\n" in report
    assert "label" in report and "Field required" in report


def test_a_source_label_is_short(rules_dir: Path) -> None:
    long_label = "ASCO guideline on the role of bone-modifying agents in metastatic breast cancer, 2017"
    _break_sources(rules_dir, "label: ASCO guideline on bone medicines, 2017", f"label: {long_label}")
    report = _report(rules_dir)
    assert "label" in report and "at most 60 characters" in report


@pytest.mark.parametrize("url", ["http://www.nice.org.uk/guidance/ng234", "javascript:alert(1)",
                                 "https://", "https://www.nice.org.uk/a b", 'https://nice.org.uk/"x'])
def test_a_source_link_must_be_https(rules_dir: Path, url: str) -> None:
    _break_sources(rules_dir, "url: https://www.nice.org.uk/guidance/ng234", f"url: '{url}'")
    report = _report(rules_dir)
    assert "==> File rules/sources.yaml\n" in report and "url" in report


def test_a_source_label_and_link_reach_the_rule(rules_dir: Path) -> None:
    kb = load_knowledge_base(rules_dir)
    source = kb.by_id["test-bone-medicines"].sources[0]
    assert (source.id, source.label, source.url) == ("ASCO-BMA", "ASCO guideline on bone medicines, 2017", None)
    assert kb.sources["NICE-MSCC"].url == "https://www.nice.org.uk/guidance/ng234"
