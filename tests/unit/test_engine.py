from __future__ import annotations

from decision_aid.engine import SHOWN_TO_EVERYONE, build_guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile

HR_POSITIVE = {
    "menopausal_status": "post", "presentation": "recurrent",
    "receptors": {"er": "positive", "pr": "positive", "her2": "negative"},
    "sites": ["bone", "lung"],
    "biomarkers": {"pik3ca": "mutated", "esr1": "not_tested"},
    "treatments": [{"drug": "letrozole", "outcome": "progressed"}, {"drug": "Ibrance", "outcome": "progressed"}],
    "symptoms": ["bone_pain"], "concerns": ["side_effects", "clinical_trials"],
}


def test_the_guide_is_deterministic(kb: KnowledgeBase) -> None:
    first = build_guide(parse_profile(HR_POSITIVE), kb).model_dump_json()
    second = build_guide(parse_profile(HR_POSITIVE), kb).model_dump_json()
    assert first == second


def test_empty_profile_gives_general_points_and_a_disclaimer(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile({}), kb)
    assert guide.disclaimer
    assert guide.urgent == []
    topics = {p.topic for p in guide.points}
    assert {"about_metastatic_breast_cancer", "care_and_decisions"} <= topics
    assert guide.questions


def test_every_point_has_sources_and_why(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    for item in [*guide.urgent, *guide.points]:
        assert item.sources, item.id
        assert item.why, item.id
        assert all(s.citation for s in item.sources)


def test_why_names_profile_facts(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    whys = [line for p in guide.points for line in p.why]
    assert any("'Ibrance' (read as palbociclib" in line for line in whys)
    assert any(line.startswith("Cancer has spread to:") and "bones" in line for line in whys)
    assert SHOWN_TO_EVERYONE not in whys or any(w != SHOWN_TO_EVERYONE for w in whys)


def test_questions_are_deduplicated_and_come_from_the_points(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    assert len(guide.questions) == len(set(guide.questions))
    from_points = {q for p in guide.points for q in p.questions}
    assert set(guide.questions) == from_points


def test_points_of_the_same_kind_and_relevance_follow_topic_order(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    groups: dict[tuple[bool, str], list[int]] = {}
    for point in guide.points:
        if point.kind == "option" or not kb.by_id[point.id].concern_tests:
            groups.setdefault((point.personal, point.kind), []).append(kb.meta.topics.index(point.topic))
    assert groups and all(order == sorted(order) for order in groups.values())


def test_clinician_audience_gets_clinician_text_and_disclaimer(kb: KnowledgeBase) -> None:
    patient = build_guide(parse_profile({**HR_POSITIVE, "audience": "patient"}), kb)
    clinician = build_guide(parse_profile({**HR_POSITIVE, "audience": "clinician"}), kb)
    assert patient.disclaimer == kb.meta.disclaimer.patient
    assert clinician.disclaimer == kb.meta.disclaimer.clinician
    common = {p.id for p in clinician.points} & {p.id for p in patient.points}
    assert common
    for point_id in common:
        rule = kb.by_id[point_id]
        assert next(p.text for p in clinician.points if p.id == point_id) == rule.clinician
        assert next(p.text for p in patient.points if p.id == point_id) == rule.patient


def test_glossary_holds_only_terms_the_points_use(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    used = {t for p in guide.points for t in kb.by_id[p.id].glossary} | {
        t for u in guide.urgent for t in kb.by_id[u.id].glossary}
    assert {g.term for g in guide.glossary} == used


def test_each_source_in_the_guide_has_its_label_link_and_citation(kb: KnowledgeBase) -> None:
    guide = build_guide(parse_profile(HR_POSITIVE), kb)
    refs = [s for item in [*guide.urgent, *guide.points] for s in item.sources]
    assert refs
    for ref in refs:
        source = kb.sources[ref.id]
        assert (ref.label, ref.url, ref.citation) == (source.label, source.url, source.citation)
    assert any(ref.url for ref in refs)
