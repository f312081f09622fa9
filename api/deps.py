"""Named dependencies for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.settings import Settings
from decision_aid.knowledge_base import KnowledgeBase


def loaded_knowledge_base(request: Request) -> KnowledgeBase | None:
    """The knowledge base the app serves, or None while it is not loaded (see /readyz)."""
    kb: KnowledgeBase | None = getattr(request.app.state, "knowledge_base", None)
    return kb


def get_knowledge_base(request: Request) -> KnowledgeBase:
    kb = loaded_knowledge_base(request)
    if kb is None:
        raise HTTPException(503, "The knowledge base is not loaded; see GET /readyz for the reason.")
    return kb


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The dependency itself is async: FastAPI runs a plain ``def`` dependency in its thread pool,
# and that hop cost more per request than building a guide (see bench/README.md). Tests that swap
# the knowledge base override ``knowledge_base_dependency``.
async def knowledge_base_dependency(request: Request) -> KnowledgeBase:
    return get_knowledge_base(request)


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(knowledge_base_dependency)]
