"""Every treatment name the clinical reference and the seed use must be accepted, and read as the right thing.

The list below is written out by hand from the clinical reference (§3–§7, §15, §16, §18) and the
seed document, with the spellings clinicians type (T-DXd, nab-paclitaxel, "CDK4/6 inhibitors").
It is data for the test, not read from rules/drugs.yaml, so a name dropped from the vocabulary fails.

Each name is posted to ``/v1/guide`` through the real app, as written, in upper case and in lower
case; the guide's ``why`` lines say what the name was read as ("'Ibrance' (read as palbociclib,
CDK4/6 inhibitor)"), and that is checked against the expected generic name and classes.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from decision_aid.fhir.medications import DrugNames
from decision_aid.knowledge_base import KnowledgeBase

# (name, expected generic, expected classes)
DRUGS: list[tuple[str, str, set[str]]] = [
    # aromatase inhibitors
    ("letrozole", "letrozole", {"aromatase_inhibitor"}),
    ("Femara", "letrozole", {"aromatase_inhibitor"}),
    ("anastrozole", "anastrozole", {"aromatase_inhibitor"}),
    ("Arimidex", "anastrozole", {"aromatase_inhibitor"}),
    ("exemestane", "exemestane", {"aromatase_inhibitor"}),
    ("Aromasin", "exemestane", {"aromatase_inhibitor"}),
    # SERMs
    ("tamoxifen", "tamoxifen", {"serm"}),
    ("Nolvadex", "tamoxifen", {"serm"}),
    ("Soltamox", "tamoxifen", {"serm"}),
    ("toremifene", "toremifene", {"serm"}),
    ("Fareston", "toremifene", {"serm"}),
    # SERD by injection and oral ER degraders
    ("fulvestrant", "fulvestrant", {"serd"}),
    ("Faslodex", "fulvestrant", {"serd"}),
    ("elacestrant", "elacestrant", {"oral_serd"}),
    ("Orserdu", "elacestrant", {"oral_serd"}),
    ("imlunestrant", "imlunestrant", {"oral_serd"}),
    ("Inluriyo", "imlunestrant", {"oral_serd"}),
    ("vepdegestrant", "vepdegestrant", {"oral_serd"}),
    ("Veppanu", "vepdegestrant", {"oral_serd"}),
    ("camizestrant", "camizestrant", {"oral_serd"}),
    ("Etcamah", "camizestrant", {"oral_serd"}),
    ("giredestrant", "giredestrant", {"oral_serd"}),
    # CDK4/6 inhibitors
    ("palbociclib", "palbociclib", {"cdk46_inhibitor"}),
    ("Ibrance", "palbociclib", {"cdk46_inhibitor"}),
    ("ribociclib", "ribociclib", {"cdk46_inhibitor"}),
    ("Kisqali", "ribociclib", {"cdk46_inhibitor"}),
    ("Kisqali Femara Co-Pack", "ribociclib and letrozole", {"cdk46_inhibitor", "aromatase_inhibitor"}),
    ("abemaciclib", "abemaciclib", {"cdk46_inhibitor"}),
    ("Verzenio", "abemaciclib", {"cdk46_inhibitor"}),
    ("Verzenios", "abemaciclib", {"cdk46_inhibitor"}),
    # mTOR, PI3K, AKT
    ("everolimus", "everolimus", {"mtor_inhibitor"}),
    ("Afinitor", "everolimus", {"mtor_inhibitor"}),
    ("alpelisib", "alpelisib", {"pi3k_inhibitor"}),
    ("Piqray", "alpelisib", {"pi3k_inhibitor"}),
    ("inavolisib", "inavolisib", {"pi3k_inhibitor"}),
    ("Itovebi", "inavolisib", {"pi3k_inhibitor"}),
    ("capivasertib", "capivasertib", {"akt_inhibitor"}),
    ("Truqap", "capivasertib", {"akt_inhibitor"}),
    ("gedatolisib", "gedatolisib", {"pi3k_inhibitor", "mtor_inhibitor"}),
    # ovarian function suppression and other hormone therapy
    ("goserelin", "goserelin", {"gnrh_agonist"}),
    ("Zoladex", "goserelin", {"gnrh_agonist"}),
    ("leuprolide", "leuprolide", {"gnrh_agonist"}),
    ("leuprorelin", "leuprolide", {"gnrh_agonist"}),
    ("Lupron", "leuprolide", {"gnrh_agonist"}),
    ("Lupron Depot", "leuprolide", {"gnrh_agonist"}),
    ("Eligard", "leuprolide", {"gnrh_agonist"}),
    ("Prostap", "leuprolide", {"gnrh_agonist"}),
    ("triptorelin", "triptorelin", {"gnrh_agonist"}),
    ("Trelstar", "triptorelin", {"gnrh_agonist"}),
    ("Decapeptyl", "triptorelin", {"gnrh_agonist"}),
    ("degarelix", "degarelix", {"gnrh_antagonist"}),
    ("Firmagon", "degarelix", {"gnrh_antagonist"}),
    ("megestrol acetate", "megestrol acetate", {"hormone_therapy_other"}),
    ("megestrol", "megestrol acetate", {"hormone_therapy_other"}),
    ("Megace", "megestrol acetate", {"hormone_therapy_other"}),
    ("high-dose oestrogen", "high-dose oestrogen", {"hormone_therapy_other"}),
    ("high-dose estrogen", "high-dose oestrogen", {"hormone_therapy_other"}),
    # HER2 antibodies
    ("trastuzumab", "trastuzumab", {"her2_antibody"}),
    ("Herceptin", "trastuzumab", {"her2_antibody"}),
    ("Herceptin Hylecta", "trastuzumab", {"her2_antibody"}),
    ("trastuzumab and hyaluronidase", "trastuzumab", {"her2_antibody"}),
    ("Ogivri", "trastuzumab", {"her2_antibody"}),
    ("Kanjinti", "trastuzumab", {"her2_antibody"}),
    ("Trazimera", "trastuzumab", {"her2_antibody"}),
    ("Herzuma", "trastuzumab", {"her2_antibody"}),
    ("Ontruzant", "trastuzumab", {"her2_antibody"}),
    ("trastuzumab-dkst", "trastuzumab", {"her2_antibody"}),  # a biosimilar's US name, suffix and all
    ("pertuzumab", "pertuzumab", {"her2_antibody"}),
    ("Perjeta", "pertuzumab", {"her2_antibody"}),
    ("Phesgo", "pertuzumab, trastuzumab and hyaluronidase", {"her2_antibody"}),
    ("pertuzumab, trastuzumab, and hyaluronidase", "pertuzumab, trastuzumab and hyaluronidase", {"her2_antibody"}),
    ("pertuzumab, trastuzumab, and hyaluronidase-zzxf", "pertuzumab, trastuzumab and hyaluronidase",
     {"her2_antibody"}),
    ("margetuximab", "margetuximab", {"her2_antibody"}),
    ("Margenza", "margetuximab", {"her2_antibody"}),
    # HER2 ADCs
    ("ado-trastuzumab emtansine", "ado-trastuzumab emtansine", {"her2_adc"}),
    ("trastuzumab emtansine", "ado-trastuzumab emtansine", {"her2_adc"}),
    ("T-DM1", "ado-trastuzumab emtansine", {"her2_adc"}),
    ("TDM1", "ado-trastuzumab emtansine", {"her2_adc"}),
    ("Kadcyla", "ado-trastuzumab emtansine", {"her2_adc"}),
    ("trastuzumab deruxtecan", "trastuzumab deruxtecan", {"her2_adc"}),
    ("fam-trastuzumab deruxtecan", "trastuzumab deruxtecan", {"her2_adc"}),
    ("fam-trastuzumab deruxtecan-nxki", "trastuzumab deruxtecan", {"her2_adc"}),
    ("T-DXd", "trastuzumab deruxtecan", {"her2_adc"}),
    ("TDXd", "trastuzumab deruxtecan", {"her2_adc"}),
    ("T DXd", "trastuzumab deruxtecan", {"her2_adc"}),
    ("Enhertu", "trastuzumab deruxtecan", {"her2_adc"}),
    # HER2 TKIs
    ("tucatinib", "tucatinib", {"her2_tki"}),
    ("Tukysa", "tucatinib", {"her2_tki"}),
    ("neratinib", "neratinib", {"her2_tki"}),
    ("Nerlynx", "neratinib", {"her2_tki"}),
    ("lapatinib", "lapatinib", {"her2_tki"}),
    ("Tykerb", "lapatinib", {"her2_tki"}),
    ("Tyverb", "lapatinib", {"her2_tki"}),
    # PARP inhibitors
    ("olaparib", "olaparib", {"parp_inhibitor"}),
    ("Lynparza", "olaparib", {"parp_inhibitor"}),
    ("talazoparib", "talazoparib", {"parp_inhibitor"}),
    ("Talzenna", "talazoparib", {"parp_inhibitor"}),
    # immune checkpoint inhibitors
    ("pembrolizumab", "pembrolizumab", {"immunotherapy"}),
    ("Keytruda", "pembrolizumab", {"immunotherapy"}),
    ("Keytruda Qlex", "pembrolizumab", {"immunotherapy"}),
    ("atezolizumab", "atezolizumab", {"immunotherapy"}),
    ("Tecentriq", "atezolizumab", {"immunotherapy"}),
    ("dostarlimab", "dostarlimab", {"immunotherapy"}),
    ("Jemperli", "dostarlimab", {"immunotherapy"}),
    # TROP2 ADCs
    ("sacituzumab govitecan", "sacituzumab govitecan", {"trop2_adc"}),
    ("sacituzumab govitecan-hziy", "sacituzumab govitecan", {"trop2_adc"}),
    ("sacituzumab", "sacituzumab govitecan", {"trop2_adc"}),
    ("Trodelvy", "sacituzumab govitecan", {"trop2_adc"}),
    ("datopotamab deruxtecan", "datopotamab deruxtecan", {"trop2_adc"}),
    ("datopotamab deruxtecan-dlnk", "datopotamab deruxtecan", {"trop2_adc"}),
    ("Dato-DXd", "datopotamab deruxtecan", {"trop2_adc"}),
    ("Datroway", "datopotamab deruxtecan", {"trop2_adc"}),
    # chemotherapy
    ("capecitabine", "capecitabine", {"chemotherapy"}),
    ("Xeloda", "capecitabine", {"chemotherapy"}),
    ("eribulin", "eribulin", {"chemotherapy"}),
    ("Halaven", "eribulin", {"chemotherapy"}),
    ("nab-paclitaxel", "nab-paclitaxel", {"chemotherapy"}),
    ("nab paclitaxel", "nab-paclitaxel", {"chemotherapy"}),
    ("albumin-bound paclitaxel", "nab-paclitaxel", {"chemotherapy"}),
    ("paclitaxel protein-bound", "nab-paclitaxel", {"chemotherapy"}),
    ("Abraxane", "nab-paclitaxel", {"chemotherapy"}),
    ("paclitaxel", "paclitaxel", {"chemotherapy"}),
    ("Taxol", "paclitaxel", {"chemotherapy"}),
    ("docetaxel", "docetaxel", {"chemotherapy"}),
    ("Taxotere", "docetaxel", {"chemotherapy"}),
    ("vinorelbine", "vinorelbine", {"chemotherapy"}),
    ("Navelbine", "vinorelbine", {"chemotherapy"}),
    ("gemcitabine", "gemcitabine", {"chemotherapy"}),
    ("Gemzar", "gemcitabine", {"chemotherapy"}),
    ("carboplatin", "carboplatin", {"chemotherapy"}),
    ("Paraplatin", "carboplatin", {"chemotherapy"}),
    ("cisplatin", "cisplatin", {"chemotherapy"}),
    ("Platinol", "cisplatin", {"chemotherapy"}),
    ("doxorubicin", "doxorubicin", {"chemotherapy"}),
    ("Adriamycin", "doxorubicin", {"chemotherapy"}),
    ("pegylated liposomal doxorubicin", "pegylated liposomal doxorubicin", {"chemotherapy"}),
    ("liposomal doxorubicin", "pegylated liposomal doxorubicin", {"chemotherapy"}),
    ("Doxil", "pegylated liposomal doxorubicin", {"chemotherapy"}),
    ("Caelyx", "pegylated liposomal doxorubicin", {"chemotherapy"}),
    ("epirubicin", "epirubicin", {"chemotherapy"}),
    ("Ellence", "epirubicin", {"chemotherapy"}),
    ("Pharmorubicin", "epirubicin", {"chemotherapy"}),
    ("cyclophosphamide", "cyclophosphamide", {"chemotherapy"}),
    ("Cytoxan", "cyclophosphamide", {"chemotherapy"}),
    ("ixabepilone", "ixabepilone", {"chemotherapy"}),
    ("Ixempra", "ixabepilone", {"chemotherapy"}),
    # bone-strengthening medicines
    ("zoledronic acid", "zoledronic acid", {"bone_modifying_agent"}),
    ("zoledronate", "zoledronic acid", {"bone_modifying_agent"}),
    ("Zometa", "zoledronic acid", {"bone_modifying_agent"}),
    ("Reclast", "zoledronic acid", {"bone_modifying_agent"}),
    ("Aclasta", "zoledronic acid", {"bone_modifying_agent"}),
    ("pamidronate", "pamidronate", {"bone_modifying_agent"}),
    ("Aredia", "pamidronate", {"bone_modifying_agent"}),
    ("ibandronate", "ibandronate", {"bone_modifying_agent"}),
    ("Bondronat", "ibandronate", {"bone_modifying_agent"}),
    ("Boniva", "ibandronate", {"bone_modifying_agent"}),
    ("clodronate", "clodronate", {"bone_modifying_agent"}),
    ("Bonefos", "clodronate", {"bone_modifying_agent"}),
    ("Clasteon", "clodronate", {"bone_modifying_agent"}),
    ("denosumab", "denosumab", {"bone_modifying_agent"}),
    ("Xgeva", "denosumab", {"bone_modifying_agent"}),
    ("Wyost", "denosumab", {"bone_modifying_agent"}),
    ("denosumab-bbdz", "denosumab", {"bone_modifying_agent"}),
    ("Osenvelt", "denosumab", {"bone_modifying_agent"}),
    ("Xbryk", "denosumab", {"bone_modifying_agent"}),
    ("Bomyntra", "denosumab", {"bone_modifying_agent"}),
    ("Prolia", "denosumab", {"bone_modifying_agent"}),
    ("Jubbonti", "denosumab", {"bone_modifying_agent"}),
    ("Osvyrti", "denosumab", {"bone_modifying_agent"}),
    ("Obodence", "denosumab", {"bone_modifying_agent"}),
    ("Stoboclo", "denosumab", {"bone_modifying_agent"}),
]

_SICKNESS, _PAIN, _NERVE, _STEROID = ("an anti-sickness medicine", "a pain reliever",
                                      "a medicine often used for nerve pain", "a steroid")
_THINNER, _ANTIBIOTIC, _VITAMIN, _LAXATIVE = "a blood thinner", "an antibiotic", "a vitamin or supplement", "a laxative"
_DIARRHOEA, _ACID = "an anti-diarrhoea medicine", "a medicine that lowers stomach acid"
_WHITE_CELLS = "a medicine that helps the body make white blood cells"

# Medicines that are not cancer treatments, by generic, brand (UK and US) and common alias:
# (name, expected generic, the class in plain words). They change no point; the guide names each in a notice.
SUPPORTIVE: list[tuple[str, str, str]] = [
    ("ondansetron", "ondansetron", _SICKNESS), ("Zofran", "ondansetron", _SICKNESS),
    ("granisetron", "granisetron", _SICKNESS), ("Kytril", "granisetron", _SICKNESS),
    ("aprepitant", "aprepitant", _SICKNESS), ("Emend", "aprepitant", _SICKNESS),
    ("metoclopramide", "metoclopramide", _SICKNESS), ("Maxolon", "metoclopramide", _SICKNESS),
    ("Reglan", "metoclopramide", _SICKNESS), ("domperidone", "domperidone", _SICKNESS),
    ("prochlorperazine", "prochlorperazine", _SICKNESS), ("Stemetil", "prochlorperazine", _SICKNESS),
    ("cyclizine", "cyclizine", _SICKNESS), ("levomepromazine", "levomepromazine", _SICKNESS),
    ("paracetamol", "paracetamol", _PAIN), ("acetaminophen", "paracetamol", _PAIN), ("Tylenol", "paracetamol", _PAIN),
    ("Panadol", "paracetamol", _PAIN), ("Calpol", "paracetamol", _PAIN),
    ("ibuprofen", "ibuprofen", _PAIN), ("Advil", "ibuprofen", _PAIN), ("Nurofen", "ibuprofen", _PAIN),
    ("Motrin", "ibuprofen", _PAIN), ("naproxen", "naproxen", _PAIN), ("codeine", "codeine", _PAIN),
    ("co-codamol", "co-codamol", _PAIN), ("tramadol", "tramadol", _PAIN),
    ("morphine", "morphine", _PAIN), ("Oramorph", "morphine", _PAIN), ("MST", "morphine", _PAIN),
    ("Zomorph", "morphine", _PAIN), ("oxycodone", "oxycodone", _PAIN), ("OxyContin", "oxycodone", _PAIN),
    ("OxyNorm", "oxycodone", _PAIN), ("fentanyl", "fentanyl", _PAIN), ("fentanyl patch", "fentanyl", _PAIN),
    ("Durogesic", "fentanyl", _PAIN),
    ("gabapentin", "gabapentin", _NERVE), ("pregabalin", "pregabalin", _NERVE), ("Lyrica", "pregabalin", _NERVE),
    ("dexamethasone", "dexamethasone", _STEROID), ("Decadron", "dexamethasone", _STEROID),
    ("dexamethasone mouthwash", "dexamethasone", _STEROID), ("prednisolone", "prednisolone", _STEROID),
    ("prednisone", "prednisone", _STEROID), ("methylprednisolone", "methylprednisolone", _STEROID),
    ("hydrocortisone", "hydrocortisone", _STEROID),
    ("apixaban", "apixaban", _THINNER), ("Eliquis", "apixaban", _THINNER),
    ("rivaroxaban", "rivaroxaban", _THINNER), ("Xarelto", "rivaroxaban", _THINNER),
    ("edoxaban", "edoxaban", _THINNER), ("dabigatran", "dabigatran", _THINNER),
    ("enoxaparin", "enoxaparin", _THINNER), ("Clexane", "enoxaparin", _THINNER), ("Lovenox", "enoxaparin", _THINNER),
    ("dalteparin", "dalteparin", _THINNER), ("Fragmin", "dalteparin", _THINNER), ("tinzaparin", "tinzaparin", _THINNER),
    ("warfarin", "warfarin", _THINNER), ("heparin", "heparin", _THINNER),
    ("aspirin", "aspirin", f"{_PAIN} and {_THINNER}"),
    ("amoxicillin", "amoxicillin", _ANTIBIOTIC), ("co-amoxiclav", "co-amoxiclav", _ANTIBIOTIC),
    ("Augmentin", "co-amoxiclav", _ANTIBIOTIC), ("ciprofloxacin", "ciprofloxacin", _ANTIBIOTIC),
    ("levofloxacin", "levofloxacin", _ANTIBIOTIC), ("doxycycline", "doxycycline", _ANTIBIOTIC),
    ("clarithromycin", "clarithromycin", _ANTIBIOTIC), ("trimethoprim", "trimethoprim", _ANTIBIOTIC),
    ("nitrofurantoin", "nitrofurantoin", _ANTIBIOTIC), ("cefalexin", "cefalexin", _ANTIBIOTIC),
    ("cephalexin", "cefalexin", _ANTIBIOTIC), ("piperacillin-tazobactam", "piperacillin and tazobactam", _ANTIBIOTIC),
    ("Tazocin", "piperacillin and tazobactam", _ANTIBIOTIC),
    ("vitamin D", "colecalciferol", _VITAMIN), ("colecalciferol", "colecalciferol", _VITAMIN),
    ("Adcal-D3", "calcium and vitamin D", _VITAMIN), ("Calcichew", "calcium carbonate", _VITAMIN),
    ("calcium", "calcium", _VITAMIN), ("folic acid", "folic acid", _VITAMIN), ("vitamin B12", "vitamin B12", _VITAMIN),
    ("iron", "iron", _VITAMIN), ("ferrous sulfate", "ferrous sulfate", _VITAMIN),
    ("multivitamin", "multivitamin", _VITAMIN),
    ("senna", "senna", _LAXATIVE), ("lactulose", "lactulose", _LAXATIVE), ("macrogol", "macrogol", _LAXATIVE),
    ("Movicol", "macrogol", _LAXATIVE), ("Laxido", "macrogol", _LAXATIVE), ("docusate", "docusate", _LAXATIVE),
    ("loperamide", "loperamide", _DIARRHOEA), ("Imodium", "loperamide", _DIARRHOEA),
    ("omeprazole", "omeprazole", _ACID), ("lansoprazole", "lansoprazole", _ACID),
    ("filgrastim", "filgrastim", _WHITE_CELLS), ("pegfilgrastim", "pegfilgrastim", _WHITE_CELLS),
    ("Neulasta", "pegfilgrastim", _WHITE_CELLS),
]

# Class names of such medicines: (name, the class in plain words).
SUPPORTIVE_CLASSES: list[tuple[str, str]] = [
    ("steroid", _STEROID), ("steroids", _STEROID), ("corticosteroid", _STEROID), ("corticosteroids", _STEROID),
    ("anti-sickness medicine", _SICKNESS), ("antiemetics", _SICKNESS), ("painkiller", _PAIN), ("painkillers", _PAIN),
    ("blood thinners", _THINNER), ("anticoagulant", _THINNER), ("antibiotics", _ANTIBIOTIC),
    ("laxatives", _LAXATIVE), ("G-CSF", _WHITE_CELLS),
]

# Names that stand for a class of medicines: (name, expected class key)
CLASSES: list[tuple[str, str]] = [
    ("aromatase inhibitor", "aromatase_inhibitor"),
    ("aromatase inhibitors", "aromatase_inhibitor"),
    ("aromatase_inhibitor", "aromatase_inhibitor"),
    ("AI", "aromatase_inhibitor"),
    ("non-steroidal aromatase inhibitor", "aromatase_inhibitor"),
    ("steroidal aromatase inhibitor", "aromatase_inhibitor"),
    ("SERM", "serm"),
    ("selective estrogen receptor modulator", "serm"),
    ("selective oestrogen receptor modulator", "serm"),
    ("SERD", "serd"),
    ("selective estrogen receptor degrader", "serd"),
    ("selective oestrogen receptor degrader", "serd"),
    ("oral SERD", "oral_serd"),
    ("oral SERDs", "oral_serd"),
    ("oral selective estrogen receptor degrader", "oral_serd"),
    ("oral oestrogen receptor degrader", "oral_serd"),
    ("oral ER degrader", "oral_serd"),
    ("GnRH agonist", "gnrh_agonist"),
    ("LHRH agonist", "gnrh_agonist"),
    ("GnRH (LHRH) agonist", "gnrh_agonist"),
    ("ovarian function suppression", "gnrh_agonist"),
    ("OFS", "gnrh_agonist"),
    ("GnRH antagonist", "gnrh_antagonist"),
    ("progestin", "hormone_therapy_other"),
    ("CDK4/6 inhibitor", "cdk46_inhibitor"),
    ("CDK4/6 inhibitors", "cdk46_inhibitor"),
    ("CDK 4/6 inhibitor", "cdk46_inhibitor"),
    ("CDK4/6i", "cdk46_inhibitor"),
    ("CDK inhibitor", "cdk46_inhibitor"),  # the seed's words
    ("cdk46_inhibitor", "cdk46_inhibitor"),
    ("mTOR inhibitor", "mtor_inhibitor"),
    ("PI3K inhibitor", "pi3k_inhibitor"),
    ("PI3K alpha inhibitor", "pi3k_inhibitor"),
    ("PI3Kα inhibitor", "pi3k_inhibitor"),
    ("AKT inhibitor", "akt_inhibitor"),
    ("HER2 antibody", "her2_antibody"),
    ("anti-HER2 antibody", "her2_antibody"),
    ("anti-HER2 monoclonal antibody", "her2_antibody"),
    ("HER2 ADC", "her2_adc"),
    ("HER2-directed antibody-drug conjugate", "her2_adc"),
    ("HER2 TKI", "her2_tki"),
    ("HER2 tyrosine kinase inhibitor", "her2_tki"),
    ("PARP inhibitor", "parp_inhibitor"),
    ("PARP inhibitors", "parp_inhibitor"),
    ("PARPi", "parp_inhibitor"),
    ("immune checkpoint inhibitor", "immunotherapy"),
    ("PD-1 inhibitor", "immunotherapy"),
    ("PD-L1 inhibitor", "immunotherapy"),
    ("TROP2 ADC", "trop2_adc"),
    ("TROP2-directed antibody-drug conjugate", "trop2_adc"),
    ("chemotherapy", "chemotherapy"),
    ("chemo", "chemotherapy"),
    ("taxane", "chemotherapy"),
    ("taxanes", "chemotherapy"),
    ("anthracycline", "chemotherapy"),
    ("anthracyclines", "chemotherapy"),
    ("platinum chemotherapy", "chemotherapy"),
    ("bisphosphonate", "bone_modifying_agent"),
    ("bisphosphonates", "bone_modifying_agent"),
    ("bone-modifying agent", "bone_modifying_agent"),
    ("bone-modifying agents", "bone_modifying_agent"),
    ("BMA", "bone_modifying_agent"),
    ("RANKL inhibitor", "bone_modifying_agent"),
]

# Names that stand for a wider group: (name, expected group key)
GROUPS: list[tuple[str, str]] = [
    ("hormone therapy", "endocrine"),
    ("hormonal therapy", "endocrine"),  # the seed's words
    ("endocrine therapy", "endocrine"),
    ("ET", "endocrine"),
    ("HER2-targeted therapy", "her2_targeted"),
    ("anti-HER2 therapy", "her2_targeted"),
    ("targeted therapy", "targeted"),
    ("immunotherapy", "immunotherapy"),  # the class of the same name is the more precise reading
    ("checkpoint inhibitor", "immunotherapy"),
    ("antibody-drug conjugate", "antibody_drug_conjugate"),
    ("antibody drug conjugate", "antibody_drug_conjugate"),
    ("ADC", "antibody_drug_conjugate"),
    ("ADCs", "antibody_drug_conjugate"),
]

_CLASS_NOT_GROUP = {"immunotherapy"}


def _spellings(name: str) -> list[str]:
    """As written, and the same in upper and in lower case (each once)."""
    return list(dict.fromkeys([name, name.upper(), name.lower()]))


def _treatment_lines(client: TestClient, name: str) -> list[str]:
    response = client.post("/v1/guide", json={"treatments": [{"drug": name, "outcome": "progressed"}]})
    assert response.status_code == 200, f"{name!r} was refused: {response.text[:400]}"
    guide = response.json()
    whys = [w for item in (*guide["urgent"], *guide["points"]) for w in item.get("why", [])]
    found = sorted({w for w in whys if w.startswith("Treatment listed: ")})
    assert found, f"no point named the treatment {name!r}"
    return found


@pytest.fixture(scope="module")
def labels(client: TestClient) -> dict[str, dict[str, str]]:
    body: dict[str, Any] = client.get("/v1/knowledge-base/drugs").json()
    return {"classes": {c["key"]: c["label"] for c in body["classes"]},
            "groups": {g["key"]: g["label"] for g in body["groups"]}}


@pytest.mark.parametrize(("name", "generic", "classes"), DRUGS, ids=[d[0] for d in DRUGS])
def test_drug_names_read_as_their_generic_through_the_guide(
        client: TestClient, labels: dict[str, dict[str, str]], name: str, generic: str, classes: set[str]) -> None:
    kinds = " and ".join(labels["classes"][c] for c in sorted(classes))
    for spelling in _spellings(name):
        said = (f"{generic} ({kinds})" if spelling.casefold() == generic.casefold()
                else f"'{spelling}' (read as {generic}, {kinds})")
        expected = f"Treatment listed: {said}, for metastatic cancer, the cancer grew during it"
        assert _treatment_lines(client, spelling) == [expected]


@pytest.mark.parametrize(("name", "cls"), CLASSES, ids=[c[0] for c in CLASSES])
def test_class_names_read_as_their_class_through_the_guide(
        client: TestClient, kb: KnowledgeBase, labels: dict[str, dict[str, str]], name: str, cls: str) -> None:
    expected = f"Treatment listed: {labels['classes'][cls]}, for metastatic cancer, the cancer grew during it"
    for spelling in _spellings(name):
        assert _treatment_lines(client, spelling) == [expected]
        # A class label can equal a group label (chemotherapy): check the kind too.
        ref = kb.drugs.resolve(spelling)
        assert (ref.kind, ref.classes, ref.generics) == ("class", {cls}, frozenset())


@pytest.mark.parametrize(("name", "group"), GROUPS, ids=[g[0] for g in GROUPS])
def test_group_names_read_as_their_group_through_the_guide(
        client: TestClient, kb: KnowledgeBase, labels: dict[str, dict[str, str]], name: str, group: str) -> None:
    for spelling in _spellings(name):
        lines = _treatment_lines(client, spelling)
        ref = kb.drugs.resolve(spelling)
        if group in _CLASS_NOT_GROUP:
            assert ref.kind == "class" and group in ref.groups
            continue
        assert lines == [f"Treatment listed: {labels['groups'][group]}, for metastatic cancer, "
                         "the cancer grew during it"]
        assert (ref.kind, ref.groups, ref.classes) == ("group", {group}, frozenset())


def _point_ids(guide: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [u["id"] for u in guide["urgent"]], [p["id"] for p in guide["points"]]


@pytest.mark.parametrize(("name", "generic", "plain"), SUPPORTIVE, ids=[d[0] for d in SUPPORTIVE])
def test_medicines_that_are_not_cancer_treatments_are_named_in_a_notice_and_change_nothing_else(
        client: TestClient, name: str, generic: str, plain: str) -> None:
    alone = client.post("/v1/guide", json={}).json()
    for spelling in _spellings(name):
        response = client.post("/v1/guide", json={"treatments": [{"drug": spelling, "outcome": "progressed"}]})
        assert response.status_code == 200, f"{spelling!r} was refused: {response.text[:400]}"
        guide = response.json()
        read_from = "" if spelling.casefold() == generic.casefold() else f" (read from '{spelling}')"
        expected = (f"{generic[0].upper()}{generic[1:]}{read_from} is {plain}. "
                    "It does not change the options in this guide.")
        assert guide["notices"] == [{"code": "not_a_cancer_medicine", "text": expected}]
        assert _point_ids(guide) == _point_ids(alone)
        assert guide["questions"] == alone["questions"]


@pytest.mark.parametrize(("name", "plain"), SUPPORTIVE_CLASSES, ids=[c[0] for c in SUPPORTIVE_CLASSES])
def test_class_names_of_medicines_that_are_not_cancer_treatments_get_a_notice(
        client: TestClient, name: str, plain: str) -> None:
    guide = client.post("/v1/guide", json={"treatments": [{"drug": name}]}).json()
    assert guide["notices"] == [{"code": "not_a_cancer_medicine",
                                 "text": f"'{name}' is read as {plain}. It does not change the options in this guide."}]
    assert _point_ids(guide) == _point_ids(client.post("/v1/guide", json={}).json())


def test_one_notice_per_medicine_however_often_it_is_listed(client: TestClient) -> None:
    treatments = [{"drug": "Zofran"}, {"drug": "letrozole", "outcome": "progressed"}, {"drug": "ondansetron"},
                  {"drug": "Tylenol", "setting": "early"}, {"drug": "ZOFRAN"}]
    guide = client.post("/v1/guide", json={"treatments": treatments}).json()
    assert [n["text"].split(" is ")[0] for n in guide["notices"]] == ["Ondansetron (read from 'Zofran')",
                                                                     "Paracetamol (read from 'Tylenol')"]
    cancer_only = client.post("/v1/guide", json={"treatments": [treatments[1]]}).json()
    assert cancer_only["notices"] == []
    for key in ("urgent", "points", "questions", "glossary"):
        assert guide[key] == cancer_only[key], key


def test_the_seed_and_reference_words_are_not_refused_in_one_profile(client: TestClient) -> None:
    """All the names at once, as a long record would give them, in batches the profile allows."""
    names = ([d[0] for d in DRUGS] + [c[0] for c in CLASSES] + [g[0] for g in GROUPS] + [s[0] for s in SUPPORTIVE]
             + [c[0] for c in SUPPORTIVE_CLASSES])
    for start in range(0, len(names), 50):
        batch = names[start:start + 50]
        response = client.post("/v1/guide", json={"treatments": [{"drug": n} for n in batch]})
        assert response.status_code == 200, response.text[:400]


#: Spellings accepted by rule rather than listed: biologic suffixes, plurals, and spacing or punctuation
#: that folds to a listed name. They are not offered as suggestions.
_READ_BY_RULE = {"trastuzumab-dkst", "pertuzumab, trastuzumab, and hyaluronidase-zzxf", "sacituzumab govitecan-hziy",
                 "datopotamab deruxtecan-dlnk", "denosumab-bbdz", "pertuzumab, trastuzumab, and hyaluronidase",
                 "T DXd", "nab paclitaxel", "CDK4/6 inhibitors", "oral SERDs", "PARP inhibitors", "taxanes",
                 "anthracyclines", "bone-modifying agents", "steroids", "corticosteroids", "ADCs",
                 "antibody drug conjugate", "antiemetics", "painkillers", "blood thinners", "antibiotics",
                 "laxatives"}


def test_the_patient_page_suggests_every_name(client: TestClient) -> None:
    """The page's suggestions as you type come from the same vocabulary: every listed name is offered,
    with what it stands for when that differs (biosimilar suffixes are accepted but not offered)."""
    response = client.get("/drug-names.json")
    assert response.status_code == 200
    offered = {item["name"].casefold(): item["note"] for item in response.json()}
    missing, wrong = [], []
    for name, generic, _classes in [*DRUGS, *SUPPORTIVE]:
        if name in _READ_BY_RULE:
            continue
        if name.casefold() not in offered:
            missing.append(name)
        elif offered[name.casefold()] not in ("", generic):
            wrong.append((name, offered[name.casefold()]))
    missing += [name for name, _key in CLASSES + GROUPS + SUPPORTIVE_CLASSES if "_" not in name
                and name not in _READ_BY_RULE and name.casefold() not in offered]
    assert (missing, wrong) == ([], [])


@pytest.mark.parametrize(("name", "generic", "classes"), DRUGS, ids=[d[0] for d in DRUGS])
def test_the_record_reader_finds_the_same_names(kb: KnowledgeBase, name: str, generic: str, classes: set[str]) -> None:
    """The CDS service reads medicine names with the same vocabulary: as the whole text, and inside a
    product description such as an RxNorm display."""
    names = DrugNames(kb.drugs)
    assert names.find(name) == [generic]
    assert names.find(name.upper()) == [generic]
    assert names.find(f"{name} 100 MG Injection") == [generic]


@pytest.mark.parametrize(("name", "generic", "plain"), SUPPORTIVE, ids=[d[0] for d in SUPPORTIVE])
def test_the_record_reader_leaves_out_medicines_that_are_not_cancer_treatments(
        kb: KnowledgeBase, name: str, generic: str, plain: str) -> None:
    """A medication list from a record holds many such medicines; the record reader reads cancer
    medicines only, and names the rest among what it left out."""
    names = DrugNames(kb.drugs)
    assert names.find(name) == []
    assert names.find(f"{name} 8 MG Oral Tablet") == []
    assert names.find(f"{name} and letrozole") == ["letrozole"]


@pytest.mark.parametrize("name", ["letrozoles", "paclitaxel-abcd", "T-DXd-abcd", "trastuzumab-dk", "trastuzumab dkst",
                                  "chemotherapyy", "PARP inhibitorss"])
def test_the_spelling_rules_do_not_stretch_to_other_words(client: TestClient, name: str) -> None:
    """Plurals are read only for classes and groups, and a four-letter suffix only after a hyphen on a
    biologic's name (…mab, hyaluronidase): anything else is still refused with suggestions."""
    response = client.post("/v1/guide", json={"treatments": [{"drug": name}]})
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"][0]["loc"] == ["body", "treatments", 0, "drug"]
