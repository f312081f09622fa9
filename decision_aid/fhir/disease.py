"""Where the cancer has spread, when, and from which primary: Conditions and staging Observations.

A secondary-cancer Condition (mCODE SecondaryCancerCondition: SNOMED descendants of 128462008 or
ICD-10-CM C77-C79) is the strongest sign of metastatic disease; TNM M1 or stage IV also count.
Axillary nodes (C77.3) are regional for breast cancer, so they are not counted as spread.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation

from decision_aid.fhir import codes as c
from decision_aid.fhir.concepts import (
    Code,
    all_text,
    codes,
    describe,
    find_code,
    first_date,
    has_code,
    profiles_of,
    quote,
)
from decision_aid.fhir.findings import Findings
from decision_aid.fhir.observations import usable, value_words, when
from decision_aid.fhir.records import Item
from decision_aid.vocabulary import SITE_WORDS

_NOT_METASTATIC = re.compile(r"\bnon[\s-]?metastatic\b|\bno (evidence of )?metasta", re.IGNORECASE)
_METASTASIS_WORD = re.compile(r"\bmetasta|\bmets\b", re.IGNORECASE)
_SECONDARY_WORD = re.compile(r"\bsecondary\b", re.IGNORECASE)
#: Cancer cells in the fluid around the lung: spread to the pleura (ICD-10-CM J91.0), often coded on its own.
_MALIGNANT_EFFUSION = re.compile(r"\bmalignant pleural effusion", re.IGNORECASE)
_CANCER_WORDS = re.compile(r"carcinoma|cancer|malignan|neoplasm|tumou?r|sarcoma|lymphoma|melanoma", re.IGNORECASE)
_NOT_A_DIAGNOSIS = re.compile(r"in situ|benign|family history|screening|suspected|\brisk\b|\bfear\b", re.IGNORECASE)
#: Conditions named after a cancer that are not one: its complications and effects on the body.
_CANCER_COMPLICATION = re.compile(r"lysis|hypertension|hyperthermia|related|induced|\bpain\b|fatigue|cachexia|"
                                  r"an(a)?emia|hypercalc|encounter", re.IGNORECASE)
_BREAST = re.compile(r"\bbreast\b|\bmammary\b", re.IGNORECASE)
_REGIONAL_NODES = re.compile(r"axilla", re.IGNORECASE)
_SITE_WORDS = (
    ("leptomeninges", re.compile(r"leptomening|meninge", re.IGNORECASE)),
    ("pleura", re.compile(r"pleura", re.IGNORECASE)),
    ("brain", re.compile(r"\bbrain\b|cerebr|intracranial", re.IGNORECASE)),
    ("bone", re.compile(r"\bbones?\b|osseous|skelet|vertebra|\bspine\b|bone marrow", re.IGNORECASE)),
    ("liver", re.compile(r"\bliver\b|hepatic", re.IGNORECASE)),
    ("lung", re.compile(r"\blungs?\b|pulmonary", re.IGNORECASE)),
    ("lymph_nodes", re.compile(r"lymph node|nodal|lymphadenopathy", re.IGNORECASE)),
    ("chest_wall", re.compile(r"chest wall", re.IGNORECASE)),
    ("skin", re.compile(r"\bskin\b|cutaneous", re.IGNORECASE)),
)
_M1 = re.compile(r"\b[cpy]?M1[a-d]?\b")
_STAGE_IV = re.compile(r"\bstage\s*(iv|4)[a-c]?\b|^\s*(iv|4)[a-c]?\s*$", re.IGNORECASE)
_MENOPAUSE = (("peri", re.compile(r"peri-?menopaus", re.IGNORECASE)),
              ("post", re.compile(r"post-?menopaus", re.IGNORECASE)),
              ("pre", re.compile(r"pre-?menopaus", re.IGNORECASE)))
_NEGATED_MENOPAUSE = re.compile(r"\b(?:not|non|no)[\s-]+(?:peri|post|pre)-?menopaus", re.IGNORECASE)
#: Verification statuses that do not make a diagnosis: wrong, or not (yet) confirmed.
_EXCLUDED_VERIFICATION = frozenset({"refuted", "entered-in-error", "unconfirmed", "provisional", "differential"})


@dataclass
class Disease:
    sites: list[str] = field(default_factory=list)
    metastatic: bool = False
    metastasis_onset: dt.date | None = None
    primary_onset: dt.date | None = None
    menopausal_status: str = "unknown"


def read_disease(conditions: list[Item], observations: list[Item], findings: Findings) -> Disease:
    disease = Disease()
    kept = [item for item in conditions if not _excluded(item, findings)]
    for item in kept:
        condition: Condition = item.resource
        if _is_secondary(condition):
            _secondary(item, disease, findings)
    for item in kept:
        condition = item.resource
        if not _is_secondary(condition) and _is_primary(condition):
            _primary(item, disease, findings)
    _staging(observations, kept, disease, findings)
    if not disease.metastatic:
        findings.add_missing("No secondary (metastatic) cancer condition, TNM M1 or stage IV found")
    elif not disease.sites:
        findings.add_missing("Sites of spread not found")
    disease.menopausal_status = _menopause(kept, observations, findings)
    return disease


def _excluded(item: Item, findings: Findings) -> bool:
    status = item.resource.verificationStatus
    code = next((cd.code for cd in codes(status) if cd.code), None)
    if code in _EXCLUDED_VERIFICATION:
        findings.add_note(f"{item.label} is marked {code}; not used.")
        return True
    return False


def _icd(condition: Condition) -> list[str]:
    return [cd.code.upper().replace(".", "") for cd in codes(condition.code) if cd.system == c.ICD10CM]


def _is_secondary(condition: Condition) -> bool:
    words = all_text(condition.code)
    if _NOT_METASTATIC.search(words) or _NOT_A_DIAGNOSIS.search(words):
        return False
    return (any(p.endswith("secondary-cancer-condition") for p in profiles_of(condition))
            or any(has_code(cat, c.SNOMED, {c.SECONDARY_CANCER_CATEGORY}) for cat in condition.category or ())
            or any(code[:3] in ("C77", "C78", "C79") or code == "J910" for code in _icd(condition))
            or bool(_MALIGNANT_EFFUSION.search(words))
            or has_code(condition.code, c.SNOMED, {c.SECONDARY_CANCER_CATEGORY, *c.SECONDARY_SNOMED_SITES})
            or bool(_METASTASIS_WORD.search(words))
            or bool(_SECONDARY_WORD.search(words) and _CANCER_WORDS.search(words)))


def _is_primary(condition: Condition) -> bool:
    words = all_text(condition.code)
    if _NOT_A_DIAGNOSIS.search(words):
        return False
    icd = _icd(condition)
    if any(p.endswith("primary-cancer-condition") for p in profiles_of(condition)):
        return True
    if any("C00" <= code[:3] <= "C76" or code[:3] in ("C80", "Z85") for code in icd):
        return True
    if has_code(condition.code, c.SNOMED, c.BREAST_SNOMED):
        return True
    # An ICD-10-CM code outside the cancer chapter (e.g. G89.3 "Neoplasm related pain") decides: not a cancer.
    if icd:
        return False
    return bool(_CANCER_WORDS.search(words)) and not _CANCER_COMPLICATION.search(words)


def _onset(condition: Condition) -> dt.date | None:
    period = condition.onsetPeriod
    return first_date(condition.onsetDateTime, period.start if period else None, condition.onsetString,
                      condition.recordedDate)


def _icd_site(code: str) -> str | None:
    """The site an ICD-10-CM secondary-cancer code names; ``regional`` for axillary nodes."""
    for prefix, site in (("C795", "bone"), ("C787", "liver"), ("C780", "lung"), ("C782", "pleura"),
                         ("C7931", "brain"), ("C7932", "leptomeninges"), ("C773", "regional"),
                         ("C77", "lymph_nodes"), ("C792", "skin")):
        if code.startswith(prefix):
            return site
    return "other" if code[:3] in ("C78", "C79") else None


def _sites_of(condition: Condition) -> tuple[list[str], str]:
    """The sites a secondary-cancer condition names, and how they were read."""
    for code in _icd(condition):
        site = _icd_site(code)
        if site and site != "other":
            return [site], "site from the ICD-10-CM code"
    snomed = find_code(condition.code, c.SNOMED, c.SECONDARY_SNOMED_SITES)
    if snomed:
        return [c.SECONDARY_SNOMED_SITES[snomed.code]], "site from the SNOMED CT code"
    sites: list[str] = []
    for body_site in condition.bodySite or ():
        coded: Code | None = find_code(body_site, c.SNOMED, c.BODY_SITE_SNOMED)
        if coded:
            sites.append(c.BODY_SITE_SNOMED[coded.code])
        else:
            sites.extend(_sites_in_words(all_text(body_site)))
    if sites:
        return sites, "site from the body site"
    from_words = _sites_in_words(all_text(condition.code))
    if from_words:
        return from_words, "site read from the condition's text"
    if _names_breast(condition):
        # "Metastatic breast cancer" names the disease, not a place it has spread to.
        return [], "the diagnosis does not name where the cancer has spread"
    return ["other"], "site not named in a code this service reads"


def _sites_in_words(words: str) -> list[str]:
    if _REGIONAL_NODES.search(words):
        return ["regional"]
    return [site for site, pattern in _SITE_WORDS if pattern.search(words)][:1]


def _secondary(item: Item, disease: Disease, findings: Findings) -> None:
    condition: Condition = item.resource
    sites, how = _sites_of(condition)
    if sites == ["regional"]:
        findings.add_note(f"{item.label} ({describe(condition.code)}) names axillary lymph nodes, which are regional "
                          "for breast cancer; not counted as spread.")
        return
    disease.metastatic = True
    onset = _onset(condition)
    if onset and (disease.metastasis_onset is None or onset < disease.metastasis_onset):
        disease.metastasis_onset = onset
    for site in sites:
        if site not in disease.sites:
            disease.sites.append(site)
    since = f", since {onset.isoformat()}" if onset else ""
    if not sites:
        findings.add_read(f"Metastatic: {describe(condition.code)} ({item.label}; {how}{since})")
        return
    words = ", ".join(SITE_WORDS[s] for s in sites)
    findings.add_read(f"Spread to: {words} ({item.label}, {describe(condition.code)}; {how}{since})")


def _names_breast(condition: Condition) -> bool:
    words = " | ".join((all_text(condition.code), *(all_text(b) for b in condition.bodySite or ())))
    return (any(code.startswith("C50") for code in _icd(condition))
            or has_code(condition.code, c.SNOMED, c.BREAST_SNOMED) or bool(_BREAST.search(words)))


def _primary(item: Item, disease: Disease, findings: Findings) -> None:
    condition: Condition = item.resource
    if not _names_breast(condition):
        findings.add_alert(f"{item.label} records a cancer that is not breast cancer ({describe(condition.code)}). "
                           "This guide is only about breast cancer: check which cancer the spread comes from.")
        return
    onset = _onset(condition)
    if onset and (disease.primary_onset is None or onset < disease.primary_onset):
        disease.primary_onset = onset
    since = f", diagnosed {onset.isoformat()}" if onset else ""
    findings.add_read(f"Primary breast cancer: {describe(condition.code)} ({item.label}{since})")


def _staging(observations: list[Item], conditions: list[Item], disease: Disease, findings: Findings) -> None:
    for item in usable(observations):
        observation: Observation = item.resource
        values = " | ".join((value_words(observation), *(cd.code for cd in codes(observation.valueCodeableConcept))))
        if _coded(observation, c.DISTANT_METASTASIS_CODES) and _M1.search(values):
            _staged(disease, findings, f"TNM distant metastasis M1 ({item.label}{when(observation)})")
            return
        if _coded(observation, c.STAGE_GROUP_CODES) and any(_STAGE_IV.search(v) for v in values.split(" | ")):
            _staged(disease, findings, f"Stage IV ({item.label}{when(observation)})")
            return
    for item in conditions:
        for stage in item.resource.stage or ():
            if _STAGE_IV.search(all_text(stage.summary)):
                _staged(disease, findings, f"Stage IV ({item.label}, stage summary)")
                return
        # Some records name the stage in the diagnosis itself, e.g. "Breast cancer, stage IV".
        if _STAGE_IV.search(all_text(item.resource.code)) and not _NOT_A_DIAGNOSIS.search(all_text(item.resource.code)):
            _staged(disease, findings, f"Stage IV ({item.label}, {describe(item.resource.code)})")
            return


def _coded(observation: Observation, wanted: frozenset[str]) -> bool:
    return has_code(observation.code, c.LOINC, wanted) or has_code(observation.code, c.SNOMED, wanted)


def _staged(disease: Disease, findings: Findings, line: str) -> None:
    findings.add_read(f"Metastatic: {line}")
    disease.metastatic = True


def _menopause(conditions: list[Item], observations: list[Item], findings: Findings) -> str:
    candidates = [(item, all_text(item.resource.code)) for item in conditions]
    candidates += [(item, f"{all_text(item.resource.code)} | {value_words(item.resource)}")
                   for item in usable(observations)]
    for item, words in candidates:
        if _NEGATED_MENOPAUSE.search(words):
            findings.add_note(f"{item.label} says what the menopausal status is not ({quote(words, 60)}); not used.")
            continue
        for status, pattern in _MENOPAUSE:
            if pattern.search(words):
                findings.add_read(f"Menopausal status: {status} (read from the text of {item.label})")
                return status
    findings.add_missing("Menopausal status not found")
    return "unknown"
