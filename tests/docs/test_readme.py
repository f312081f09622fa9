"""The README's examples work."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_the_curl_example_works(client: TestClient) -> None:
    body = re.search(r"curl -s http://127\.0\.0\.1:8000/v1/guide .*? -d '(\{.*?\})'", README, re.DOTALL)
    assert body, "README lost its curl example"
    response = client.post("/v1/guide", json=json.loads(body.group(1)))
    assert response.status_code == 200, response.text
    guide = response.json()
    assert "spinal cord" in guide["urgent"][0]["text"].lower()
    assert any("'Femara' (read as letrozole" in line for p in guide["points"] for line in p["why"])


def test_the_error_example_is_what_the_api_says(client: TestClient) -> None:
    shown = re.search(r'```json\n(\{"detail".*?)\n```', README, re.DOTALL)
    assert shown
    response = client.post("/v1/guide", json={"receptors": {"her2": "postive"}})
    assert response.json() == json.loads(shown.group(1))


def test_the_readme_states_the_knowledge_base_version_and_review_date(client: TestClient) -> None:
    kb = client.get("/v1/knowledge-base").json()
    assert f"Version {kb['version']}, reviewed on {kb['reviewed_on']}" in README
    assert f"{len(kb['rules'])} rules" in README
    assert "Update policy" in README


def test_the_readme_commands_exist() -> None:
    root = Path(__file__).resolve().parents[2]
    for script in ("scripts/serve.sh", "scripts/test.sh"):
        assert f"./{script}" in README
        assert (root / script).stat().st_mode & 0o111
    assert "scripts/test.sh" in (root / ".ci" / "run").read_text()


def test_the_readme_readability_figures_are_current() -> None:
    import statistics

    from decision_aid.knowledge_base import load_knowledge_base
    from decision_aid.readability import masker_for, measure, patient_texts

    kb = load_knowledge_base()
    grades = [m.grade for m in measure(patient_texts(kb), masker_for(kb))]
    stated = f"Over all {len(grades)} patient-facing texts"
    assert stated in README
    assert f"median grade {statistics.median(grades):.1f}, highest {max(grades):.1f}" in README


def test_the_readme_serve_command_starts_the_service() -> None:
    import os
    import signal
    import socket
    import subprocess
    import time

    import httpx

    root = Path(__file__).resolve().parents[2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["./scripts/serve.sh", "--port", str(port)], cwd=root, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ})
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else "serve.sh stopped"
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.5)
                continue
            assert ready.status_code == 200, ready.text
            guide = httpx.post(f"http://127.0.0.1:{port}/v1/guide", json={"sites": ["bone"]}, timeout=10)
            assert guide.status_code == 200, guide.text
            assert guide.json()["points"]
            return
        raise AssertionError("scripts/serve.sh did not answer /readyz within 300 s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()
