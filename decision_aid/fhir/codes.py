"""The code systems and codes the mapper reads, with where each one was confirmed.

Only codes seen in HL7's mCODE examples or specification text are listed by number. Codes that
were not confirmed are left out on purpose: the mapper falls back to the display and text of a
coding, and says so, rather than trusting a remembered number.
"""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
CANCER_STAGING = "http://cancerstaging.org"

#: The characters and length of a FHIR ``id`` (R4 datatype ``id``).
FHIR_ID_CHARS = r"[A-Za-z0-9\-.]{1,64}"

#: HGNC has been written with and without the ``/geneId`` path; compare on this prefix.
HGNC_PREFIX = "http://www.genenames.org"

# --- tumour markers (LOINC; mCODE TumorMarkerTest and INTEROP.md §3.2) ---------------------------
ER_CODES = frozenset({"85337-4", "40556-3", "16112-5", "85329-1", "14228-1"})
PR_CODES = frozenset({"85339-0", "40557-1", "16113-3", "85325-9", "14230-7"})
HER2_IHC_CODES = frozenset({"85319-2", "72383-3"})
HER2_INTERPRETATION_CODES = frozenset({"48676-1"})
HER2_ISH_CODES = frozenset({"85318-4", "31150-6", "49683-6", "74860-8"})

#: Answer codes meaning positive / negative (LOINC answers and SNOMED qualifiers).
POSITIVE_ANSWERS = frozenset({"LA6576-8", "10828004"})
NEGATIVE_ANSWERS = frozenset({"LA6577-6", "260385009"})

# --- genomics (Genomics Reporting / mCODE GenomicVariant) ----------------------------------------
VARIANT_CODE = "69548-6"  # Genetic variant assessment
REGION_STUDIED_CODE = "53041-0"  # DNA region of interest panel
GENE_STUDIED = "48018-6"
SOURCE_CLASS = "48002-0"
CLINICAL_SIGNIFICANCE = "53037-8"
PRESENT = "LA9633-4"
ABSENT = "LA9634-2"
GERMLINE = "LA6683-2"
SOMATIC = "LA6684-0"
UNCERTAIN_SIGNIFICANCE = "LA26333-7"

#: HGNC ids of the genes the profile has a field for (BRCA1/2 and PTEN in mCODE examples; PIK3CA,
#: ESR1 and AKT1 checked against several public gene tables).
GENES = {
    "HGNC:8975": "PIK3CA",
    "HGNC:3467": "ESR1",
    "HGNC:391": "AKT1",
    "HGNC:9588": "PTEN",
    "HGNC:1100": "BRCA1",
    "HGNC:1101": "BRCA2",
}

# --- disease status and staging -----------------------------------------------------------------
#: ECOG and Karnofsky performance status (mCODE); seen, named, not used.
PERFORMANCE_STATUS_CODES = frozenset({"89247-1", "89243-0"})
DISEASE_STATUS_CODES = frozenset({"88040-1", "97509-4"})  # STU1, STU2 and later
WORSENED = "271299001"
DISTANT_METASTASIS_CODES = frozenset({"21907-1", "21901-4", "399387003"})
STAGE_GROUP_CODES = frozenset({"21908-9", "21902-2", "399537006", "399588009"})

# --- conditions ---------------------------------------------------------------------------------
SECONDARY_CANCER_CATEGORY = "128462008"
#: SNOMED secondary-cancer codes with the site they name: brain from the mCODE examples; bone, liver, lung
#: and pleura each seen with that meaning in several published FHIR guides and examples (2026 review).
SECONDARY_SNOMED_SITES = {"94225005": "brain", "94222008": "bone", "94381002": "liver", "94391008": "lung",
                          "94493005": "pleura"}
#: SNOMED body structures: lung from the mCODE examples; bone, liver and brain each seen with that meaning
#: in several public code tables (DICOM anatomy, FHIR guides).
BODY_SITE_SNOMED = {"39607008": "lung", "78904004": "chest_wall", "272673000": "bone", "10200004": "liver",
                    "12738006": "brain"}
BREAST_SNOMED = frozenset({"254837009", "353431000119107"})

# --- medications --------------------------------------------------------------------------------
#: RxNorm ingredient codes confirmed in mCODE examples or INTEROP.md; every other drug is read by name.
RXNORM_INGREDIENTS = {
    "84857": "anastrozole",
    "56946": "paclitaxel",
    "1873916": "ribociclib",
    "3639": "doxorubicin",
    "3002": "cyclophosphamide",
}
TREATMENT_INTENT_URL_SUFFIX = "treatment-intent"
CURATIVE = "373808002"
PALLIATIVE = "363676003"
NOT_TOLERATED = "407563006"
NO_RESPONSE = "266721009"
