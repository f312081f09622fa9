"""The service's settings: one typed class, read from ``DECISION_AID_*`` environment variables.

The defaults work from a fresh clone. Unsafe values are refused with a message naming the key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from decision_aid.knowledge_base import DEFAULT_RULES_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DECISION_AID_", extra="ignore")

    rules_dir: Path = Field(DEFAULT_RULES_DIR, description="the knowledge-base folder")
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=1024 * 1024,
                                description="larger request bodies get 413")
    cors_origins: list[str] = Field(default_factory=list,
                                    description="browser origins allowed to call the API (JSON list)")
    public_base_url: str = Field("http://localhost:8000",
                                 description="the service's public URL, used in links it returns")

    @field_validator("rules_dir")
    @classmethod
    def _rules_dir_exists(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"DECISION_AID_RULES_DIR points to {str(value)!r}, which is not a folder")
        if not any(value.glob("*.yaml")):
            raise ValueError(f"DECISION_AID_RULES_DIR points to {str(value)!r}, which has no .yaml files")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard(cls, value: list[str]) -> list[str]:
        for origin in value:
            if origin == "*" or not origin.startswith(("https://", "http://localhost", "http://127.0.0.1")):
                raise ValueError(
                    f"DECISION_AID_CORS_ORIGINS: {origin!r} is not allowed; list exact https:// origins "
                    "(or http://localhost for local use), never '*'")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"DECISION_AID_PUBLIC_BASE_URL: {value!r} must start with https:// or http://")
        return value.rstrip("/")
