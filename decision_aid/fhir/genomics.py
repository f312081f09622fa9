"""Biomarkers from genomic Observations (mCODE GenomicVariant and GenomicRegionStudied).

A variant counts as ``mutated`` when it is present and not reported as benign or of uncertain
significance. A gene counts as ``not_detected`` only when a region-studied result lists it (or a
variant result says "absent") and no variant was found. Germline BRCA needs the germline source
class: a somatic BRCA variant, or one whose origin is not recorded, is named in the facts card
but not counted as inherited.

A change found stays counted when a later test of the same gene finds none (a test can miss a change
another test found, a blood test especially), and the facts card says at the top that the two disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.observation import Observation

from decision_aid.fhir import codes as c
from decision_aid.fhir.concepts import all_text, codes, has_code, normalise_hgnc, profiles_of, texts
from decision_aid.fhir.findings import Findings
from decision_aid.fhir.observations import dated, observation_date, usable, value_codes, value_words, when
from decision_aid.fhir.records import Item

_SYMBOLS = frozenset(c.GENES.values())
_SYMBOL_WORD = re.compile(r"\b(" + "|".join(sorted(_SYMBOLS)) + r")\b")
_HGNC_ID = re.compile(r"\bHGNC:\d+\b", re.IGNORECASE)
#: A gene's name as the whole text, maybe followed by "gene" or a description in brackets or after a comma.
_GENE_NAMED = re.compile(r"^\s*(" + "|".join(sorted(_SYMBOLS)) + r")\b(?:\s+gene\b)?\s*(?:[(\[,;:].*)?$",
                         re.IGNORECASE)
_NOT_COUNTED = re.compile(r"benign|uncertain|\bvus\b", re.IGNORECASE)
_GERMLINE_WORD = re.compile(r"germ[\s-]?line|inherited|hereditary", re.IGNORECASE)
_SOMATIC_WORD = re.compile(r"somatic|tumou?r", re.IGNORECASE)

_FIELD_OF = {"PIK3CA": "pik3ca", "ESR1": "esr1", "AKT1": "akt_pathway", "PTEN": "akt_pathway"}


@dataclass
class Biomarkers:
    pik3ca: str = "not_tested"
    esr1: str = "not_tested"
    akt_pathway: str = "not_tested"
    gbrca: str = "not_tested"


def read_genomics(observations: list[Item], findings: Findings, *,
                  hormone_receptors_may_be_positive: bool) -> Biomarkers:
    """Read the variants; missing PIK3CA, ESR1 and AKT1/PTEN results are reported only when they could matter."""
    result = Biomarkers()
    found: dict[str, str] = {}  # field -> the line that set it to mutated
    detected: dict[str, list[tuple[str, Item]]] = {}  # field -> (gene, result) for each change found
    absent: dict[str, list[Item]] = {}  # gene -> results saying no variant
    germline_absent: dict[str, list[Item]] = {}  # gene -> germline results saying no variant
    for item in usable(observations):
        observation: Observation = item.resource
        if _is_variant(observation):
            _variant(item, result, found, detected, absent, germline_absent, findings)
        elif _is_region_studied(observation):
            for gene in _genes(observation):
                absent.setdefault(gene, []).append(item)
        elif named := sorted(set(_SYMBOL_WORD.findall(all_text(observation.code)))):
            # E.g. a lab's own "PIK3CA mutation analysis" code: its free-text result is not interpreted here.
            findings.add_note(f"{item.label} is a test for {'/'.join(named)} that is not coded as a genomic variant "
                              "(LOINC 69548-6) or region studied; its result was not read.")
    for line in found.values():
        findings.add_read(line)
    _later_not_found(detected, absent, germline_absent, findings)
    _not_detected(result, absent, germline_absent, findings, hormone_receptors_may_be_positive)
    return result


def _later_not_found(detected: dict[str, list[tuple[str, Item]]], absent: dict[str, list[Item]],
                     germline_absent: dict[str, list[Item]], findings: Findings) -> None:
    """Name a change that was found when a later test of the same gene found none.

    The change is still counted (a test can miss a change another test found, e.g. a blood test when
    little tumour DNA is shed), but the facts card says so plainly, at the top.
    """
    for name, hits in detected.items():
        newest_gene, newest = hits[0]
        found_on = observation_date(newest.resource)
        if found_on is None:
            continue
        pool = germline_absent if name == "gbrca" else absent
        genes = {gene for gene, _item in hits}
        later = [item for gene in sorted(genes) for item in pool.get(gene, ())
                 if (day := observation_date(item.resource)) is not None and day > found_on]
        if not later:
            continue
        label = _LABEL.get(name, "Inherited (germline) BRCA")
        others = "; ".join(dict.fromkeys(dated(item) for item in later))
        advice = ("An inherited result should not change; ask the team which result is right." if name == "gbrca"
                  else "A test can miss a change that another test found (a blood test especially); "
                       "ask the team which result applies.")
        findings.add_alert(f"{label}: results disagree — a {newest_gene} change was found ({dated(newest)}) and is "
                           f"used; a later test found no change ({others}). {advice}")


def _is_variant(observation: Observation) -> bool:
    if has_code(observation.code, c.LOINC, {c.VARIANT_CODE}):
        return True
    return any(p.endswith(("genomic-variant", "genetic-variant")) for p in profiles_of(observation))


def _is_region_studied(observation: Observation) -> bool:
    if has_code(observation.code, c.LOINC, {c.REGION_STUDIED_CODE}):
        return True
    return any(p.endswith("region-studied") for p in profiles_of(observation))


def _components(observation: Observation, code: str) -> list[CodeableConcept]:
    return [part.valueCodeableConcept for part in observation.component or ()
            if part.valueCodeableConcept is not None and has_code(part.code, c.LOINC, {code})]


def _genes(observation: Observation) -> set[str]:
    genes: set[str] = set()
    studied = _components(observation, c.GENE_STUDIED)
    for concept in studied:
        hgnc = [coding for coding in codes(concept) if coding.system.startswith(c.HGNC_PREFIX) and coding.code]
        genes.update(c.GENES[normalise_hgnc(coding.code)] for coding in hgnc if normalise_hgnc(coding.code) in c.GENES)
        if hgnc:
            continue  # the HGNC code decides: "BRCA1 associated RING domain 1" is BARD1, not BRCA1
        # No HGNC code: a display or text that names the gene, e.g. "PIK3CA", "PIK3CA gene" or "HGNC:8975".
        for words in texts(concept):
            named = _GENE_NAMED.match(words)
            if named:
                genes.add(named.group(1).upper())
            genes.update(c.GENES[normalise_hgnc(found)] for found in _HGNC_ID.findall(words)
                         if normalise_hgnc(found) in c.GENES)
    if not studied:
        # Some systems name the gene only in the test's text, e.g. "PIK3CA mutation analysis".
        genes.update(_SYMBOL_WORD.findall(all_text(observation.code)))
    return genes


def _source_class(observation: Observation) -> str | None:
    for concept in _components(observation, c.SOURCE_CLASS):
        if has_code(concept, c.LOINC, {c.GERMLINE}) or _GERMLINE_WORD.search(all_text(concept)):
            return "germline"
        if has_code(concept, c.LOINC, {c.SOMATIC}) or _SOMATIC_WORD.search(all_text(concept)):
            return "somatic"
    return None


def _significance(observation: Observation) -> str | None:
    """The reported clinical significance when it says the variant is not harmful or not known to be."""
    for concept in _components(observation, c.CLINICAL_SIGNIFICANCE):
        if has_code(concept, c.LOINC, {c.UNCERTAIN_SIGNIFICANCE}) or _NOT_COUNTED.search(all_text(concept)):
            return all_text(concept) or "uncertain significance"
    return None


def _variant(item: Item, result: Biomarkers, found: dict[str, str], detected: dict[str, list[tuple[str, Item]]],
             absent: dict[str, list[Item]], germline_absent: dict[str, list[Item]], findings: Findings) -> None:
    observation: Observation = item.resource
    genes = _genes(observation)
    if not genes:
        return
    present = c.ABSENT not in value_codes(observation) and not re.search(r"\babsent\b|not detected|negative",
                                                                          value_words(observation), re.IGNORECASE)
    origin = _source_class(observation)
    for gene in sorted(genes):
        if not present:
            absent.setdefault(gene, []).append(item)
            if gene.startswith("BRCA") and origin == "germline":
                germline_absent.setdefault(gene, []).append(item)
            continue
        where = f"{item.label}, {gene}{', ' + origin if origin else ''}{when(observation)}"
        significance = _significance(observation)
        if significance:
            findings.add_note(f"A {gene} variant reported as {significance!r} in {item.label} was not counted as a "
                              "mutation.")
            continue
        if gene in _FIELD_OF:
            name = _FIELD_OF[gene]
            setattr(result, name, "mutated")
            found.setdefault(name, f"{_LABEL[name]}: a change (mutation) was found ({where})")
            detected.setdefault(name, []).append((gene, item))
        elif origin == "germline":
            result.gbrca = "mutated"
            found.setdefault("gbrca", f"Inherited (germline) BRCA: a change was found ({where})")
            detected.setdefault("gbrca", []).append((gene, item))
        else:
            said = "in the tumour (somatic)" if origin == "somatic" else "with no record of whether it is inherited"
            findings.add_note(f"A {gene} variant {said} in {item.label} was not counted as inherited (germline) "
                              "BRCA.")


_LABEL = {"pik3ca": "PIK3CA", "esr1": "ESR1", "akt_pathway": "AKT1 or PTEN"}


def _not_detected(result: Biomarkers, absent: dict[str, list[Item]], germline_absent: dict[str, list[Item]],
                  findings: Findings, report_missing: bool) -> None:
    for name, genes in (("pik3ca", ("PIK3CA",)), ("esr1", ("ESR1",)), ("akt_pathway", ("AKT1", "PTEN"))):
        if getattr(result, name) == "mutated":
            continue
        tested = [g for g in genes if g in absent]
        if len(tested) == len(genes):
            setattr(result, name, "not_detected")
            labels = sorted({item.label for g in genes for item in absent[g]})
            findings.add_read(f"{_LABEL[name]}: tested, no change found ({', '.join(labels)})")
        elif tested and report_missing:
            findings.add_missing(f"{_LABEL[name]}: only {tested[0]} was tested")
        elif report_missing:
            findings.add_missing(f"{_LABEL[name]} test result not found")
    if result.gbrca != "mutated":
        if {"BRCA1", "BRCA2"} <= set(germline_absent):
            result.gbrca = "not_detected"
            findings.add_read("Inherited (germline) BRCA1 and BRCA2: tested, no change found")
        else:
            findings.add_missing("Inherited (germline) BRCA1/BRCA2 test result not found")
