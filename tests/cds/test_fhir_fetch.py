"""Fetching missing prefetch from the EHR's FHIR server: a real HTTP server on localhost, real requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from cds.cds_support import SERVICE_URL, Auth, card_with_topic, hook_body, load

PATIENT = "mbc-hr-1"
TOKEN = "ehr-access-token-7f3a9c1e5b"


class FakeEhr:
    """What the EHR's FHIR server holds for one patient, and what it was asked."""

    def __init__(self) -> None:
        self.data = load("hr_positive_after_ai_pik3ca.json")
        self.requests: list[tuple[str, str | None]] = []
        self.delay = 0.0
        self.failing: set[str] = set()
        self.endless = False

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        if self.delay:
            time.sleep(self.delay)
        resource = path.removeprefix("/fhir/")
        if resource in self.failing:
            return 500, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "exception"}]}
        if resource == f"Patient/{PATIENT}":
            return 200, self.data["patient"]
        if resource.startswith("Patient/"):
            return 404, {"resourceType": "OperationOutcome", "issue": [{"severity": "error", "code": "not-found"}]}
        if query.get("patient") != [PATIENT]:
            return 200, {"resourceType": "Bundle", "type": "searchset", "total": 0}
        if resource == "Condition":
            return 200, self._paged(self.data["conditions"], query)
        if resource == "Observation":
            code = query.get("code", [""])[0]
            key = {"": "tumor_markers", "http://loinc.org|69548-6": "genomic_variants",
                   "http://loinc.org|97509-4": "disease_status"}[code]
            return 200, self.data[key]
        if resource == "MedicationRequest":
            return 200, self.data["medication_requests"]
        return 200, {"resourceType": "Bundle", "type": "searchset", "total": 0}

    def _paged(self, bundle: dict[str, Any], query: dict[str, list[str]]) -> dict[str, Any]:
        entries = bundle["entry"]
        page = int(query.get("page", ["1"])[0])
        if page == 2 and not self.endless:
            return {**bundle, "entry": entries[2:]}
        next_url = f"{self.base_for_links or self.base}/Condition?patient={PATIENT}&page={page + 1}"
        return {**bundle, "entry": entries[:2], "link": [{"relation": "next", "url": next_url}]}

    base = ""
    base_for_links = ""


@pytest.fixture()
def ehr() -> Iterator[FakeEhr]:
    fake = FakeEhr()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            parts = urlsplit(self.path)
            fake.requests.append((self.path, self.headers.get("Authorization")))
            status, body = fake.answer(parts.path, parse_qs(parts.query))
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.base = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


def app_for(ehr: FakeEhr, secure_settings: Settings, **changes: Any) -> TestClient:
    settings = secure_settings.model_copy(update={"cds_fhir_servers": [ehr.base], "cds_fhir_timeout_seconds": 2.0,
                                                  **changes})
    return TestClient(create_app(settings))


def with_server(ehr: FakeEhr, prefetch: dict[str, Any] | None = None, server: str | None = None) -> dict[str, Any]:
    return hook_body(prefetch, PATIENT, fhirServer=server or ehr.base, fhirAuthorization={
        "access_token": TOKEN, "token_type": "Bearer", "expires_in": 300, "scope": "patient/*.read",
        "subject": "decision-aid", "patient": PATIENT})


def test_missing_prefetch_is_fetched_with_the_lent_token(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    with app_for(ehr, secure_settings) as client:
        fetched = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
        prefetched = hook_body(load("hr_positive_after_ai_pik3ca.json"), PATIENT)
        sent = client.post(SERVICE_URL, json=prefetched, headers=auth())
    assert fetched.status_code == 200, fetched.text
    links = [card.get("links") for card in fetched.json()["cards"]]
    assert links == [card.get("links") for card in sent.json()["cards"]], "the same guide as from prefetch"
    assert ehr.requests and all(header == f"Bearer {TOKEN}" for _, header in ehr.requests)
    paths = [path for path, _ in ehr.requests]
    assert f"/fhir/Patient/{PATIENT}" in paths
    assert any("page=2" in path for path in paths), "the next page was followed"
    facts = card_with_topic(fetched.json()["cards"], "record")["detail"]
    assert "Spread to: liver" in facts, "an entry from the second page"
    assert "further pages" not in facts


def test_only_the_missing_keys_are_fetched(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    prefetch = {k: v for k, v in load("hr_positive_after_ai_pik3ca.json").items() if k != "conditions"}
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr, prefetch), headers=auth())
    assert response.status_code == 200
    assert [path.split("?")[0] for path, _ in ehr.requests] == ["/fhir/Condition", "/fhir/Condition"], "and its page 2"


def test_the_token_is_never_logged(ehr: FakeEhr, secure_settings: Settings, auth: Auth,
                                   capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    ehr.failing.add("MedicationRequest")
    with caplog.at_level("DEBUG"), app_for(ehr, secure_settings) as client:
        client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
        bad = {**with_server(ehr), "fhirAuthorization": {"access_token": TOKEN, "expires_in": "soon"}}
        invalid = client.post(SERVICE_URL, json=bad, headers=auth())
    assert invalid.status_code == 400 and TOKEN not in invalid.text
    captured = capsys.readouterr()
    assert "could not fetch medication_requests" in captured.err
    assert TOKEN not in captured.err + captured.out + caplog.text


def test_an_unlisted_fhir_server_is_never_called(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    with app_for(ehr, secure_settings, cds_fhir_servers=[]) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
    assert response.status_code == 412
    assert "not configured to fetch" in response.json()["issue"][0]["details"]["text"]
    assert ehr.requests == []


def test_a_slow_fhir_server_gives_412_naming_the_keys(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    ehr.delay = 1.5
    with app_for(ehr, secure_settings, cds_fhir_timeout_seconds=0.3) as client:
        started = time.monotonic()
        response = client.post(SERVICE_URL, json=with_server(ehr, {"patient": load(
            "hr_positive_after_ai_pik3ca.json")["patient"]}), headers=auth())
        elapsed = time.monotonic() - started
    assert response.status_code == 412
    diagnostics = response.json()["issue"][0]["diagnostics"]
    assert "conditions (timed out)" in diagnostics and "patient" not in diagnostics.split(":", 1)[1].split(",")[0]
    assert elapsed < 1.5, "the keys are fetched together, and each gives up at the timeout"


def test_a_failing_fhir_server_gives_412(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    ehr.failing.add("Condition")
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
    assert response.status_code == 412
    assert "conditions (HTTP 500)" in response.json()["issue"][0]["diagnostics"]


def test_an_optional_key_that_fails_is_named_but_the_guide_is_built(ehr: FakeEhr, secure_settings: Settings,
                                                                   auth: Auth) -> None:
    ehr.failing.add("MedicationStatement")
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
    assert response.status_code == 200
    assert "did not send 'medication\\_statements'" in card_with_topic(response.json()["cards"], "record")["detail"]


def test_a_patient_the_server_does_not_know_is_no_data(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    body = hook_body(None, "unknown-patient", fhirServer=ehr.base)
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=body, headers=auth())
    assert response.status_code == 200
    assert "Patient record not found" in card_with_topic(response.json()["cards"], "record")["detail"]
    assert all(header is None for _, header in ehr.requests), "no token lent, none sent"


def test_paging_stops_after_a_few_pages_and_says_so(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    ehr.endless = True
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
    assert response.status_code == 200
    assert sum(path.startswith("/fhir/Condition") for path, _ in ehr.requests) == 5
    facts = card_with_topic(response.json()["cards"], "record")["detail"]
    assert "'conditions' has more results on further pages, which were not read" in facts


def test_next_links_to_another_host_are_not_followed(ehr: FakeEhr, secure_settings: Settings, auth: Auth) -> None:
    ehr.base_for_links = "https://elsewhere.example.com/fhir"
    with app_for(ehr, secure_settings) as client:
        response = client.post(SERVICE_URL, json=with_server(ehr), headers=auth())
    assert response.status_code == 200
    assert not any("page=2" in path for path, _ in ehr.requests), "the token never goes to another host"
    assert "further pages, which were not read" in card_with_topic(response.json()["cards"], "record")["detail"]


@pytest.mark.parametrize("url", ["http://ehr.example.org/fhir", "http://localhost.evil.example.com/fhir",
                                 "https://user:secret@ehr.example.org/fhir", "ftp://ehr.example.org", "https://"])
def test_only_https_fhir_servers_may_be_configured(url: str) -> None:
    with pytest.raises(ValueError, match="DECISION_AID_CDS_FHIR_SERVERS"):
        Settings(cds_fhir_servers=[url])
