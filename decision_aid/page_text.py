"""Every word the patient page adds: headings, labels, help, buttons and messages.

They live here, not in the templates, so that they are held to the same readability test as the
knowledge base's patient text (see :func:`passages`). British English, like the rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

#: Plain words for each answer a person can choose, by field. The keys are the contract's values.
SITES: Final[dict[str, str]] = {
    "bone": "Bones",
    "liver": "Liver",
    "lung": "Lungs",
    "pleura": "The thin lining around the lungs (pleura)",
    "brain": "Brain",
    "leptomeninges": "The thin lining of the brain and spinal cord (leptomeninges)",
    "lymph_nodes": "Lymph nodes",
    "skin": "Skin",
    "chest_wall": "Chest wall",
    "other": "Somewhere else",
}

RECEPTOR: Final[dict[str, str]] = {
    "positive": "Positive (+)",
    "negative": "Negative (-)",
    "unknown": "I don't know",
}

HER2: Final[dict[str, str]] = {
    "positive": "Positive (HER2+)",
    "low": "Low (HER2-low)",
    "ultralow": "Ultralow (HER2-ultralow)",
    "negative": "Negative, with none found (HER2 0)",
    "unknown": "I don't know",
}

SETTING: Final[dict[str, str]] = {
    "metastatic": "For the cancer that has spread",
    "early": "For an earlier breast cancer",
}

OUTCOME: Final[dict[str, str]] = {
    "unknown": "I don't know",
    "ongoing": "I am still having it",
    "completed": "I finished it",
    "progressed": "The cancer grew while I had it",
    "stopped_side_effects": "I stopped because of side effects",
}

SYMPTOMS: Final[dict[str, str]] = {
    "bone_pain": "Pain in a bone",
    "back_pain": "Back pain or neck pain that is new or getting worse",
    "leg_weakness_or_numbness": "Weak, numb or heavy legs",
    "bladder_or_bowel_change": "Changes in how your bladder or bowels work",
    "headache": "Headaches",
    "seizure": "A fit (seizure)",
    "confusion": "Feeling muddled or confused",
    "drowsiness": "Very sleepy or hard to wake",
    "vision_change": "Changes in your eyesight",
    "breathlessness": "Short of breath",
    "cough": "A cough that does not go away",
    "chest_pain": "Chest pain",
    "jaundice": "Yellow skin or yellow eyes",
    "abdominal_swelling": "A swollen tummy",
    "fever": "A high temperature or shivers",
    "extreme_thirst": "Very thirsty",
    "constipation": "Hard to poo (constipation)",
    "diarrhoea": "Loose, watery poo (diarrhoea)",
    "nausea": "Feeling sick",
    "vomiting": "Being sick",
    "fatigue": "Very tired",
    "sudden_bone_pain_or_cannot_bear_weight": "Sudden bad pain in a bone, or you cannot put weight on a leg",
    "swollen_painful_leg": "A swollen, painful leg",
    "vomiting_cannot_keep_fluids_down": "Being sick and you cannot keep drinks down",
    "palpitations_or_fainting": "A racing or uneven heartbeat, or fainting",
    "severe_rash_or_blisters": "A bad rash, or blisters on the skin",
    "eye_pain_or_blurred_vision": "Sore eyes, or blurred sight",
    "new_persistent_headache": "A new headache that does not go away",
}

CONCERNS: Final[dict[str, str]] = {
    "side_effects": "Side effects of treatment",
    "treatment_break": "Taking a break from treatment",
    "stopping_treatment": "Stopping treatment",
    "complementary_therapies": "Other help, like massage or herbal remedies",
    "emotional_support": "Help with worry, fear or low mood",
    "prognosis": "What may happen next",
    "clinical_trials": "Research studies (clinical trials)",
    "genomic_testing": "Tests on the genes of the cancer",
    "quality_of_life": "Living as well as I can",
    "staging": "How far the cancer has spread (staging)",
    "fertility_and_family": "Having children, and my family",
    "cost_and_work": "Money and work",
    "carers": "Help for the people who care for me",
}

PRESENTATION: Final[dict[str, str]] = {
    "recurrent": "It came back after an earlier breast cancer",
    "de_novo": "It had already spread when it was first found",
    "unknown": "I don't know",
}

MENOPAUSE: Final[dict[str, str]] = {
    "pre": "No, I still have periods",
    "peri": "I am going through it now",
    "post": "Yes, my periods have stopped",
    "unknown": "I don't know",
}

SEX: Final[dict[str, str]] = {
    "female": "Female",
    "male": "Male",
}

GENE: Final[dict[str, str]] = {
    "not_tested": "Not tested, or I don't know",
    "mutated": "A change was found",
    "not_detected": "No change was found",
}

PDL1: Final[dict[str, str]] = {
    "not_tested": "Not tested, or I don't know",
    "positive": "Positive",
    "negative": "Negative",
}

VISIT: Final[dict[str, str]] = {
    "unknown": "I don't know, or something else",
    "new_diagnosis": "I have just been told the cancer has spread",
    "treatment_decision": "Choosing a treatment, or a change of treatment",
    "scan_results": "Getting the results of a scan",
    "side_effects": "Side effects of my treatment",
    "check_up": "A regular check-up",
}

#: The gene and protein tests, by biomarker key: the name a report uses, then a few words.
BIOMARKERS: Final[dict[str, str]] = {
    "pik3ca": "PIK3CA",
    "esr1": "ESR1",
    "akt_pathway": "AKT1 or PTEN",
    "gbrca": "BRCA1 or BRCA2 (genes you were born with)",
    "pdl1": "PD-L1",
}

#: Single texts, by key. ``{name}`` style fields are filled in by the page.
TEXT: Final[dict[str, str]] = {
    "site_name": "Secondary breast cancer: questions for your team",
    "skip_link": "Skip to the main part of the page",
    "form_title": "Get ready to talk with your cancer team",
    "form_intro": (
        "This page helps you make a list of questions to take to your next visit. Tell us a little "
        "about the cancer and how you feel. We then show things your team may talk about with you, "
        "and questions you may want to ask them."
    ),
    "form_optional": "You do not have to answer everything. Skip any part you do not know or do not want to fill in.",
    "privacy": (
        "We do not save your answers. Your web browser may keep them in its history, so on a shared "
        "computer or phone use a private window."
    ),
    "unwell_now": (
        "If you feel very unwell now, do not wait. Call your 24-hour acute oncology line, or call "
        "emergency services."
    ),
    "not_advice": "This page does not give medical advice. It does not choose a treatment for you.",
    "error_summary_title": "There is a problem",
    "error_title_prefix": "Error:",
    "sites_legend": "Where has the cancer spread?",
    "sites_hint": "Tick all the places you know of. Leave it blank if you are not sure.",
    "visit_legend": "What is your next visit about?",
    "visit_hint": "This changes which questions come first. It does not change the options.",
    "tests_legend": "Tests on the cancer cells",
    "triple_label": "My letters say the cancer is triple negative",
    "triple_hint": (
        "Triple negative means ER negative, PR negative and HER2 negative. Tick this if you only know "
        "these words."
    ),
    "triple_conflict": (
        "You ticked triple negative, but you also chose a positive result. Untick triple negative, or "
        "change the result to negative or I don't know."
    ),
    "tests_hint": "The results are often in letters from your clinic. If you are not sure, choose I don't know.",
    "er_legend": "ER: does the cancer have receptors for oestrogen?",
    "pr_legend": "PR: does the cancer have receptors for progesterone?",
    "her2_legend": "HER2: how much HER2 did the test find?",
    "her2_hint": "If your letter just says HER2 negative, and does not say low or ultralow, choose Negative.",
    "treatments_legend": "Treatments you have had",
    "treatments_hint": (
        "Write the name on the box or leaflet. A brand name is fine. Put each medicine in its own box."
    ),
    "treatment_legend": "Treatment {number}",
    "drug_label": "Name of the medicine",
    "drug_hint": "As you type, names we know will show up below the box.",
    "setting_label": "What was it for?",
    "outcome_label": "How did it go?",
    "months_label": "If it has ended: about how many months ago?",
    "months_hint": "A whole number, like 6. Leave it blank if you are not sure.",
    "add_treatment": "Add another treatment",
    "suggestions_found": "{count} names found. Use the up and down arrow keys to pick one.",
    "suggestions_none": "No names found. You can still type the name.",
    "symptoms_legend": "How do you feel now?",
    "symptoms_hint": "Tick anything you have now, or that is new or getting worse.",
    "concerns_legend": "What is on your mind?",
    "concerns_hint": "Tick anything you would like to talk about.",
    "more_legend": "More about you",
    "more_hint": "These can change what your team may talk about. Skip them if you like.",
    "presentation_legend": "When was the cancer that has spread found?",
    "menopause_legend": "Have you been through the menopause?",
    "sex_legend": "Are you male or female?",
    "sex_hint": "Breast cancer in men is treated in much the same way, with a few changes.",
    "genes_legend": "Gene and protein tests",
    "genes_hint": (
        "Some tests look for changes in the genes of the cancer, or in genes you were born with. "
        "Skip this part if you have not heard of them."
    ),
    "submit": "Show my guide and questions",
    "result_title": "Your guide and questions",
    "result_intro": "This is based on what you told us. It does not choose a treatment for you.",
    "told_title": "What you told us",
    "told_intro": "Check these lines. If something is wrong, change your answers.",
    "told_none": "You did not tell us anything about the cancer yet.",
    "told_change": "Change my answers",
    "notices_label": "Please note:",
    "top_title": "Your questions for this appointment",
    "top_intro": (
        "These are the questions to ask first. We ticked them for you. Untick any you do not want, "
        "tick more below, or add your own."
    ),
    "top_none": "There are no questions for you yet. Add your own below.",
    "options_title": "Your options to talk about",
    "personal_title": "More about your situation",
    "background_title": "Background",
    "background_hint": "General facts for anyone with secondary breast cancer. Open to read.",
    "more_questions": "More questions you could ask:",
    "keep_top": "Keep only the top questions",
    "untick_all": "Untick all questions",
    "print_name": "Name:",
    "print_visit_date": "Date of visit:",
    "print_seeing": "Who I am seeing:",
    "situation_title": "My situation",
    "situation_cancer": "The cancer:",
    "situation_treatments": "Treatments:",
    "situation_now": "Now:",
    "situation_none": "Not given",
    "help_title": "When to get help now",
    "help_line": "Your 24-hour acute oncology line:",
    "help_emergency": "If you cannot get through, call emergency services.",
    "printed_on": "Made on {date}.",
    "contents": "On this page",
    "urgent_title": "Get help now",
    "urgent_intro": "Some of the things you told us can be signs of a problem that needs help today.",
    "points_title": "Things to talk about with your team",
    "why_label": "Why you see this:",
    "sources_label": "Where this comes from:",
    "questions_title": "Your questions",
    "questions_hint": (
        "Untick any question you do not want to take. Add your own. Then print the list, or save it "
        "as a file, and take it to your next visit."
    ),
    "questions_count": "You are keeping {kept} of {total} questions.",
    "questions_none": "There are no questions yet. Add your own below.",
    "add_question_label": "Add your own question",
    "add_question": "Add to my list",
    "added_question": "Your question was added to the list.",
    "print": "Print my list",
    "print_hint": "To print, use the print menu of your browser. Only the ticked questions will print.",
    "download": "Save my list as a file",
    "download_hint": "The file is plain text. You can open it on a phone or a computer.",
    "glossary_title": "What the words mean",
    "about_title": "About this guide",
    "kb_version": "Knowledge base version {version}, checked on {reviewed_on}.",
    "change_answers": "Change my answers",
    "start_again": "Start again",
    "print_title": "My questions for my cancer team",
    "print_date": "Date: {date}",
    "answer_label": "Notes:",
    "unknown_drug": "We do not know the medicine {name}.",
    "did_you_mean": "Did you mean {names}?",
    "unknown_drug_help": "Check the name on the box or leaflet, or leave the box blank.",
    "bad_months": "Write the number of months as a whole number, like 6, or leave the box blank.",
    "bad_choice": "Choose one of the answers shown.",
    "bad_page": "Something went wrong with the page. Please fill in the form again.",
    "empty_question": "Write a question in the box first, then choose Add to my list.",
    "not_ready": "This page is not working just now. Please try again in a few minutes.",
    "view_title": "Discussion guide",
    "view_intro": (
        "This guide was made from the facts in the link you opened. They are used to make this page "
        "and are not kept."
    ),
    "view_noscript": (
        "This page needs JavaScript to show the guide. Please turn on JavaScript in your web browser "
        "and open the link again."
    ),
    "view_loading": "Making the guide. Please wait.",
    "view_bad_link": "This link could not be read. Please open it again from the record.",
    "view_failed": "The guide could not be made just now. Please try again in a few minutes.",
    "view_understood": "What the guide was told",
    "view_notices": "Please note",
    "view_top_questions": "Questions to ask first",
    "view_all_questions": "All the questions",
    "file_title": "My questions for my cancer team",
    "file_kb": "Made with knowledge base version {version}, checked on {reviewed_on}.",
}


def text(key: str, **fields: object) -> str:
    """One page text, with its ``{fields}`` filled in.

    Example usage::

        >>> text("questions_count", kept=3, total=5)
        'You are keeping 3 of 5 questions.'
    """
    return TEXT[key].format(**fields) if fields else TEXT[key]


#: Sample values for the fields, so that a text is measured as a person reads it.
_SAMPLES: Final[dict[str, str]] = {
    "number": "2", "kept": "7", "total": "9", "version": "2026.11.0", "reviewed_on": "26 November 2026",
    "date": "26 November 2026", "name": "Ibranse", "names": "Ibrance", "count": "5",
}


def _sentences(*parts: str) -> str:
    return " ".join(p if p.rstrip().endswith((".", "?", "!", ":")) else p + "." for p in parts)


def passages() -> Iterator[tuple[str, str]]:
    """Every text the page adds, as a person reads it: a heading or a message on its own; a group of
    answers together with its question and help. Short answer labels ("Liver") are not sentences,
    so they are measured inside their group, where the reading formula means something.

    Example usage::

        >>> dict(passages())["sites"].startswith("Where has the cancer spread?")
        True
    """
    grouped = {
        "visit": ("visit_legend", "visit_hint", VISIT),
        "sites": ("sites_legend", "sites_hint", SITES),
        "er": ("er_legend", "tests_hint", RECEPTOR),
        "pr": ("pr_legend", "tests_hint", RECEPTOR),
        "her2": ("her2_legend", "her2_hint", HER2),
        "setting": ("setting_label", None, SETTING),
        "outcome": ("outcome_label", None, OUTCOME),
        "symptoms": ("symptoms_legend", "symptoms_hint", SYMPTOMS),
        "concerns": ("concerns_legend", "concerns_hint", CONCERNS),
        "presentation": ("presentation_legend", None, PRESENTATION),
        "menopause": ("menopause_legend", None, MENOPAUSE),
        "sex": ("sex_legend", "sex_hint", SEX),
        "genes": ("genes_legend", "genes_hint", {**BIOMARKERS, **GENE, **{f"pdl1_{k}": v for k, v in PDL1.items()}}),
    }
    # Labels read together, as on paper: the heading with the three line labels under it.
    together = {"situation": ("situation_title", "situation_cancer", "situation_treatments", "situation_now"),
                "print_blanks": ("print_title", "print_name", "print_visit_date", "print_seeing")}
    in_groups: set[str] = {key for keys in together.values() for key in keys}
    for name, keys in together.items():
        yield name, _sentences(*(TEXT[key] for key in keys))
    for name, (legend, hint, choices) in grouped.items():
        in_groups.update(k for k in (legend, hint) if k)
        yield name, _sentences(TEXT[legend], *([TEXT[hint]] if hint else []), *choices.values())
    for key, value in TEXT.items():
        if key not in in_groups:
            yield key, value.format(**_SAMPLES)
