"""Structured logs: one JSON line per request with its id, method, path, status, duration and the rule
ids that fired, and never anything a person told the service."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE, captured_logs, running_server

from api.main import create_app
from api.settings import Settings


def test_one_access_line_per_request_with_the_rule_ids() -> None:
    with TestClient(create_app(Settings())) as client, captured_logs() as logs:
        response = client.post("/v1/guide?x=1", json=SAMPLE_PROFILE)
    assert response.status_code == 200, response.text
    guide = response.json()
    (line,) = [e for e in logs.entries() if e["logger"] == "decision_aid.access"]
    duration = line.pop("duration_ms")
    assert isinstance(duration, float) and 0 < duration < 10_000
    assert line.pop("ts").endswith("Z")
    assert line == {
        "level": "info", "logger": "decision_aid.access", "msg": "request",
        "request_id": response.headers["x-request-id"], "method": "POST", "path": "/v1/guide", "status": 200,
        "rule_ids": [item["id"] for item in guide["urgent"]] + [point["id"] for point in guide["points"]],
    }


def test_refusals_are_logged_with_their_status_and_no_rule_ids() -> None:
    with TestClient(create_app(Settings())) as client, captured_logs() as logs:
        client.post("/v1/guide", json={"sites": ["bnoe"]})
        client.post("/v1/guide", content=b"x" * 70_000, headers={"content-type": "application/json"})
        client.get("/healthz")
    lines = [e for e in logs.entries() if e["logger"] == "decision_aid.access"]
    assert [(e["method"], e["path"], e["status"], "rule_ids" in e) for e in lines] == [
        ("POST", "/v1/guide", 422, False), ("POST", "/v1/guide", 413, False), ("GET", "/healthz", 200, False)]


# --- the sentinel test: a real server, every line it writes ---------------------------------------

SENTINELS = {
    "valid brand in odd case": "kISQALI",
    "valid generic in odd case": "lEtRoZoLe",
    "unknown drug": "Sentinel-Drug-5f1c",
    "unknown site": "sentinel-site-77a2",
    "unknown field": "sentinel_field_91be",
    "malformed json": "sentinel-malformed-3d0e",
    "not-a-number months": "sentinel-nan-8c4f",
    "query string": "sentinel-query-2b7d",
    "header": "sentinel-header-6e1a",
    "too large": "sentinel-large-0a9d",
    "bad http": "sentinel-http-4c2e",
    "patient page form": "sentinel-page-1f6b",
    "unsafe request id": "sentinel-rid-9d3f",
}


def _send_everything(url: str, port: int) -> list[int]:
    s = SENTINELS
    json_header = {"content-type": "application/json"}
    statuses = []
    with httpx.Client(base_url=url, timeout=10) as client:
        valid = {**SAMPLE_PROFILE, "treatments": [{"drug": s["valid brand in odd case"], "outcome": "progressed"},
                                                  {"drug": s["valid generic in odd case"], "outcome": "progressed"}]}
        ok = client.post("/v1/guide", json=valid)
        assert ok.status_code == 200, ok.text
        assert s["valid brand in odd case"] in ok.text, "the guide's 'why' quotes the name as given"
        statuses.append(ok.status_code)
        for body in (
            {"treatments": [{"drug": s["unknown drug"]}]},
            {"sites": [s["unknown site"]]},
            {s["unknown field"]: True},
        ):
            statuses.append(client.post("/v1/guide", json=body).status_code)
        for raw in (
            b'{"sites": ["' + s["malformed json"].encode() + b'"',
            b'{"treatments": [{"drug": "' + s["not-a-number months"].encode() + b'", "months_since_end": NaN}]}',
            b'{"concerns": ["' + s["too large"].encode() * 5000 + b'"]}',
        ):
            statuses.append(client.post("/v1/guide", content=raw, headers=json_header).status_code)
        statuses.append(client.post(f"/v1/guide?{s['query string']}=1", json={},
                                    headers={"x-patient-note": s["header"]}).status_code)
        statuses.append(client.post("/v1/guide", json={}, headers={"x-request-id": s["unsafe request id"] + "<>"})
                        .status_code)
        statuses.append(client.post("/", data={"er": "positive", "her2": "negative", "action": "guide",
                                               "drug": s["patient page form"]}).status_code)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw_socket:
        raw_socket.sendall(b"GET /" + s["bad http"].encode() + b" \x00\x01HTTP/9\r\n\r\n")
        raw_socket.recv(4096)
    return statuses


def test_no_profile_value_ever_reaches_the_log(tmp_path: Path) -> None:
    with running_server(tmp_path, workers=2) as server:
        statuses = _send_everything(server.url, server.port)
        assert server.stop() == 0
        lines = server.log_lines()
    assert all(status < 500 for status in statuses), statuses
    entries = []
    for line in lines:
        entries.append(json.loads(line))  # every line the server wrote is JSON
        for label, sentinel in SENTINELS.items():
            # Exact case: rule ids may name a drug ("hrpos-after-letrozole-..."); "lEtRoZoLe" is what was sent.
            assert sentinel not in line, f"{label}: {line}"
    access = [e for e in entries if e["logger"] == "decision_aid.access" and e["path"] != "/readyz"]
    # Two workers write to one stream, so lines may come in any order.
    assert sorted(e["status"] for e in access) == sorted(statuses)
    assert all({"request_id", "method", "path", "status", "duration_ms"} <= set(e) for e in access)
    assert any(e.get("rule_ids") for e in access), "the guide's rule ids are logged"


def test_a_client_that_hangs_up_is_logged_as_499_without_a_trace() -> None:
    import asyncio

    app = create_app(Settings())
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/guide", "raw_path": b"/v1/guide", "root_path": "", "query_string": b"",
             "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}
    with TestClient(app), captured_logs() as logs:  # the lifespan loads the knowledge base
        asyncio.run(app(scope, receive, send))
    assert sent == [], "nobody is listening, so nothing is sent"
    (line,) = [e for e in logs.entries() if e["logger"] == "decision_aid.access"]
    assert (line["path"], line["status"]) == ("/v1/guide", 499)
    assert [e for e in logs.entries() if e["level"] == "error"] == []


def test_an_unexpected_error_gets_the_contract_500_and_a_log_line_without_its_message() -> None:
    app = create_app(Settings())

    @app.get("/v1/boom")
    def boom() -> None:
        raise KeyError("sentinel-boom-7c1d")

    with TestClient(app, raise_server_exceptions=False) as client, captured_logs() as logs:
        response = client.get("/v1/boom")
        assert client.get("/healthz").status_code == 200
    assert response.status_code == 500
    assert response.json() == {"detail": "Something went wrong on our side. Please try again."}
    assert response.headers["x-request-id"] and response.headers["content-security-policy"]
    error = next(e for e in logs.entries() if e["level"] == "error")
    assert error["error"] == "KeyError" and error["where"].startswith("test_logs.py:")
    assert error["request_id"] == response.headers["x-request-id"]
    assert all("sentinel-boom-7c1d" not in line for line in logs.lines)
