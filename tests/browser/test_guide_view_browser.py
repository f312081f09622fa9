"""The full guide a CDS Hooks card links to, in a real browser (Debian's chromium, a real uvicorn
server, the strict Content-Security-Policy): the page renders the guide from the link's fragment,
in clinician or patient wording, and says plainly when JavaScript is off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from patient_page_support import AXE, CSP_LISTENER, enforce_csp, launch_chromium, running_server

from decision_aid.fhir.cards import guide_link
from decision_aid.profile import Profile

PROFILE = {"receptors": {"er": "positive", "pr": "positive", "her2": "negative"}, "sites": ["bone", "liver"],
           "treatments": [{"drug": "letrozole", "setting": "metastatic", "outcome": "progressed"}]}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with running_server() as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


def open_link(browser: Any, url: str, *, javascript: bool = True) -> tuple[Any, Any, list[Any], list[str]]:
    context = browser.new_context(java_script_enabled=javascript)
    enforce_csp(context)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    requests: list[Any] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(url)
    return context, page, requests, errors


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_the_link_opens_the_guide_for_this_record(browser: Any, base_url: str, audience: str) -> None:
    profile = Profile.model_validate({**PROFILE, "audience": audience})
    url = guide_link(profile, base_url)
    expected = json.loads(browser.new_context().request.post(
        f"{base_url}/v1/guide", data=json.dumps({**PROFILE, "audience": audience}),
        headers={"Content-Type": "application/json"}).text())
    context, page, requests, errors = open_link(browser, url)
    try:
        page.locator("#points article").first.wait_for()
        titles = [t.strip() for t in page.locator("#points article h3").all_inner_texts()]
        assert titles == [point["title"] for point in expected["points"]]
        texts = [t.strip() for t in page.locator("#points article > p:nth-of-type(1)").all_inner_texts()]
        assert texts == [point["text"] for point in expected["points"]], f"{audience} wording"
        top = [t.strip() for t in page.locator("#top-questions li").all_inner_texts()]
        assert top == [item["text"] for item in expected["top_questions"]]
        assert expected["disclaimer"] in page.locator(".disclaimer").inner_text()
        assert page.evaluate("window.__cspViolations") == []
        assert errors == []
        sent = [(r.method, r.url) for r in requests]
        assert all(u.startswith(base_url + "/") for _, u in sent), sent
        assert ("POST", f"{base_url}/v1/guide") in sent
        fragment = url.split("#", 1)[1]
        assert not any(fragment.split("=", 1)[1] in u for _, u in sent), "the fragment never leaves the browser"
        assert context.cookies() == []
    finally:
        context.close()


def test_axe_finds_no_serious_or_critical_problem_on_the_guide_page(browser: Any, base_url: str) -> None:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: scripts/test.sh installs it with npm.")
    profile = Profile.model_validate({**PROFILE, "audience": "patient", "symptoms": ["back_pain",
                                                                                   "leg_weakness_or_numbness"]})
    context = browser.new_context()
    enforce_csp(context)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    try:
        page.goto(guide_link(profile, base_url))
        page.locator("#points article").first.wait_for()
        assert page.locator("#urgent article").count() >= 1
        result = page.evaluate("""async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
            resultTypes: ['violations']})""")
        bad = [f"{v['impact']}: {v['id']}: {v['help']}" for v in result["violations"]
               if v["impact"] in ("serious", "critical")]
        assert bad == [], bad
        assert page.locator("h1").count() == 1
    finally:
        context.close()


def test_without_javascript_the_page_says_it_is_needed(browser: Any, base_url: str) -> None:
    context, page, _, _ = open_link(browser, guide_link(Profile(), base_url), javascript=False)
    try:
        assert "This page needs JavaScript to show the guide" in page.locator("main").inner_text()
    finally:
        context.close()


def test_a_broken_link_says_so(browser: Any, base_url: str) -> None:
    context, page, _, errors = open_link(browser, f"{base_url}/guide/view#profile=not-base64!")
    try:
        status = page.locator("#guide-status")
        status.filter(has_text="could not be read").wait_for()
        assert errors == []
    finally:
        context.close()
