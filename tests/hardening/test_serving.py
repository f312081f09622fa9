"""Production serving as docs/deployment.md describes it: several uvicorn workers, a graceful
shutdown that finishes what is in flight, probes for a load balancer, and no state between requests."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from hardening_support import SAMPLE_PROFILE, running_server

from api.main import create_app
from api.settings import Settings


def _read_response(connection: socket.socket) -> tuple[str, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        assert chunk, f"the server closed the connection before answering: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in header_lines)}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, "the server closed the connection in the middle of the body"
        body += chunk
    return status_line, headers, body


def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path) -> None:
    body = json.dumps(SAMPLE_PROFILE).encode()
    with running_server(tmp_path, workers=2) as server:
        expected = httpx.post(server.url + "/v1/guide", json=SAMPLE_PROFILE).json()
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=15)
        with connection:
            # A slow client: the headers and half the body now, the rest after the signal.
            connection.sendall(b"POST /v1/guide HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                               + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 2])
            time.sleep(0.5)
            server.process.send_signal(signal.SIGTERM)  # as an orchestrator sends it
            time.sleep(1.0)
            assert server.process.poll() is None, "the server must wait for the request in flight"
            connection.sendall(body[len(body) // 2:])
            status_line, headers, answer = _read_response(connection)
        assert status_line == "HTTP/1.1 200 OK", answer[:500]
        assert json.loads(answer) == expected
        assert headers["connection"] == "close", "a draining server does not keep the connection alive"
        assert server.process.wait(timeout=20) == 0
        lines = [json.loads(line) for line in server.log_lines()]
    messages = [line["msg"] for line in lines]
    assert "Received SIGTERM, exiting." in messages
    assert sum(m.startswith("Finished server process") for m in messages) == 2


def test_sigterm_with_nothing_in_flight_stops_promptly(tmp_path: Path) -> None:
    with running_server(tmp_path, workers=2) as server:
        assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
        started = time.monotonic()
        assert server.stop(timeout=15) == 0
    assert time.monotonic() - started < 10


def test_probes_for_a_load_balancer() -> None:
    with TestClient(create_app(Settings())) as client:
        live = client.get("/healthz")
        ready = client.get("/readyz")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    assert ready.status_code == 200, ready.text
    assert ready.json()["status"] == "ready"
    assert ready.json()["knowledge_base"]["rules"] > 0


def test_not_ready_until_the_knowledge_base_has_loaded() -> None:
    app = create_app(Settings())
    client = TestClient(app)  # no lifespan yet: the knowledge base is not loaded
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503
    assert client.post("/v1/guide", json={}).status_code == 503


def test_stateless_any_instance_gives_the_same_answer() -> None:
    """Nothing a request leaves behind changes another's answer, in this instance or another."""
    other = {"receptors": {"er": "negative", "pr": "negative", "her2": "negative"}, "audience": "clinician",
             "symptoms": ["headache", "seizure"]}
    with TestClient(create_app(Settings())) as first, TestClient(create_app(Settings())) as second:
        before = first.post("/v1/guide", json=SAMPLE_PROFILE).content
        first.post("/v1/guide", json=other)
        first.post("/v1/guide", json={"sites": ["nope"]})
        after = first.post("/v1/guide", json=SAMPLE_PROFILE).content
        elsewhere = second.post("/v1/guide", json=SAMPLE_PROFILE).content
    assert before == after == elsewhere
