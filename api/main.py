"""The web service: ``api.main:app``. A thin layer over :mod:`decision_aid`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.api_key import ApiKeyMiddleware
from api.body_limit import BodyLimitMiddleware
from api.cds_security import warn_if_unverified
from api.cors import ScopedCorsMiddleware
from api.errors import install_error_handlers
from api.guide_cache import GuideCache
from api.head import HeadAsGetMiddleware
from api.logging_setup import configure_logging
from api.middleware import OperationsMiddleware
from api.routes import cds_hooks, guide, health, knowledge_base, page
from api.settings import Settings
from decision_aid.errors import KnowledgeBaseError
from decision_aid.knowledge_base import load_knowledge_base

logger = logging.getLogger("decision_aid.api")

DESCRIPTION = """
An open, **non-prescriptive** decision aid for metastatic (secondary, stage 4) breast cancer.
Send a person's situation; get back a discussion guide: options a team may discuss, questions to
ask, urgent warning signs, plain-language explanations and a disclaimer. It never recommends,
doses or ranks a drug for a person.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.log_level)
    warn_if_unverified(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            app.state.knowledge_base = load_knowledge_base(settings.rules_dir)
        except KnowledgeBaseError as error:
            # Not ready: /readyz reports the reason and /v1 answers 503 until the files are fixed.
            app.state.knowledge_base = None
            app.state.knowledge_base_error = error.report()
            logger.error("%s", error.report())
        yield

    app = FastAPI(
        title="Metastatic breast cancer decision aid",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.knowledge_base = None
    app.state.guide_cache = GuideCache(settings.guide_cache_size)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes,
                       larger={"/cds-services": settings.cds_max_body_bytes})
    if settings.api_key is not None:  # inside CORS, so a browser sees a 401 rather than a CORS failure
        app.add_middleware(ApiKeyMiddleware, api_key=settings.api_key.get_secret_value())
    # CORS for the API's origins; /cds-services also for browser-based CDS clients (the CDS Hooks sandbox).
    app.add_middleware(ScopedCorsMiddleware, origins=settings.cors_origins, cds_origins=settings.cds_cors_origins)
    app.add_middleware(HeadAsGetMiddleware)
    # Outermost: every response, refusals included, gets a request id, security headers and a log line.
    app.add_middleware(OperationsMiddleware, https=settings.public_base_url.startswith("https://"))
    install_error_handlers(app)
    app.include_router(guide.router)
    guide.publish_profile_schema(app)
    app.include_router(knowledge_base.router)
    app.include_router(health.router)
    app.include_router(page.router)
    app.include_router(cds_hooks.router)
    return app


app = create_app()
