"""The patient page in a real browser: Debian's chromium driven by Playwright against a real uvicorn
server, under a strict Content-Security-Policy, with JavaScript on and off.

The knowledge base changes while these tests stand still, so they check meaning, not rule ids: the
urgent section comes first and talks about the spinal cord for back pain with weak legs; a question
that was unticked is not in the printed PDF; the ones kept (and one added) are; the printout of the
contract sample, the golden profiles and an urgent profile fits on two A4 pages and carries the
urgent signs with a blank for the acute oncology line.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from patient_page_support import (
    AXE,
    CSP_LISTENER,
    enforce_csp,
    fill_form_as_a_person,
    launch_chromium,
    normalised,
    running_server,
)
from playwright.sync_api import expect
from pypdf import PdfReader

from decision_aid.page_result import profile_query
from decision_aid.profile import parse_profile

TESTS = Path(__file__).resolve().parents[1]
#: The profiles whose printout must fit on two A4 pages: the contract's sample, the golden profiles
#: that say something, and a person with an urgent symptom (the review's first patient, back pain).
PRINTED_PROFILES = {
    "contract-sample": json.loads((TESTS / "fixtures" / "contract_sample.json").read_text()),
    **{path.stem: json.loads(path.read_text()) for path in sorted((TESTS / "golden" / "profiles").glob("*.json"))
       if path.stem != "empty"},
    "urgent-back-pain": {
        "receptors": {"er": "positive", "pr": "positive", "her2": "negative"}, "sites": ["bone"],
        "treatments": [{"drug": "letrozole", "outcome": "progressed"}, {"drug": "Ibrance", "outcome": "progressed"}],
        "symptoms": ["back_pain", "leg_weakness_or_numbness", "bone_pain"], "concerns": ["prognosis"],
    },
}
MAX_PRINTED_PAGES = 2

OWN_QUESTION = "Can I still go swimming while I have this treatment?"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A real uvicorn server on a free localhost port, for the whole module."""
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    """One browser context and page, with what the page asked for and complained about."""

    context: Any
    page: Any
    base_url: str
    javascript: bool
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No CSP violation, no console error, no request off this server, no cookie."""
        outside = [url for url in self.requests if not url.startswith(self.base_url + "/")]
        assert outside == [], f"requests to other origins: {outside}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        if self.javascript:
            assert self.page.evaluate("window.__cspViolations") == []
        assert self.context.cookies() == [], "the page set a cookie"


@pytest.fixture
def visit_factory(browser: Any, base_url: str) -> Iterator[Any]:
    contexts: list[Any] = []

    def make(javascript: bool = True, **options: Any) -> Visit:
        context = browser.new_context(java_script_enabled=javascript, accept_downloads=True, **options)
        contexts.append(context)
        enforce_csp(context)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        visit = Visit(context, page, base_url, javascript)
        page.on("request", lambda request: visit.requests.append(request.url))
        page.on("console", lambda message: visit.console_errors.append(message.text)
                if message.type == "error" else None)
        return visit

    yield make
    for context in contexts:
        context.close()


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def question_texts(page: Any, where: str = "#question-list") -> list[str]:
    texts: list[str] = page.locator(f"{where} li.question label").all_inner_texts()
    return [t.strip() for t in texts]


def all_questions(page: Any) -> list[str]:
    return question_texts(page, "#questions-form")


def ticked(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        "#questions-form input[type=checkbox]:checked", "boxes => boxes.map(b => b.labels[0].textContent.trim())")
    return texts


def result_url(base_url: str, profile: dict[str, Any]) -> str:
    """The result page's address for a profile, as the form would send it (the page is for patients)."""
    return f"{base_url}/guide?" + urlencode(profile_query(parse_profile({**profile, "audience": "patient"})))


def pick_question_to_drop(questions: list[str], disclaimer: str) -> str:
    """A question whose words appear nowhere else on the printed page, so its absence means something."""
    for candidate in questions[1:]:
        needle = normalised(candidate)
        others = [normalised(q) for q in questions if q != candidate] + [normalised(disclaimer)]
        if not any(needle in other for other in others):
            return candidate
    raise AssertionError(f"no question can be told apart from the others: {questions}")


def submit_form(page: Any) -> None:
    page.get_by_role("button", name="Show my guide and questions").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions"


def assert_urgent_first(page: Any) -> None:
    sections = page.eval_on_selector_all("main > section", "els => els.map(e => e.id)")
    assert sections[0] == "urgent", f"sections in order: {sections}"
    urgent = page.locator("#urgent")
    assert urgent.get_by_role("heading", level=2).inner_text() == "Get help now"
    text = urgent.inner_text().lower()
    assert "spinal cord" in text, text
    assert "acute oncology" in text or "emergency" in text, text


def assert_printed(pdf: bytes, kept: list[str], dropped: str, version: str, disclaimer: str) -> str:
    text = pdf_text(pdf)
    flat = normalised(text)
    for question in kept:
        assert normalised(question) in flat, f"kept question missing from the PDF: {question!r}"
    assert normalised(dropped) not in flat, f"dropped question printed: {dropped!r}"
    assert normalised(f"Knowledge base version {version}") in flat
    assert normalised(disclaimer) in flat
    for blank in ("Name:", "Date of visit:", "Who I am seeing:", "My situation", "Your 24-hour acute oncology line:"):
        assert normalised(blank) in flat, f"{blank!r} missing from the printout"
    assert normalised("Page 1 of") in flat, "no page numbers"
    # The kept questions and the help print: not the screen's boxes, the points' text, the glossary.
    for absent in ("Get help now", "What you told us", "Why you see this", "What the words mean", "Background",
                   "Show my guide and questions", "Add to my list", "Keep only the top questions"):
        assert normalised(absent) not in flat, f"{absent!r} should not print"
    return text


def check_download(page: Any, kept: list[str], dropped: str) -> None:
    with page.expect_download() as info:
        page.get_by_role("button", name="Save my list as a file").click()
    download = info.value
    assert download.suggested_filename.startswith("my-questions-")
    assert download.suggested_filename.endswith(".txt")
    body = Path(download.path()).read_text(encoding="utf-8")
    assert "Your 24-hour acute oncology line:" in body
    flat = normalised(body)
    for question in kept:
        assert normalised(question) in flat, f"kept question missing from the file: {question!r}"
    assert normalised(dropped) not in flat


def knowledge_base_version(visit: Visit) -> str:
    response = visit.context.request.get(f"{visit.base_url}/v1/knowledge-base")
    version: str = json.loads(response.text())["version"]
    return version


def count_text(kept: int, total: int) -> str:
    return f"You are keeping {kept} of {total} questions."


def test_the_whole_flow_with_javascript(visit_factory: Any) -> None:
    visit = visit_factory(javascript=True)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    assert page.locator("html").get_attribute("lang") == "en-GB"
    fill_form_as_a_person(page, javascript=True)
    submit_form(page)
    assert_urgent_first(page)
    told = page.locator("#told").inner_text().lower()
    assert "palbociclib" in told and "ibrance" in told, "the brand name was not read as a treatment"

    top = question_texts(page)
    everything = all_questions(page)
    assert 3 <= len(top) <= 8 and everything[:len(top)] == top
    assert ticked(page) == top, "only the top questions start ticked"
    assert page.locator("#background-details").get_attribute("open") is None, "Background starts closed"
    disclaimer = page.locator(".disclaimer").inner_text().strip()
    dropped = pick_question_to_drop(top, disclaimer)
    count = page.locator("#questions-count")
    assert count.inner_text() == count_text(len(top), len(everything))
    page.get_by_label(dropped, exact=True).uncheck()
    expect(count).to_have_text(count_text(len(top) - 1, len(everything)))
    extra = everything[len(top)]  # from the first point: there to tick
    page.get_by_label(extra, exact=True).check()

    url_before = page.url
    page.get_by_label("Add your own question").fill(OWN_QUESTION)
    page.get_by_role("button", name="Add to my list").click()
    own = page.get_by_label(OWN_QUESTION, exact=True)
    own.wait_for()
    assert own.is_checked()
    assert question_texts(page)[0] == OWN_QUESTION, "the person's own questions come first"
    assert page.url == url_before, "adding a question with JavaScript on should not reload the page"
    assert not page.get_by_label(dropped, exact=True).is_checked(), "the untick was lost"
    expect(page.locator("#questions-status")).to_have_text("Your question was added to the list.")
    expect(count).to_have_text(count_text(len(top) + 1, len(everything) + 1))
    assert page.get_by_role("button", name="Print my list").is_visible()

    kept = [top[0], extra, OWN_QUESTION]
    text = assert_printed(page.pdf(format="A4"), kept, dropped, knowledge_base_version(visit), disclaimer)
    assert "spinal cord" in text.lower(), "the urgent signs are on the printout"
    check_download(page, kept, dropped)

    # The quick buttons change the ticks in place.
    page.get_by_role("button", name="Keep only the top questions").click()
    assert ticked(page) == question_texts(page) == [OWN_QUESTION, *top]
    expect(count).to_have_text(count_text(len(top) + 1, len(everything) + 1))
    page.get_by_role("button", name="Untick all questions").click()
    assert ticked(page) == []
    expect(count).to_have_text(count_text(0, len(everything) + 1))
    assert page.url == url_before
    visit.assert_clean()


def test_the_whole_flow_without_javascript(visit_factory: Any) -> None:
    visit = visit_factory(javascript=False)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    fill_form_as_a_person(page, javascript=False)
    submit_form(page)
    assert_urgent_first(page)

    top = question_texts(page)
    everything = all_questions(page)
    assert ticked(page) == top
    disclaimer = page.locator(".disclaimer").inner_text().strip()
    dropped = pick_question_to_drop(top, disclaimer)
    page.get_by_label(dropped, exact=True).uncheck()
    assert not page.get_by_role("button", name="Print my list").is_visible(), "a print button that cannot work"
    assert page.get_by_text("use the print menu of your browser").is_visible()
    # Background is a <details>: it opens without JavaScript, and its questions can be ticked.
    page.locator("#background-details > summary").click()
    background_question = question_texts(page, "#background")[0]
    page.get_by_label(background_question, exact=True).check()

    # Without JavaScript the question goes to the server and the page comes back with every tick kept.
    page.get_by_label("Add your own question").fill(OWN_QUESTION)
    page.get_by_role("button", name="Add to my list").click()
    page.wait_for_load_state()
    assert page.url.endswith("#questions")
    assert page.get_by_label(OWN_QUESTION, exact=True).is_checked()
    assert question_texts(page)[0] == OWN_QUESTION
    assert not page.get_by_label(dropped, exact=True).is_checked(), "the untick was lost in the round trip"
    assert page.get_by_label(top[0], exact=True).is_checked()
    assert page.get_by_label(background_question, exact=True).is_checked()
    assert page.locator("#background-details").get_attribute("open") is not None, "a ticked Background stays open"
    assert page.locator("#questions-status").inner_text() == "Your question was added to the list."
    assert page.locator("#questions-count").inner_text() == count_text(len(top) + 1, len(everything) + 1)
    assert_urgent_first(page)

    # A question ticked under Background prints even when Background is closed again.
    page.locator("#background-details > summary").click()
    assert page.locator("#background-details").get_attribute("open") is None
    kept = [top[0], OWN_QUESTION, background_question]
    assert_printed(page.pdf(format="A4"), kept, dropped, knowledge_base_version(visit), disclaimer)
    check_download(page, kept, dropped)

    # Reload shows the same page; the quick buttons work through the server.
    page.reload()
    assert page.get_by_label(OWN_QUESTION, exact=True).is_checked()
    page.get_by_role("button", name="Keep only the top questions").click()
    page.wait_for_load_state()
    assert ticked(page) == [OWN_QUESTION, *top]
    page.get_by_role("button", name="Untick all questions").click()
    page.wait_for_load_state()
    assert ticked(page) == []
    assert page.locator("#questions-count").inner_text() == count_text(0, len(everything) + 1)

    # "Change my answers" brings the form back as it was filled in.
    page.get_by_role("link", name="Change my answers").first.click()
    page.wait_for_load_state()
    assert page.get_by_label("Name of the medicine").first.input_value() == "Ibrance"
    assert page.get_by_label("Back pain").is_checked()
    assert page.get_by_label("Bones").is_checked()
    visit.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_back_and_reload_never_show_an_error_page(visit_factory: Any, javascript: bool) -> None:
    visit = visit_factory(javascript=javascript)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    page.get_by_label("Bones").check()
    page.get_by_label("My letters say the cancer is triple negative").check()
    submit_form(page)
    assert "ER negative, PR negative, HER2 negative" in page.locator("#told").inner_text()
    for step in (page.reload, page.go_back, page.go_forward, page.reload):
        response = step()
        assert response is not None and response.status == 200, step.__name__
        assert page.get_by_role("heading", level=1).count() == 1, f"no page after {step.__name__}"
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions"
    page.get_by_role("link", name="Change my answers").first.click()
    page.wait_for_load_state()
    response = page.go_back()
    assert response is not None and response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions"
    visit.assert_clean()


def pdf_pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("name", list(PRINTED_PROFILES))
def test_the_printout_fits_on_two_pages(visit_factory: Any, name: str) -> None:
    """Printed as it comes (the top questions ticked): at most two A4 pages, with the top questions,
    the urgent signs and what to do, and a blank for the acute oncology line."""
    from decision_aid.engine import build_guide
    from decision_aid.knowledge_base import load_knowledge_base

    kb = load_knowledge_base()
    profile = PRINTED_PROFILES[name]
    guide = build_guide(parse_profile({**profile, "audience": "patient"}, kb.drugs), kb)
    for javascript in (True, False):
        visit = visit_factory(javascript=javascript)
        page = visit.page
        page.goto(result_url(visit.base_url, profile))
        pdf = page.pdf(format="A4")
        pages = pdf_pages(pdf)
        print(f"{name} ({'javascript' if javascript else 'no javascript'}): {pages} A4 pages")
        assert pages <= MAX_PRINTED_PAGES, f"{name} prints on {pages} pages"
        flat = normalised(pdf_text(pdf))
        for question in guide.top_questions:
            assert normalised(question.text) in flat, f"top question missing: {question.text!r}"
        for item in guide.urgent:
            assert normalised(item.title) in flat and normalised(item.text) in flat, f"urgent sign missing: {item.id}"
        assert normalised("Your 24-hour acute oncology line:") in flat
        assert normalised(f"Page {pages} of {pages}") in flat
        for point in guide.points:
            assert normalised(point.text[:80]) not in flat, f"a point's text printed: {point.id}"
        visit.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_misspelt_medicine_is_explained_next_to_its_box(visit_factory: Any, javascript: bool) -> None:
    visit = visit_factory(javascript=javascript)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    drug = page.get_by_label("Name of the medicine").first
    drug.fill("Ibranse")
    drug.press("Escape")
    page.get_by_role("button", name="Show my guide and questions").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    error = page.locator("#treatment-0-drug-error")
    assert "Did you mean Ibrance" in error.inner_text()
    drug = page.get_by_label("Name of the medicine").first
    assert drug.get_attribute("aria-invalid") == "true"
    assert "treatment-0-drug-error" in (drug.get_attribute("aria-describedby") or "")
    assert page.title().startswith("Error:")
    if javascript:
        assert page.evaluate("document.activeElement.id") == "error-summary"
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#treatment-0-drug")
    drug.fill("Ibrance")
    page.get_by_role("button", name="Show my guide and questions").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions"
    visit.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_another_treatment_box_can_be_added(visit_factory: Any, javascript: bool) -> None:
    visit = visit_factory(javascript=javascript)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    # A combobox either way: the script's suggestions, or the browser's own (a datalist) without it.
    boxes = page.get_by_role("combobox", name="Name of the medicine")
    before = boxes.count()
    assert before >= 1
    boxes.first.fill("letrozole")
    page.get_by_role("button", name="Add another treatment").click()
    page.wait_for_load_state()
    assert boxes.count() == before + 1
    assert boxes.first.input_value() == "letrozole", "adding a box lost what was typed"
    new = boxes.nth(before)
    assert page.get_by_role("group", name=f"Treatment {before + 1}").count() == 1
    if javascript:
        assert page.evaluate("document.activeElement.id") == new.get_attribute("id"), "focus should go to the new box"
        new.press_sequentially("Kisq", delay=40)
        page.get_by_role("option", name="Kisqali").first.wait_for()
        new.press("ArrowDown")
        new.press("Enter")
        assert new.input_value().startswith("Kisqali")
    visit.assert_clean()


def test_suggestions_work_from_the_keyboard(visit_factory: Any) -> None:
    visit = visit_factory(javascript=True)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the main part of the page")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 24, "the skip link is not visible on focus"
    drug = page.get_by_label("Name of the medicine").first
    drug.focus()
    page.keyboard.type("femar", delay=40)
    expect(drug).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox")
    assert listbox.get_by_role("option", name="Femara").first.is_visible()
    page.keyboard.press("ArrowDown")
    active = drug.get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert drug.input_value() == "Femara"
    expect(drug).to_have_attribute("aria-expanded", "false")
    assert page.get_by_role("heading", level=1).inner_text() == "Get ready to talk with your cancer team", \
        "Enter on a suggestion must pick it, not send the form"
    page.keyboard.type("x")
    page.keyboard.press("Escape")
    expect(drug).to_have_attribute("aria-expanded", "false")
    # With the suggestions closed, Enter in a text box sends the form, as a person expects.
    drug.fill("Femara")
    page.get_by_label("If it has ended: about how many months ago?").first.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions"
    visit.assert_clean()


def _axe(page: Any) -> list[dict[str, Any]]:
    result: dict[str, Any] = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
        resultTypes: ['violations']})""")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def _report(violations: list[dict[str, Any]]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. "
                     f"{v['nodes'][0]['target']})" for v in violations)


def test_axe_finds_no_serious_or_critical_problem(visit_factory: Any) -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}. Install it with: npm install --prefix tests/browser "
                    "(scripts/test.sh does this).")
    visit = visit_factory(javascript=True)
    visit.context.add_init_script(path=str(AXE))
    page = visit.page
    scanned = {}
    page.goto(f"{visit.base_url}/")
    scanned["form"] = _axe(page)
    page.get_by_label("Name of the medicine").first.fill("Ibranse")
    page.get_by_role("button", name="Show my guide and questions").click()
    page.wait_for_load_state()
    scanned["form with an error"] = _axe(page)
    page.get_by_label("Name of the medicine").first.fill("")
    fill_form_as_a_person(page, javascript=True)
    submit_form(page)
    scanned["result"] = _axe(page)
    page.get_by_label("Add your own question").fill(OWN_QUESTION)
    page.get_by_role("button", name="Add to my list").click()
    scanned["result after adding a question"] = _axe(page)
    page.locator("#background-details > summary").click()
    scanned["result with Background open"] = _axe(page)
    for name, profile in PRINTED_PROFILES.items():
        page.goto(result_url(visit.base_url, profile))
        scanned[f"result for {name}"] = _axe(page)
    page.goto(f"{visit.base_url}/guide?triple_negative=yes&er=positive")
    scanned["form with a triple-negative answer that does not fit"] = _axe(page)
    bad = {name: [v for v in found if v["impact"] in ("serious", "critical")] for name, found in scanned.items()}
    report = "\n".join(f"== {name}\n{_report(found)}" for name, found in scanned.items() if found)
    print(report or "axe: no violations at all")
    assert all(not found for found in bad.values()), report
    visit.assert_clean()


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_pages_reflow_at_320_pixels(visit_factory: Any, javascript: bool) -> None:
    visit = visit_factory(javascript=javascript, viewport={"width": 320, "height": 640})
    page = visit.page
    page.goto(f"{visit.base_url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the form scrolls sideways at 320 px"
    fill_form_as_a_person(page, javascript=javascript)
    submit_form(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the result scrolls sideways at 320 px"
    visit.assert_clean()


def test_enter_in_a_box_sends_the_form_without_javascript(visit_factory: Any) -> None:
    visit = visit_factory(javascript=False)
    page = visit.page
    page.goto(f"{visit.base_url}/")
    page.get_by_label("Back pain").check()
    drug = page.get_by_label("Name of the medicine").first
    drug.fill("letrozole")
    drug.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Your guide and questions", \
        "Enter should send the form, not add a treatment box"
    visit.assert_clean()
