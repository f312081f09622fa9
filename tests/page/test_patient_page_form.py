"""The patient page without a browser: the form, the result at its GET address, the round trips a
person makes with JavaScript off, the download, and the page's own words (readability, and that no
word on the page bypasses the readability test).

Rule ids change while the knowledge base is written, so these check meaning, not ids.
"""

from __future__ import annotations

import re
import shutil
import statistics
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from decision_aid import page_text, vocabulary
from decision_aid.engine import build_guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.page_form import FormState, form_from_profile, read_form, to_profile
from decision_aid.page_result import question_id, situation_lines
from decision_aid.profile import parse_profile
from decision_aid.readability import FORMULA, MAX_LIMIT, MEDIAN_LIMIT, grade, masker_for

RED_FLAG_FORM: dict[str, Any] = {
    "sites": ["bone"], "er": "positive", "pr": "unknown", "her2": "negative",
    "treatment-0-drug": "Ibrance", "treatment-0-setting": "metastatic", "treatment-0-outcome": "progressed",
    "treatment-0-months": "", "treatment-1-drug": "", "treatment-1-setting": "metastatic",
    "treatment-1-outcome": "unknown", "treatment-1-months": "",
    "symptoms": ["back_pain", "leg_weakness_or_numbness"], "concerns": ["side_effects"],
    "presentation": "unknown", "menopausal_status": "unknown",
    "pik3ca": "not_tested", "esr1": "not_tested", "akt_pathway": "not_tested", "gbrca": "not_tested",
    "pdl1": "not_tested", "action": "guide",
}


class Page(HTMLParser):
    """A small view of a page: its elements with their attributes, and its visible text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.inline_scripts: list[str] = []
        self._stack: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in ("input", "meta", "link", "br", "img", "hr"):
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop() == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text:
            return
        if self._stack and self._stack[-1] == "script":
            self.inline_scripts.append(text)
        elif "datalist" not in self._stack:
            self.texts.append(text)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> dict[str, str]:
        found = [a for _, a in self.elements if a.get("id") == element_id]
        assert len(found) == 1, f"{len(found)} elements with id {element_id!r}"
        return found[0]


def post(client: TestClient, data: dict[str, Any]) -> Any:
    """The form as the page sends it: GET /guide with the answers in the query."""
    return client.get("/guide", params=data)


def question_fields(page: Page) -> tuple[list[str], list[str]]:
    """The ids of every question on the result page, and of those ticked."""
    boxes = page.find("input", type="checkbox", name="keep")
    return [a["value"] for a in boxes], [a["value"] for a in boxes if "checked" in a]


def result_fields(page: Page, kept: list[str], extra: dict[str, Any]) -> list[tuple[str, str]]:
    """What the question form sends back: the answers (hidden), ``picked``, the ticks and ``extra``."""
    form = page.find("form", id="questions-form")
    assert form
    hidden = [(a["name"], a["value"]) for a in page.find("input", type="hidden")]
    return [*hidden, *(("keep", k) for k in kept), *((k, v) for k, v in extra.items())]


# -- the form ---------------------------------------------------------------------------------------


def test_the_form_is_served_plain_and_private(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    page = Page(response.text)
    assert page.find("html")[0]["lang"] == "en-GB"
    assert len(page.find("h1")) == 1
    # GET, so Back and Reload never ask to send the form again.
    assert page.find("form", id="profile-form")[0]["method"] == "get"
    assert page.find("form", id="profile-form")[0]["action"] == "/guide"
    assert page.find("a", href="#main"), "no skip link"


def test_every_control_has_a_label_and_every_group_a_legend(client: TestClient) -> None:
    html = client.get("/").text
    page = Page(html)
    labelled = {a["for"] for a in page.find("label")}
    controls = [(t, a) for t, a in page.elements if t in ("input", "select", "textarea")
                and a.get("type") not in ("hidden", "submit")]
    assert controls
    for tag, attrs in controls:
        assert attrs.get("id") in labelled, f"{tag} {attrs} has no label"
    # Each radio or checkbox sits in a fieldset whose legend comes first.
    for block in re.findall(r"<fieldset.*?</fieldset>", html, flags=re.S):
        if 'type="radio"' in block or 'type="checkbox"' in block:
            assert re.search(r"<fieldset[^>]*>\s*<legend", block), block[:200]


def test_no_inline_script_style_or_third_party_file(client: TestClient, kb: KnowledgeBase) -> None:
    pages = [client.get("/").text, post(client, RED_FLAG_FORM).text]
    for html in pages:
        page = Page(html)
        assert page.inline_scripts == []
        assert "<style" not in html
        assert not re.search(r"\sstyle=", html), "style attributes break a strict CSP"
        assert not re.search(r"\son[a-z]+=", html), "event-handler attributes break a strict CSP"
        assert "javascript:" not in html
        for tag, attrs in page.elements:
            for name in ("src", "action", "formaction") + (("href",) if tag == "link" else ()):
                url = attrs.get(name)
                if url:
                    assert url.startswith(("/", "#")), f"{tag} {name}={url} is not on this server"
        for script in page.find("script"):
            assert script["src"].startswith("/static/")


def test_static_files_are_served_and_nothing_else(client: TestClient) -> None:
    for name, kind in (("page.css", "text/css"), ("page.js", "javascript"), ("favicon.svg", "image/svg+xml")):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200, name
        assert kind in response.headers["content-type"]
        assert "max-age" in response.headers["cache-control"]
    for bad in ("nothing.css", "..%2Fmain.py", "%2E%2E%2Froutes%2Fpage.py"):
        assert client.get(f"/static/{bad}").status_code == 404, bad
    css = client.get("/static/page.css").text
    assert "@media print" in css and "@import" not in css and "url(" not in css


def test_drug_names_for_suggestions(client: TestClient) -> None:
    names = client.get("/drug-names.json").json()
    assert {"name": "Ibrance", "note": "palbociclib"} in names
    assert all("_" not in item["name"] for item in names), "class keys are not what a person types"


# -- the result -------------------------------------------------------------------------------------


def test_a_red_flag_puts_the_urgent_warning_first(client: TestClient, kb: KnowledgeBase) -> None:
    response = post(client, RED_FLAG_FORM)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    html = response.text
    sections = re.findall(r'<section class="section[^"]*" id="([a-z]+)"', html)
    assert sections[0] == "urgent", sections
    urgent = html[html.index('id="urgent"'):html.index('id="told"')]
    assert "spinal cord" in urgent.lower()
    assert "Why you see this:" in urgent and "Where this comes from:" in urgent
    # The order a person reads: what we understood, the questions to ask first, the options and the
    # other personal points, then the general points under Background.
    assert sections[1:3] == ["told", "questions"], sections
    assert sections.index("options") < sections.index("background")
    assert sections[-1] == "words" or sections[-1] == "background"
    told = html[html.index('id="told"'):html.index('id="questions-form"')]
    assert "palbociclib (ibrance)" in told.lower(), "the brand name was read as the drug it stands for"
    assert page_text.text("told_change") in told
    guide = build_guide(to_profile(read_form(_lists(RED_FLAG_FORM), kb.drugs), kb.drugs), kb)
    background = html[html.index('id="background"'):]
    assert "<details" in background[:300] and "<summary>" in background[:400]
    for point in guide.points:
        where = html.index(f'id="point-{point.id}"')
        assert (where > html.index('id="background"')) == (not point.personal), point.id
    page = Page(html)
    shown, kept = question_fields(page)
    top = [question_id(q.text) for q in guide.top_questions]
    assert kept == top, "only the top questions start ticked"
    assert shown[:len(top)] == top, "the top questions come first"
    assert len(shown) == len(set(shown)) == len(guide.questions), "every question once"
    assert f"Knowledge base version {kb.version}" in html
    assert kb.meta.disclaimer.patient.split(".")[0] in html


def _lists(data: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


def test_an_empty_form_gives_the_general_points_and_no_warning(client: TestClient) -> None:
    html = post(client, {}).text
    assert 'id="urgent"' not in html
    assert 'id="background"' in html
    assert page_text.text("told_none") in html
    assert Page(html).find("input", type="checkbox", name="keep")


def test_back_and_reload_never_resend_a_form(client: TestClient) -> None:
    """The result is a GET address: reloading it gives the same page; the old POST is sent on to it."""
    first = post(client, RED_FLAG_FORM)
    again = client.get(str(first.url))
    assert again.status_code == 200 and again.text.count("<article") == first.text.count("<article")
    moved = client.post("/", data=RED_FLAG_FORM, follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"].startswith("/guide?")


def test_triple_negative_sets_all_three_negative(client: TestClient, kb: KnowledgeBase) -> None:
    state = read_form({"triple_negative": ["yes"], "her2": ["unknown"]}, kb.drugs)
    assert (state.er, state.pr, state.her2, state.errors) == ("negative", "negative", "negative", {})
    assert read_form({"triple_negative": ["yes"], "her2": ["low"]}, kb.drugs).her2 == "low"
    assert to_profile(state, kb.drugs).subtype == "triple_negative"
    page = Page(post(client, {"triple_negative": "yes", "er": "positive"}).text)
    assert page.by_id("triple_negative-error")
    assert page.find("a", href="#triple_negative")
    assert page.by_id("triple_negative")["aria-invalid"] == "true"


def test_the_visit_is_asked_and_passed_on(client: TestClient, kb: KnowledgeBase) -> None:
    assert Page(client.get("/").text).by_id("visit-side_effects")
    state = read_form({"visit": ["side_effects"]}, kb.drugs)
    assert to_profile(state, kb.drugs).visit == "side_effects"
    assert Page(post(client, {"visit": "never"}).text).by_id("visit-unknown-error")


def test_the_form_profile_is_the_api_profile(kb: KnowledgeBase) -> None:
    """The page shows the same guide as POST /v1/guide for the same answers."""
    fields = {k: v if isinstance(v, list) else [v] for k, v in RED_FLAG_FORM.items()}
    state = read_form(fields, kb.drugs)
    assert state.errors == {}
    profile = to_profile(state, kb.drugs)
    expected = parse_profile({
        "receptors": {"er": "positive", "her2": "negative"}, "sites": ["bone"],
        "treatments": [{"drug": "Ibrance", "setting": "metastatic", "outcome": "progressed"}],
        "symptoms": ["back_pain", "leg_weakness_or_numbness"], "concerns": ["side_effects"],
    }, kb.drugs)
    assert build_guide(profile, kb) == build_guide(expected, kb)
    # And back again: changing the answers starts from what was given.
    again = form_from_profile(profile)
    assert to_profile(again, kb.drugs) == profile


# -- mistakes, explained next to the field -----------------------------------------------------------


def test_an_unknown_medicine_is_explained_next_to_its_box(client: TestClient) -> None:
    data = {**RED_FLAG_FORM, "treatment-0-drug": "Ibranse"}
    response = post(client, data)
    assert response.status_code == 200
    page = Page(response.text)
    assert page.find("title") and response.text.count("<title>Error:") == 1
    summary = page.by_id("error-summary")
    assert summary["role"] == "alert"
    assert page.find("a", href="#treatment-0-drug")
    error = response.text[response.text.index('id="treatment-0-drug-error"'):]
    assert "We do not know the medicine Ibranse. Did you mean Ibrance" in error[:300]
    box = page.by_id("treatment-0-drug")
    assert box["value"] == "Ibranse", "what the person typed is kept"
    assert box["aria-invalid"] == "true"
    assert "treatment-0-drug-error" in box["aria-describedby"].split()
    # The rest of the answers are kept too.
    assert "checked" in page.by_id("symptoms-back_pain")
    assert "checked" in page.by_id("er-positive")


def test_months_must_be_a_whole_number(client: TestClient) -> None:
    page = Page(post(client, {**RED_FLAG_FORM, "treatment-0-months": "six"}).text)
    assert "aria-invalid" in page.by_id("treatment-0-months")
    assert page.by_id("treatment-0-months-error")


def test_a_value_not_on_the_form_is_refused_in_words(client: TestClient) -> None:
    page = Page(post(client, {**RED_FLAG_FORM, "symptoms": ["back_pain", "curse"]}).text)
    assert page.by_id("symptoms-bone_pain-error")
    assert page.find("a", href="#symptoms-bone_pain")


def test_a_broken_hidden_profile_sends_the_person_back_to_the_form(client: TestClient) -> None:
    response = client.post("/", data={"profile": "{not json", "action": "add_question", "new_question": "Why?"})
    assert response.status_code == 400
    assert page_text.text("bad_page") in response.text
    assert 'id="profile-form"' in response.text


# -- the round trips a person makes with JavaScript off ---------------------------------------------------


def test_another_treatment_box_without_javascript(client: TestClient) -> None:
    data = {**RED_FLAG_FORM, "treatment-0-drug": "letrozole", "action": "add_treatment"}
    page = Page(post(client, data).text)
    boxes = [a for a in page.find("input") if a.get("class") == "drug-input"]
    assert len(boxes) == 3
    assert boxes[0]["value"] == "letrozole"
    assert "autofocus" in boxes[2] and boxes[2]["value"] == ""
    assert not page.find("div", id="error-summary")


def test_adding_a_question_keeps_every_tick(client: TestClient) -> None:
    first = Page(post(client, RED_FLAG_FORM).text)
    shown, top = question_fields(first)
    dropped = top[1]
    extra = shown[-1]  # a question from a point lower down, ticked by hand
    kept = [q for q in top if q != dropped] + [extra]
    response = client.get("/guide", params=result_fields(
        first, kept, {"action": "add_question", "new_question": "  Can I   travel abroad? "}), follow_redirects=False)
    assert response.status_code == 303, "adding a question sends the person on to the page's own address"
    assert response.headers["location"].endswith("#questions")
    response = client.get(response.headers["location"])
    page = Page(response.text)
    shown_after, kept_after = question_fields(page)
    assert shown_after == shown
    assert kept_after == [q for q in shown if q in kept]
    own = page.find("input", type="checkbox", name="keep_own")
    assert [a["value"] for a in own] == ["Can I travel abroad?"] and "checked" in own[0]
    html = response.text
    assert html.index("Can I travel abroad?") < html.index(f'value="{top[0]}"'), "the person's own questions first"
    assert page_text.text("added_question") in html
    assert page_text.text("questions_count", kept=len(kept) + 1, total=len(shown) + 1) in html
    assert 'id="urgent"' in html, "the whole guide is still there"
    # Reloading the page the person was sent to shows the same, and adds nothing twice.
    assert question_fields(Page(client.get(str(response.url)).text)) == (shown_after, kept_after)


def test_adding_an_empty_question_is_explained(client: TestClient) -> None:
    first = Page(post(client, RED_FLAG_FORM).text)
    shown, kept = question_fields(first)
    response = client.get("/guide", params=result_fields(first, kept, {"action": "add_question", "new_question": " "}))
    page = Page(response.text)
    assert page.by_id("new-question-error")
    assert page.by_id("new-question")["aria-invalid"] == "true"
    assert question_fields(page) == (shown, kept)


@pytest.mark.parametrize("action", ["keep_top", "untick_all"])
def test_the_quick_buttons_work_without_javascript(client: TestClient, action: str) -> None:
    first = Page(post(client, RED_FLAG_FORM).text)
    shown, top = question_fields(first)
    response = client.get("/guide", params=result_fields(first, shown, {"action": action}))
    page = Page(response.text)
    assert question_fields(page) == (shown, top if action == "keep_top" else [])


def test_change_my_answers_fills_the_form_again(client: TestClient) -> None:
    first = Page(post(client, RED_FLAG_FORM).text)
    link = first.by_id("change-answers")["href"]
    assert link.startswith("/?")
    page = Page(client.get(link).text)
    assert page.by_id("treatment-0-drug")["value"] == "Ibrance"
    assert "selected" in page.find("option", value="progressed")[0]
    assert "checked" in page.by_id("sites-bone")
    assert "checked" in page.by_id("symptoms-leg_weakness_or_numbness")
    assert "checked" in page.by_id("her2-negative")
    assert not page.find("div", id="error-summary")


def test_an_older_result_page_still_works(client: TestClient) -> None:
    """A result page saved before the GET address: its POSTs are sent on, not refused."""
    profile = '{"sites":["bone"],"treatments":[{"drug":"Ibrance"}]}'
    page = Page(client.post("/", data={"profile": profile, "action": "edit"}).text)
    assert page.by_id("treatment-0-drug")["value"] == "Ibrance"
    assert "Your questions for this appointment" in client.post("/", data={"profile": profile}).text


# -- the download -----------------------------------------------------------------------------------


def test_the_download_is_the_printed_sheet_as_plain_text(client: TestClient, kb: KnowledgeBase) -> None:
    first = Page(post(client, RED_FLAG_FORM).text)
    shown, top = question_fields(first)
    kept = [top[0], shown[-1]]
    response = client.get("/my-questions.txt", params=result_fields(first, kept, {"new_question": "Mine?"}))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="my-questions-\d{4}-\d{2}-\d{2}\.txt"',
                        response.headers["content-disposition"])
    assert response.headers["cache-control"] == "no-store"
    body = response.text
    guide = build_guide(to_profile(read_form(_lists(RED_FLAG_FORM), kb.drugs), kb.drugs), kb)
    by_id = {question_id(q): q for q in guide.questions}
    assert body.startswith("MY QUESTIONS FOR MY CANCER TEAM\n")
    for blank in ("Name: ", "Date of visit: ", "Who I am seeing: ", "Your 24-hour acute oncology line: "):
        assert re.search(re.escape(blank) + "_{10,}", body), blank
    assert "MY SITUATION\nThe cancer: " in body and "\nTreatments: " in body and "\nNow: " in body
    assert "1. Mine?" in body, "the person's own question comes first"
    assert f"2. {by_id[top[0]]}" in body and f"3. {by_id[shown[-1]]}" in body
    assert by_id[top[1]] not in body, "an unticked question is left out"
    assert "4. " not in body
    for item in guide.urgent:
        assert item.title in body and " ".join(item.text.split()) in body
    assert f"Knowledge base version {kb.version}" in body
    assert " ".join(kb.meta.disclaimer.patient.split()) in body
    assert "<" not in body and "**" not in body and "#" not in body, "plain text, no mark-up"


def test_without_ticks_sent_the_download_holds_the_top_questions(client: TestClient, kb: KnowledgeBase) -> None:
    body = client.get("/my-questions.txt", params=RED_FLAG_FORM).text
    guide = build_guide(to_profile(read_form(_lists(RED_FLAG_FORM), kb.drugs), kb.drugs), kb)
    for number, question in enumerate(guide.top_questions, start=1):
        assert f"{number}. {question.text}" in body
    assert f"{len(guide.top_questions) + 1}. " not in body


# -- the page's own words ---------------------------------------------------------------------------


def test_the_page_words_pass_the_readability_test(kb: KnowledgeBase) -> None:
    mask = masker_for(kb)
    measured = [(grade(text, mask), where, text) for where, text in page_text.passages()]
    median = statistics.median(g for g, _, _ in measured)
    worst = sorted(measured, reverse=True)[:8]
    report = f"{FORMULA}: median {median:.1f} over {len(measured)} passages; hardest:\n" + "\n".join(
        f"  {g:5.1f}  {where}: {text[:90]}" for g, where, text in worst)
    print(report)
    assert median <= MEDIAN_LIMIT, report
    assert max(g for g, _, _ in measured) <= MAX_LIMIT, report


def _allowed_patterns(extra: list[str]) -> re.Pattern[str]:
    """Text made only of page texts (their ``{fields}`` filled with anything) and ``extra`` texts,
    one after another."""
    texts = list(page_text.TEXT.values())
    for name in dir(page_text):
        value = getattr(page_text, name)
        if name.isupper() and isinstance(value, dict) and name != "TEXT":
            texts.extend(str(v) for v in value.values())
    parts = [re.sub(r"\\\{\w+\\\}", ".+?", re.escape(" ".join(t.split()))) for t in texts]
    parts += [re.escape(" ".join(t.split())) for t in extra]
    one = "(?:" + "|".join(sorted(parts, key=len, reverse=True)) + ")"
    return re.compile(f"{one}(?: {one})*")


def _uncovered(texts: list[str], allowed: re.Pattern[str]) -> list[str]:
    return [text for text in texts if not re.fullmatch(r"[\W\d]*", text) and not allowed.fullmatch(text)]


def test_every_word_on_the_form_comes_from_page_text(client: TestClient) -> None:
    """No template hard-codes words that would escape the readability test."""
    html = client.get("/").text
    page = Page(html)
    data_texts = [v for _, a in page.elements for k, v in a.items() if k.startswith("data-text-")]
    assert _uncovered(page.texts + data_texts, _allowed_patterns([])) == []
    error_page = Page(post(client, {**RED_FLAG_FORM, "treatment-0-drug": "Ibranse"}).text)
    assert _uncovered(error_page.texts, _allowed_patterns([])) == []
    triple = Page(post(client, {"triple_negative": "yes", "er": "positive"}).text)
    assert _uncovered(triple.texts, _allowed_patterns([])) == []


def test_every_word_on_the_result_comes_from_page_text_or_the_guide(client: TestClient, kb: KnowledgeBase) -> None:
    fields = {k: v if isinstance(v, list) else [v] for k, v in RED_FLAG_FORM.items()}
    guide = build_guide(to_profile(read_form(fields, kb.drugs), kb.drugs), kb)
    from_guide = [guide.disclaimer, *guide.questions, *guide.understood, *(n.text for n in guide.notices)]
    if guide.safety_line:
        from_guide.append(guide.safety_line)
    from_guide += [value for _, value in situation_lines(guide.understood)]
    for item in (*guide.urgent, *guide.points):
        from_guide += [item.title, item.text, *item.why, *(s.label for s in item.sources)]
    for entry in guide.glossary:
        from_guide += [entry.term, entry.definition]
    page = Page(post(client, RED_FLAG_FORM).text)
    data_texts = [v for _, a in page.elements for k, v in a.items() if k.startswith("data-text-")]
    assert _uncovered(page.texts + data_texts, _allowed_patterns(from_guide)) == []


# -- when the knowledge base is broken --------------------------------------------------------------


def test_a_broken_knowledge_base_gives_a_plain_page(tmp_path: Path) -> None:
    minimal = Path(__file__).resolve().parents[1] / "fixtures" / "rules_minimal"
    rules = tmp_path / "rules"
    shutil.copytree(minimal, rules)
    (rules / "bone.yaml").write_text("topic: [broken\n")
    with TestClient(create_app(Settings(rules_dir=rules))) as broken:
        for response in (broken.get("/"), broken.post("/", data={})):
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("text/html")
            assert page_text.text("not_ready") in response.text
            assert page_text.text("unwell_now") in response.text


@pytest.mark.parametrize("rows", [0, 1, 5])
def test_blank_rows_pad_the_treatments(rows: int) -> None:
    from decision_aid.page_form import BLANK_TREATMENT_ROWS, TreatmentRow

    state = FormState(treatments=[TreatmentRow(drug="letrozole") for _ in range(rows)]).with_blank_rows()
    assert len(state.treatments) == max(BLANK_TREATMENT_ROWS, rows + 1)
    assert state.treatments[-1].empty


@pytest.mark.parametrize("words, values", [
    ("VISIT", "Visit"), ("SITES", "Site"), ("SYMPTOMS", "Symptom"), ("CONCERNS", "Concern"), ("SEX", "Sex"),
    ("MENOPAUSE", "MenopausalStatus"), ("PRESENTATION", "Presentation"), ("RECEPTOR", "ReceptorStatus"),
    ("HER2", "Her2Status"), ("SETTING", "Setting"), ("OUTCOME", "Outcome"), ("GENE", "GeneStatus"),
    ("PDL1", "Pdl1Status"),
])
def test_the_page_offers_every_value_the_profile_accepts(words: str, values: str) -> None:
    """The page's word tables are written by hand; a value added to the vocabulary must get words here."""
    assert set(getattr(page_text, words)) == set(get_args(getattr(vocabulary, values)))


@pytest.mark.parametrize("query", [
    "keep=nothex&keep=%zz&picked=1", "own=" + "x" * 5000, "&".join(f"own=q{n}" for n in range(200)),
    "keep_own=not-added&picked=1", "treatment-999-drug=letrozole", "sites=%00", "action=add_question",
])
def test_odd_addresses_get_a_page_not_an_error(client: TestClient, query: str) -> None:
    for path in ("/guide", "/my-questions.txt", "/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code < 500, (path, query)
    page = Page(client.get(f"/guide?{query}").text)
    assert len(page.find("input", type="checkbox", name="keep_own")) <= 20
