"""The knowledge base covers every treatment description in the seed and the current options in the
clinical reference. Each case is a profile and the words a clinician's guide for it must contain."""

from __future__ import annotations

from typing import Any

import pytest

from decision_aid.engine import build_guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile

HR_POS = {"er": "positive", "pr": "positive", "her2": "negative"}
TNBC = {"er": "negative", "pr": "negative", "her2": "negative"}
HER2_POS = {"er": "negative", "pr": "negative", "her2": "positive"}
AI_PROGRESSED = [{"drug": "letrozole", "setting": "metastatic", "outcome": "progressed"}]

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("multidisciplinary team, preferences, aims", {}, ["team", "cure"]),
    ("treatment depends on site, receptors and earlier treatment", {}, ["earlier treatment"]),
    ("kinds of systemic treatment", {}, ["chemotherapy", "hormone", "targeted", "immunotherapy"]),
    ("first line hormone therapy with a CDK4/6 inhibitor", {"receptors": HR_POS, "menopausal_status": "post"},
     ["cdk4/6", "palbociclib", "ribociclib", "abemaciclib", "fulvestrant"]),
    ("after letrozole: exemestane with everolimus, fulvestrant",
     {"receptors": HR_POS, "menopausal_status": "post", "treatments": AI_PROGRESSED},
     ["exemestane", "everolimus", "fulvestrant"]),
    ("PIK3CA with growth on an AI: alpelisib, capivasertib",
     {"receptors": HR_POS, "biomarkers": {"pik3ca": "mutated"}, "treatments": AI_PROGRESSED},
     ["alpelisib", "capivasertib"]),
    ("endocrine-resistant relapse with PIK3CA: inavolisib",
     {"receptors": HR_POS, "biomarkers": {"pik3ca": "mutated"},
      "treatments": [{"drug": "anastrozole", "setting": "early", "months_since_end": 4}]},
     ["inavolisib", "12 months"]),
    ("AKT pathway: capivasertib",
     {"receptors": HR_POS, "biomarkers": {"akt_pathway": "mutated"}, "treatments": AI_PROGRESSED}, ["capivasertib"]),
    ("ESR1: oral SERDs, camizestrant under review",
     {"receptors": HR_POS, "biomarkers": {"esr1": "mutated"}, "treatments": AI_PROGRESSED},
     ["elacestrant", "imlunestrant", "vepdegestrant", "camizestrant"]),
    ("testing at progression on hormone therapy",
     {"receptors": HR_POS, "treatments": AI_PROGRESSED}, ["esr1", "ctdna"]),
    ("no longer responding to hormone drugs: chemotherapy",
     {"receptors": HR_POS, "treatments": [*AI_PROGRESSED, {"drug": "fulvestrant", "outcome": "progressed"}]},
     ["chemotherapy"]),
    ("after hormone therapy and chemotherapy: TROP2 ADCs",
     {"receptors": HR_POS, "treatments": [*AI_PROGRESSED, {"drug": "capecitabine", "outcome": "progressed"}]},
     ["sacituzumab", "datopotamab"]),
    ("HER2-low after hormone therapy: trastuzumab deruxtecan",
     {"receptors": {"er": "positive", "her2": "low"}, "treatments": AI_PROGRESSED}, ["trastuzumab deruxtecan"]),
    ("ovarian function suppression before menopause",
     {"receptors": HR_POS, "menopausal_status": "pre"}, ["ovarian", "goserelin"]),
    ("men: an aromatase inhibitor with a GnRH agonist", {"receptors": HR_POS, "sex": "male"}, ["gnrh"]),
    ("germline BRCA: PARP inhibitors",
     {"receptors": TNBC, "biomarkers": {"gbrca": "mutated"}}, ["olaparib", "talazoparib"]),
    ("genetic testing", {"receptors": TNBC}, ["brca"]),
    ("HER2-positive first line", {"receptors": HER2_POS}, ["pertuzumab", "trastuzumab", "taxane"]),
    ("HER2-positive later lines",
     {"receptors": HER2_POS, "treatments": [{"drug": "Phesgo", "outcome": "progressed"},
                                            {"drug": "Enhertu", "outcome": "progressed"}]},
     ["tucatinib", "trastuzumab emtansine"]),
    ("HER2-positive with brain metastases: tucatinib", {"receptors": HER2_POS, "sites": ["brain"]}, ["tucatinib"]),
    ("triple negative, PD-L1 positive: pembrolizumab",
     {"receptors": TNBC, "biomarkers": {"pdl1": "positive"}}, ["pembrolizumab"]),
    ("triple negative: TROP2 ADCs", {"receptors": TNBC, "biomarkers": {"pdl1": "negative"}},
     ["sacituzumab", "datopotamab"]),
    ("re-biopsy when receptors are unknown", {}, ["biopsy"]),
    ("bone: radiotherapy, bisphosphonates, denosumab, dental check", {"sites": ["bone"]},
     ["radiotherapy", "pamidronate", "zoledronic acid", "denosumab", "dental"]),
    ("brain: local treatments", {"sites": ["brain"]}, ["radiosurgery"]),
    ("pleura: drainage", {"sites": ["pleura"]}, ["pleurodesis"]),
    ("liver", {"sites": ["liver"]}, ["liver"]),
    ("lungs", {"sites": ["lung"]}, ["lung"]),
    ("de novo: watching the breast tumour", {"presentation": "de_novo"}, ["mammogra", "ultrasound"]),
    ("recurrence after earlier breast cancer", {"presentation": "recurrent"}, ["earlier"]),
    ("monitoring with scans", {"treatments": AI_PROGRESSED}, ["scan"]),
    ("tumour DNA sequencing", {"concerns": ["genomic_testing"]}, ["dna"]),
    ("clinical trials", {"concerns": ["clinical_trials"]}, ["trial"]),
    ("treatment breaks", {"concerns": ["treatment_break"]}, ["break"]),
    ("stopping treatment", {"concerns": ["stopping_treatment"]}, ["stop"]),
    ("complementary therapies", {"concerns": ["complementary_therapies"]}, ["vitamin", "herb"]),
    ("emotional support", {"concerns": ["emotional_support"]}, ["support"]),
    ("prognosis questions", {"concerns": ["prognosis"]}, ["average"]),
    ("quality of life", {"concerns": ["quality_of_life"]}, ["quality of life"]),
    ("staging: TNM", {"concerns": ["staging"]}, ["tnm"]),
    ("chemotherapy benefit as questions", {"treatments": [{"drug": "paclitaxel", "outcome": "ongoing"}]},
     ["benefit"]),
]


@pytest.mark.parametrize(("topic", "profile", "words"), CASES, ids=[c[0] for c in CASES])
def test_coverage(kb: KnowledgeBase, topic: str, profile: dict[str, Any], words: list[str]) -> None:
    texts = []
    for audience in ("clinician", "patient"):
        guide = build_guide(parse_profile({**profile, "audience": audience}), kb)
        texts += [f"{p.title} {p.text} {' '.join(p.questions)}" for p in guide.points]
    text = " ".join(texts).lower()
    missing = [w for w in words if w not in text]
    assert not missing, f"{topic}: the guides for this profile lack {missing}"
