"""Named dependencies for the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.settings import Settings
from decision_aid.knowledge_base import KnowledgeBase


def get_knowledge_base(request: Request) -> KnowledgeBase:
    kb: KnowledgeBase | None = getattr(request.app.state, "knowledge_base", None)
    if kb is None:
        raise HTTPException(503, "The knowledge base is not loaded; see GET /readyz for the reason.")
    return kb


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The dependencies themselves are async: FastAPI runs a plain ``def`` dependency in its thread pool,
# and that hop cost more per request than building a guide (see bench/README.md). Tests that swap
# the knowledge base override ``knowledge_base_dependency``.
async def knowledge_base_dependency(request: Request) -> KnowledgeBase:
    return get_knowledge_base(request)


async def settings_dependency(request: Request) -> Settings:
    return get_settings(request)


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(knowledge_base_dependency)]
SettingsDep = Annotated[Settings, Depends(settings_dependency)]
