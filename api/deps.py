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


KnowledgeBaseDep = Annotated[KnowledgeBase, Depends(get_knowledge_base)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
