"""Every response carries a request id and the security headers; the patient page works under them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE

from api.main import create_app
from api.security_headers import DOCS_CSP, STRICT_CSP
from api.settings import Settings

SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _requests(client: TestClient) -> list[tuple[str, object]]:
    json_header = {"content-type": "application/json"}
    return [
        ("guide 200", client.post("/v1/guide", json=SAMPLE_PROFILE)),
        ("guide 422", client.post("/v1/guide", json={"sites": ["bnoe"]})),
        ("guide 413", client.post("/v1/guide", content=b"[" + b"1," * 40_000 + b"1]", headers=json_header)),
        ("guide 415", client.post("/v1/guide", content=b"{}", headers={"content-type": "text/plain"})),
        ("guide 405", client.get("/v1/guide")),
        ("404", client.get("/no-such-page")),
        ("catalogue", client.get("/v1/knowledge-base")),
        ("healthz", client.get("/healthz")),
        ("readyz", client.get("/readyz")),
        ("openapi", client.get("/openapi.json")),
        ("page", client.get("/")),
        ("page asset", client.get("/static/page.css")),
    ]


def test_every_response_has_a_request_id_and_the_security_headers(client: TestClient) -> None:
    seen = set()
    responses = _requests(client)
    for label, response in responses:
        headers = response.headers  # type: ignore[attr-defined]
        assert re.fullmatch(r"[0-9a-f]{32}", headers.get("x-request-id", "")), label
        seen.add(headers["x-request-id"])
        assert headers.get("content-security-policy") == STRICT_CSP, label
        for name, value in SECURITY.items():
            assert headers.get(name) == value, f"{label}: {name}"
        assert "strict-transport-security" not in headers, f"{label}: no HSTS on a plain-http deployment"
    assert len(seen) == len(responses), "each request gets its own id"


def test_the_policy_says_what_the_issue_asks() -> None:
    directives = dict(d.strip().split(" ", 1) for d in STRICT_CSP.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in STRICT_CSP and "unsafe-eval" not in STRICT_CSP


def test_a_request_id_from_the_load_balancer_is_kept(client: TestClient) -> None:
    response = client.get("/healthz", headers={"x-request-id": "lb-7f3a.42:abc_DEF"})
    assert response.headers["x-request-id"] == "lb-7f3a.42:abc_DEF"


@pytest.mark.parametrize("sent", [b"", b"a b", b"<script>", b"x" * 65, "\u00e4".encode(), b"-leading-dash"])
def test_an_unsafe_request_id_is_replaced(client: TestClient, sent: bytes) -> None:
    response = client.get("/healthz", headers=[(b"x-request-id", sent)])
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_posted_answers_are_never_cached(client: TestClient) -> None:
    assert client.post("/v1/guide", json={}).headers["cache-control"] == "no-store"
    assert client.post("/v1/guide", json={"sites": ["x"]}).headers["cache-control"] == "no-store"


def test_hsts_when_the_public_url_is_https() -> None:
    with TestClient(create_app(Settings(public_base_url="https://decision-aid.example.org"))) as client:
        assert client.get("/healthz").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


# --- the docs page's relaxed policy ---------------------------------------------------------------

class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.inline_styles = 0
        self.handlers: list[str] = []
        self._in_script_without_src = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            if attributes.get(name) and tag in ("script", "link", "img"):
                self.urls.append(str(attributes[name]))
        self._in_script_without_src = tag == "script" and not attributes.get("src")
        if tag == "style" or "style" in attributes:
            self.inline_styles += 1
        self.handlers += [name for name in attributes if name.startswith("on")]
        href = attributes.get("href") or ""
        if href.strip().lower().startswith("javascript:"):
            self.handlers.append(href)

    def handle_data(self, data: str) -> None:
        if self._in_script_without_src and data.strip():
            self.inline_scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script_without_src = False


def test_docs_get_a_policy_that_lets_swagger_ui_load(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == DOCS_CSP
    assert response.headers["x-frame-options"] == "DENY"
    assets = _Assets()
    assets.feed(response.text)
    script_src = next(d for d in DOCS_CSP.split(";") if d.strip().startswith("script-src"))
    for url in assets.urls:
        if url.startswith("https://"):
            host = "/".join(url.split("/")[:3])
            assert host in DOCS_CSP, f"{url} would be blocked by the docs policy"
    assert assets.inline_scripts and "'unsafe-inline'" in script_src
    assert "frame-ancestors 'none'" in DOCS_CSP


def test_redoc_gets_the_docs_policy_too(client: TestClient) -> None:
    assert client.get("/redoc").headers["content-security-policy"] == DOCS_CSP


# --- the patient page under the strict policy -----------------------------------------------------

def _check_page_fits_the_strict_policy(client: TestClient, html: str) -> None:
    assets = _Assets()
    assets.feed(html)
    assert assets.inline_scripts == [], "inline <script> is blocked by script-src 'self'"
    assert assets.inline_styles == 0, "<style> and style= are blocked by style-src 'self'"
    assert assets.handlers == [], "on*= handlers and javascript: links are blocked"
    assert assets.urls
    for url in assets.urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not from this origin"
        assert client.get(url).status_code == 200, url


def test_the_patient_form_fits_the_strict_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200, response.text
    assert response.headers["content-security-policy"] == STRICT_CSP
    _check_page_fits_the_strict_policy(client, response.text)


def test_the_patient_result_page_fits_the_strict_policy(client: TestClient) -> None:
    response = client.post("/", data={"er": "positive", "her2": "negative", "sites": "bone", "action": "guide"})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    _check_page_fits_the_strict_policy(client, response.text)


def test_the_page_script_uses_nothing_the_policy_blocks(client: TestClient) -> None:
    script = client.get("/static/page.js").text
    for blocked in ("eval(", "new Function", "setAttribute(\"style\"", "setAttribute('style'", "cssText",
                    "<style", "javascript:"):
        assert blocked not in script, blocked
