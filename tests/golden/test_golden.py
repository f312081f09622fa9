"""Rendered guides for a few canonical profiles, compared with reviewed files.

A change to clinical wording shows up here as a diff to review. After reviewing, regenerate with
``UPDATE_GOLDEN=1 pytest tests/golden``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from decision_aid.engine import build_guide
from decision_aid.knowledge_base import KnowledgeBase
from decision_aid.profile import parse_profile
from decision_aid.render_markdown import render_markdown

HERE = Path(__file__).resolve().parent
PROFILES = sorted((HERE / "profiles").glob("*.json"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("profile_path", PROFILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("kind", ["md", "json"])
def test_golden(kb: KnowledgeBase, profile_path: Path, kind: str) -> None:
    guide = build_guide(parse_profile(profile_path.read_bytes(), kb.drugs), kb)
    rendered = render_markdown(guide) if kind == "md" else guide.model_dump_json(indent=2) + "\n"
    golden = HERE / "expected" / f"{profile_path.stem}.{kind}"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"No golden file {golden.name}; run UPDATE_GOLDEN=1 pytest tests/golden"
    assert rendered == golden.read_text(encoding="utf-8"), (
        f"{golden.name} differs from the rendered guide; review the change, then UPDATE_GOLDEN=1 pytest tests/golden")
