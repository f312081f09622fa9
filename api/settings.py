"""The service's settings: one typed class, read from ``DECISION_AID_*`` environment variables.

The defaults work from a fresh clone. Unsafe values are refused with a message naming the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import SplitResult, urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.cds_security import CDS_ASYMMETRIC_ALGORITHMS, cds_jwk_set_problem
from decision_aid.knowledge_base import DEFAULT_RULES_DIR


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DECISION_AID_", extra="ignore")

    rules_dir: Path = Field(DEFAULT_RULES_DIR, description="the knowledge-base folder")
    max_body_bytes: int = Field(64 * 1024, ge=1024, le=1024 * 1024,
                                description="larger request bodies get 413")
    cds_max_body_bytes: int = Field(1024 * 1024, ge=1024, le=16 * 1024 * 1024, description=(
        "the body limit for /cds-services, whose FHIR prefetch is often larger than a profile"))
    cors_origins: list[str] = Field(default_factory=list,
                                    description="browser origins allowed to call the API (JSON list)")
    public_base_url: str = Field("http://localhost:8000",
                                 description="the service's public URL, used in links it returns")

    # Operations
    api_key: SecretStr | None = Field(None, description=(
        "if set, every /v1 request must send it in the X-API-Key header; at least 32 characters"))
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="the lowest level written to the JSON log on standard error")
    guide_cache_size: int = Field(1024, ge=0, le=100_000, description=(
        "how many recent guides each worker keeps in memory, keyed by the exact request body; 0 turns it off"))

    # CDS Hooks security
    cds_verify_jwt: bool = Field(True, description=(
        "verify the signed JWT on every /cds-services call; turn off only for local use"))
    cds_trusted_issuers: dict[str, dict[str, Any]] = Field(default_factory=dict, description=(
        "CDS clients trusted to call: their iss mapped to their public JWK Set ({\"keys\": [...]}) (JSON)"))
    cds_jwt_algorithms: list[str] = Field(default_factory=lambda: list(CDS_ASYMMETRIC_ALGORITHMS), description=(
        "signature algorithms accepted; asymmetric only"))
    cds_jwt_leeway_seconds: int = Field(30, ge=0, le=300, description="clock skew allowed on exp and iat")
    cds_jwt_max_lifetime_seconds: int = Field(3600, ge=60, le=86400, description=(
        "tokens whose exp is further than this after iat are refused (bounds the jti replay cache)"))
    cds_issuer_jku: dict[str, list[str]] = Field(default_factory=dict, description=(
        "JWK Set URLs (jku) each trusted issuer signs with, fetched when needed and cached by kid, so an EHR "
        "can rotate keys without a redeploy: its iss mapped to a list of https URLs (JSON). A jku not listed "
        "here is never fetched"))
    cds_jku_timeout_seconds: float = Field(2.0, gt=0, le=10, description="timeout of one JWK Set fetch")
    cds_jku_cache_seconds: int = Field(3600, ge=0, le=86400, description=(
        "how long a fetched JWK Set is used before it is fetched again"))
    cds_jku_min_refresh_seconds: float = Field(30.0, ge=0, le=3600, description=(
        "a token with a kid not in the cached set fetches it again, at most once per this many seconds per URL"))
    redis_url: SecretStr | None = Field(None, description=(
        "redis:// or rediss:// URL of a Redis shared by every worker and replica, holding seen CDS Hooks jti "
        "values until they expire; unset: each worker keeps its own in memory (needs pip install "
        "'decision-aid[redis]')"))
    cds_cors_origins: list[str] = Field(default_factory=list, description=(
        "browser origins allowed to call /cds-services (JSON list), e.g. [\"https://sandbox.cds-hooks.org\"] "
        "for the CDS Hooks sandbox; added to cors_origins for those paths only"))
    cds_fhir_servers: list[str] = Field(default_factory=list, description=(
        "FHIR base URLs the service may fetch missing prefetch from (JSON list); empty: never fetch"))
    cds_fhir_timeout_seconds: float = Field(5.0, gt=0, le=30, description="timeout of each FHIR fetch")

    @field_validator("rules_dir")
    @classmethod
    def _rules_dir_exists(cls, value: Path) -> Path:
        if not value.is_dir():
            raise ValueError(f"DECISION_AID_RULES_DIR points to {str(value)!r}, which is not a folder")
        if not any(value.glob("*.yaml")):
            raise ValueError(f"DECISION_AID_RULES_DIR points to {str(value)!r}, which has no .yaml files")
        return value

    @field_validator("cors_origins", "cds_cors_origins")
    @classmethod
    def _no_wildcard(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for origin in value:
            parts = urlsplit(origin)
            if not _https_or_local(parts) or parts.path or parts.query or parts.fragment:
                raise ValueError(
                    f"DECISION_AID_{(info.field_name or '').upper()}: {origin!r} is not allowed; list exact "
                    "https:// origins (or http://localhost for local use), never '*'")
        return value

    @field_validator("cds_issuer_jku")
    @classmethod
    def _jku_https(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for issuer, urls in value.items():
            for url in urls:
                parts = urlsplit(url)
                if not _https_or_local(parts) or parts.fragment:
                    raise ValueError(f"DECISION_AID_CDS_ISSUER_JKU: {url!r} (for {issuer!r}) must be an https:// "
                                     "URL (or http://localhost for local use), without credentials")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("DECISION_AID_REDIS_URL must start with redis://, rediss:// or unix://")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"DECISION_AID_PUBLIC_BASE_URL: {value!r} must start with https:// or http://")
        return value.rstrip("/")

    @field_validator("api_key")
    @classmethod
    def _strong_api_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        key = value.get_secret_value()
        if not key:
            raise ValueError("DECISION_AID_API_KEY is set but empty; unset it to run without a key")
        if len(key) < 32:
            raise ValueError(f"DECISION_AID_API_KEY is {len(key)} characters long; use at least 32 "
                             "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')")
        if not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
            raise ValueError("DECISION_AID_API_KEY must be printable ASCII with no spaces (it is sent in a header)")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _level_in_capitals(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
                raise ValueError(f"DECISION_AID_LOG_LEVEL: {value!r} is not one of DEBUG, INFO, WARNING, ERROR")
        return value

    @field_validator("cds_trusted_issuers")
    @classmethod
    def _public_jwk_sets(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for issuer, jwks in value.items():
            problem = cds_jwk_set_problem(jwks)
            if problem:
                raise ValueError(f"DECISION_AID_CDS_TRUSTED_ISSUERS: the key set for {issuer!r} {problem}")
        return value

    @field_validator("cds_jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        refused = [alg for alg in value if alg not in CDS_ASYMMETRIC_ALGORITHMS]
        if refused or not value:
            raise ValueError(f"DECISION_AID_CDS_JWT_ALGORITHMS: {refused or value!r} refused; choose from "
                             f"{', '.join(CDS_ASYMMETRIC_ALGORITHMS)} (never none or HS*)")
        return value

    @field_validator("cds_fhir_servers")
    @classmethod
    def _fhir_servers_https(cls, value: list[str]) -> list[str]:
        for url in value:
            parts = urlsplit(url)
            if not _https_or_local(parts) or parts.query:
                raise ValueError(f"DECISION_AID_CDS_FHIR_SERVERS: {url!r} must be an https:// FHIR base URL "
                                 "(or http://localhost for local use), without credentials or query")
        return [url.rstrip("/") for url in value]


def _https_or_local(parts: SplitResult) -> bool:
    """A URL with a host and no credentials, over https, or over http to this machine (local use)."""
    local = parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1")
    return bool(parts.hostname) and not parts.username and (parts.scheme == "https" or local)
