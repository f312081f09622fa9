"""Generated profiles over the whole vocabulary, for the tests that must hold for every profile."""

from __future__ import annotations

from typing import Any, get_args

from hypothesis import strategies as st

from decision_aid import vocabulary as v
from decision_aid.knowledge_base import load_knowledge_base

_DRUG_NAMES = sorted(load_knowledge_base().drugs.accepted_names())


def _one_of(literal: Any) -> st.SearchStrategy[str]:
    return st.sampled_from(get_args(literal))


profiles: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries({}, optional={
    "audience": _one_of(v.Audience),
    "sex": _one_of(v.Sex),
    "menopausal_status": _one_of(v.MenopausalStatus),
    "presentation": _one_of(v.Presentation),
    "receptors": st.fixed_dictionaries({}, optional={
        "er": _one_of(v.ReceptorStatus), "pr": _one_of(v.ReceptorStatus), "her2": _one_of(v.Her2Status)}),
    "biomarkers": st.fixed_dictionaries({}, optional={
        **{gene: _one_of(v.GeneStatus) for gene in ("pik3ca", "esr1", "akt_pathway", "gbrca")},
        "pdl1": _one_of(v.Pdl1Status)}),
    "sites": st.lists(st.sampled_from(v.SITES), max_size=4),
    "symptoms": st.lists(st.sampled_from(v.SYMPTOMS), max_size=4),
    "concerns": st.lists(st.sampled_from(v.CONCERNS), max_size=4),
    "treatments": st.lists(st.fixed_dictionaries(
        {"drug": st.sampled_from(_DRUG_NAMES)},
        optional={"setting": _one_of(v.Setting), "outcome": _one_of(v.Outcome),
                  "months_since_end": st.integers(0, 60)}), max_size=4),
    "visit": _one_of(v.Visit),
})
