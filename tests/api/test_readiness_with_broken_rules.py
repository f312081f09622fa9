from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

MINIMAL = Path(__file__).resolve().parent.parent / "fixtures" / "rules_minimal"


def test_a_broken_knowledge_base_is_reported_by_readyz(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(MINIMAL, rules)
    bone = rules / "bone.yaml"
    bone.write_text(bone.read_text().replace("sources: [ASCO-BMA]", "sources: [ASCO-BMX]"))
    with TestClient(create_app(Settings(rules_dir=rules))) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["error"].endswith("=====> Unknown source id 'ASCO-BMX'. Did you mean 'ASCO-BMA'?")
        assert "==> File rules/bone.yaml" in ready.json()["error"]
        guide = client.post("/v1/guide", json={})
        assert guide.status_code == 503
        assert client.get("/healthz").status_code == 200


def test_a_small_knowledge_base_can_be_swapped_in(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(rules_dir=MINIMAL))) as client:
        guide = client.post("/v1/guide", json={"sites": ["bone"]}).json()
        assert [p["id"] for p in guide["points"]] == ["test-bone-medicines", "test-general"]
