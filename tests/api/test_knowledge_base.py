from __future__ import annotations

from fastapi.testclient import TestClient

from decision_aid.knowledge_base import KnowledgeBase


def test_catalogue(client: TestClient, kb: KnowledgeBase) -> None:
    response = client.get("/v1/knowledge-base")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == kb.meta.version
    assert body["reviewed_on"] == kb.meta.reviewed_on.isoformat()
    assert "review" in body["update_policy"]
    assert len(body["rules"]) == len(kb.rules)
    for entry in body["rules"]:
        assert {"id", "topic", "title", "sources"} <= set(entry)
        assert entry["sources"]


def test_one_rule_in_full(client: TestClient, kb: KnowledgeBase) -> None:
    rule = kb.rules[0]
    response = client.get(f"/v1/knowledge-base/rules/{rule.id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conditions"] == rule.when.describe()
    assert body["text"] == {"patient": rule.patient, "clinician": rule.clinician}
    assert [s["id"] for s in body["sources"]] == [s.id for s in rule.sources]


def test_unknown_rule_is_404(client: TestClient) -> None:
    response = client.get("/v1/knowledge-base/rules/no-such-rule")
    assert response.status_code == 404, response.text
    assert "No rule with id 'no-such-rule'" in response.json()["detail"]


def test_drug_vocabulary(client: TestClient) -> None:
    response = client.get("/v1/knowledge-base/drugs")
    assert response.status_code == 200, response.text
    drugs = {d["generic"]: d for d in response.json()["drugs"]}
    assert "Ibrance" in drugs["palbociclib"]["names"]
    assert drugs["palbociclib"]["classes"] == ["cdk46_inhibitor"]


def test_health_and_readiness(client: TestClient, kb: KnowledgeBase) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["knowledge_base"]["rules"] == len(kb.rules)
