"""The knowledge base, read-only: its catalogue, each rule in full, and the drug vocabulary."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import KnowledgeBaseDep
from decision_aid.knowledge_base import Rule

router = APIRouter(prefix="/v1/knowledge-base", tags=["knowledge base"])


def _sources(rule: Rule) -> list[dict[str, Any]]:
    return [s.model_dump(exclude_none=True) for s in rule.sources]


@router.get("", summary="Version, review date, update policy and the catalogue of every rule")
def catalogue(kb: KnowledgeBaseDep) -> dict[str, Any]:
    meta = kb.meta
    return {
        "version": meta.version,
        "reviewed_on": meta.reviewed_on.isoformat(),
        "update_policy": meta.update_policy,
        "topics": meta.topics,
        "rules": [{"id": r.id, "topic": r.topic, "title": r.title, "urgent": r.urgent,
                   "sources": _sources(r)} for r in kb.rules],
    }


@router.get("/rules/{rule_id}", summary="One rule in full: its conditions in words, its text, its sources")
def rule(rule_id: str, kb: KnowledgeBaseDep) -> dict[str, Any]:
    found = kb.by_id.get(rule_id)
    if found is None:
        raise HTTPException(404, f"No rule with id {rule_id[:80]!r}. GET /v1/knowledge-base lists every rule.")
    return {
        "id": found.id, "topic": found.topic, "title": found.title, "urgent": found.urgent,
        "conditions": found.when.describe(),
        "text": {"patient": found.patient, "clinician": found.clinician},
        "questions": list(found.questions),
        "sources": _sources(found),
        "glossary": [{"term": t, "definition": kb.glossary[t]} for t in found.glossary],
        "examples": found.examples.model_dump(),
        "knowledge_base": {"version": kb.version, "reviewed_on": kb.meta.reviewed_on.isoformat()},
    }


@router.get("/drugs", summary="Every drug name, brand, class and group a treatment may be given as")
def drugs(kb: KnowledgeBaseDep) -> dict[str, Any]:
    vocabulary = kb.drugs
    by_generic: dict[str, dict[str, Any]] = {}
    for ref in {r for r in vocabulary.by_name.values() if r.kind == "drug"}:
        by_generic[ref.label] = {"generic": ref.label, "classes": sorted(ref.classes), "names": []}
    for name in vocabulary.display_names:
        ref = vocabulary.resolve(name)
        if ref.kind == "drug" and name != ref.label:
            by_generic[ref.label]["names"].append(name)
    return {
        "groups": [{"key": k, "label": label} for k, label in vocabulary.groups.items()],
        "classes": [{"key": c.key, "label": c.label, "groups": list(c.groups)} for c in vocabulary.classes.values()],
        "drugs": [by_generic[g] for g in sorted(by_generic)],
    }
