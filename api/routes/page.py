"""The patient page at ``/``: a form in, a guide and a printable question list out.

Server-rendered with Jinja2 and plain forms, so it works with JavaScript off; the script only adds
suggestions as you type and changes ticks without a reload. No cookies, nothing stored on the
server, no inline scripts or styles (a strict Content-Security-Policy holds), no third-party files.

The form is sent with ``GET`` to ``/guide``: the answers are in the address, so Back and Reload show
the page again and never a "confirm form resubmission" error. ``/`` with answers in the query is the
form filled in (the "Change my answers" link). The access log never writes the query.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import ValidationError

from api.deps import loaded_knowledge_base
from decision_aid import page_text
from decision_aid.engine import build_guide, disclaimer_for
from decision_aid.guide import Guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.page_form import (
    BIOMARKER_CHOICES,
    FormState,
    add_question,
    drug_suggestions,
    first_value,
    form_from_profile,
    long_date,
    profile_from_field,
    question_list,
    questions_markdown,
    read_form,
    readable_day,
    to_profile,
)
from decision_aid.page_result import (
    SELECTION_FIELDS,
    Selection,
    only_top,
    profile_query,
    read_selection,
    result_view,
    sheet,
    sheet_text,
    untick_all,
)
from decision_aid.profile import Profile

router = APIRouter(include_in_schema=False)

_HERE = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"

#: Pages hold health information: never kept by a browser or a proxy cache.
_NO_STORE = {"Cache-Control": "no-store"}


def _static_versions() -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            for path in sorted(STATIC_DIR.iterdir()) if path.is_file() and not path.name.startswith(".")}


_STATIC = _static_versions()

_env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.globals.update(t=page_text.text, words=page_text, biomarker_choices=BIOMARKER_CHOICES)


def _base(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


def _render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    base = _base(request)

    def static(name: str) -> str:
        return f"{base}/static/{name}?v={_STATIC[name]}"

    html = _env.get_template(template).render({"errors": {}, **context}, base=base, static=static)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _not_ready(request: Request) -> HTMLResponse:
    return _render(request, "not_ready.html", status=503)


def _form(request: Request, kb: KnowledgeBase, state: FormState, status: int = 200,
          focus_row: int | None = None) -> HTMLResponse:
    return _render(request, "form.html", status=status, state=state, errors=state.errors,
                   drug_names=[item["name"] for item in _drug_names(request, kb)], focus_row=focus_row)


def _drug_names(request: Request, kb: KnowledgeBase) -> list[dict[str, str]]:
    """The names for the suggestions, listed on first use and kept while the same knowledge base is served."""
    cached: tuple[KnowledgeBase, list[dict[str, str]]] | None = getattr(request.app.state, "page_drug_names", None)
    if cached is None or cached[0] is not kb:
        cached = request.app.state.page_drug_names = (kb, drug_suggestions(kb.drugs))
    return cached[1]


def _result(request: Request, kb: KnowledgeBase, profile: Profile, guide: Guide, selection: Selection,
            status_message: str = "", question_error: str = "") -> HTMLResponse:
    errors = {"new-question": question_error} if question_error else {}
    view = result_view(guide, selection)
    answers = profile_query(profile)
    return _render(
        request, "result.html", guide=guide, view=view, sheet=sheet(guide, view), answers=answers,
        edit_url=f"{_base(request)}/?{urlencode(answers)}", today=long_date(dt.date.today()),
        reviewed_on=readable_day(guide.knowledge_base.reviewed_on), status_message=status_message, errors=errors,
    )


async def _fields(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    fields: dict[str, list[str]] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            fields.setdefault(name, []).append(value)
    return fields


def _query(request: Request) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        fields.setdefault(name, []).append(value)
    return fields


def _has_answers(fields: dict[str, list[str]]) -> bool:
    return any(name not in SELECTION_FIELDS for name in fields)


def _see_other(request: Request, path: str, pairs: list[tuple[str, str]], fragment: str = "") -> Response:
    query = urlencode(pairs)
    url = f"{_base(request)}{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")
    return RedirectResponse(url, status_code=303, headers=_NO_STORE)


def _read_answers(request: Request, kb: KnowledgeBase,
                  fields: dict[str, list[str]]) -> tuple[Profile | None, HTMLResponse | None]:
    """The profile from the answers in the query, or the form again with the problems in words."""
    state = read_form(fields, kb.drugs)
    if first_value(fields, "action") == "add_treatment":  # without JavaScript, a new box comes from the server
        state.errors = {}
        return None, _form(request, kb, state, focus_row=state.add_row())
    if state.errors:  # a person's slip, not a failed request: the form again, with the errors in words
        return None, _form(request, kb, state.with_blank_rows())
    try:
        return to_profile(state, kb.drugs), None
    except ValidationError:
        state.errors = {"sites-bone": page_text.text("bad_page")}
        return None, _form(request, kb, state.with_blank_rows(), status=422)


@router.get("/", response_class=HTMLResponse, summary="The patient page: the form")
def form_page(request: Request) -> HTMLResponse:
    kb = loaded_knowledge_base(request)
    if kb is None:
        return _not_ready(request)
    fields = _query(request)
    if not _has_answers(fields):
        return _form(request, kb, FormState().with_blank_rows())
    profile, form = _read_answers(request, kb, fields)
    if form is not None:
        return form
    assert profile is not None
    return _form(request, kb, form_from_profile(profile))


@router.get("/guide", response_class=HTMLResponse, summary="The patient page: the guide and the question list")
def result_page(request: Request) -> Response:
    kb = loaded_knowledge_base(request)
    if kb is None:
        return _not_ready(request)
    fields = _query(request)
    profile, form = _read_answers(request, kb, fields)
    if form is not None:
        return form
    assert profile is not None
    guide = build_guide(profile, kb)
    selection = read_selection(fields)
    action = first_value(fields, "action")
    answers = profile_query(profile)
    if action == "add_question":
        new = first_value(fields, "new_question")
        if not new.strip():
            return _result(request, kb, profile, guide, selection, question_error=page_text.text("empty_question"))
        selection = selection.with_own(new)
        return _see_other(request, "/guide", [*answers, *selection.query(guide), ("added", "1")], "questions")
    if action in ("keep_top", "untick_all"):
        selection = only_top(selection) if action == "keep_top" else untick_all(selection)
        return _see_other(request, "/guide", [*answers, *selection.query(guide)], "questions")
    status = page_text.text("added_question") if first_value(fields, "added") else ""
    return _result(request, kb, profile, guide, selection, status_message=status)


@router.get("/my-questions.txt", summary="The printed sheet as a plain-text file")
def download_text(request: Request) -> Response:
    kb = loaded_knowledge_base(request)
    if kb is None:
        return _not_ready(request)
    fields = _query(request)
    profile, form = _read_answers(request, kb, fields)
    if form is not None:
        return form
    assert profile is not None
    guide = build_guide(profile, kb)
    selection = read_selection(fields)
    pending = first_value(fields, "new_question")
    if pending.strip():  # typed but not yet added: the person surely wants it on the list
        selection = selection.with_own(pending)
    today = dt.date.today()
    body = sheet_text(sheet(guide, result_view(guide, selection)), today)
    return Response(body, media_type="text/plain; charset=utf-8", headers={
        **_NO_STORE, "Content-Disposition": f'attachment; filename="my-questions-{today.isoformat()}.txt"'})


@router.post("/", response_class=HTMLResponse, summary="The patient page: answers sent the old way")
async def submit(request: Request) -> Response:
    """A form sent with ``POST`` (an older page, or a saved one) goes to the same ``GET`` address."""
    kb = loaded_knowledge_base(request)
    if kb is None:
        return _not_ready(request)
    fields = await _fields(request)
    if "profile" in fields:  # posted from an older result page
        profile = profile_from_field(first_value(fields, "profile"), kb.drugs)
        if profile is None:
            state = FormState(errors={"sites-bone": page_text.text("bad_page")}).with_blank_rows()
            return _form(request, kb, state, status=400)
        path = "/" if first_value(fields, "action") == "edit" else "/guide"
        return _see_other(request, path, profile_query(profile))
    action = first_value(fields, "action")
    path = "/" if action == "add_treatment" else "/guide"
    return _see_other(request, path, [(name, value) for name, values in fields.items() for value in values],
                      "treatments" if action == "add_treatment" else "")


@router.get("/guide/view", response_class=HTMLResponse, summary="The full guide a CDS Hooks card links to")
def guide_view(request: Request) -> HTMLResponse:
    """The page behind the summary card's link. The profile is in the URL fragment, which the browser
    keeps to itself; the page's script sends it to POST /v1/guide and shows the answer. So this
    route sees no patient data, and nothing is stored."""
    return _render(request, "guide_view.html")


@router.post("/my-questions.md", summary="The kept questions as a Markdown file")
async def download(request: Request) -> Response:
    kb = loaded_knowledge_base(request)
    if kb is None:
        return _not_ready(request)
    fields = await _fields(request)
    questions = question_list(fields, ())
    pending = first_value(fields, "new_question")
    if pending.strip():  # typed but not yet added: the person surely wants it on the list
        questions = add_question(questions, pending)
    today = dt.date.today()
    profile = profile_from_field(first_value(fields, "profile"), kb.drugs)
    disclaimer = disclaimer_for(kb, profile is not None and profile.audience == "clinician")
    body = questions_markdown(questions.kept_in_order, day=today, version=kb.version,
                              reviewed_on=kb.meta.reviewed_on.isoformat(), disclaimer=disclaimer)
    return Response(body, media_type="text/markdown; charset=utf-8", headers={
        **_NO_STORE, "Content-Disposition": f'attachment; filename="my-questions-{today.isoformat()}.md"'})


@router.get("/drug-names.json", summary="Names for the suggestions as you type")
def drug_names(request: Request) -> Response:
    kb = loaded_knowledge_base(request)
    if kb is None:
        return JSONResponse({"detail": "The knowledge base is not loaded."}, status_code=503)
    return JSONResponse(_drug_names(request, kb), headers={"Cache-Control": "public, max-age=3600"})


@router.get("/static/{name}", summary="The page's own style sheet, script and icon")
def static_file(name: str) -> Response:
    if name not in _STATIC:
        return JSONResponse({"detail": "Not found"}, status_code=404)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type in ("application/javascript", "image/svg+xml"):
        media_type += "; charset=utf-8"
    return FileResponse(STATIC_DIR / name, media_type=media_type,
                        headers={"Cache-Control": "public, max-age=86400"})
