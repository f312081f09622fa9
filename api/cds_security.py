"""CDS Hooks client authentication: a signed JWT on every call to ``/cds-services``.

Checks, in order: a Bearer token; an asymmetric ``alg`` from the allowlist (never ``none`` or
HS*); a ``kid``; an ``iss`` among the trusted issuers in settings; the signature, against that
issuer's configured key with that ``kid``; ``exp`` and ``iat`` with a small leeway and a bounded
lifetime; ``aud`` equal to the public URL of the endpoint called; a ``jti`` not seen before.
The ``jku`` header is never fetched: keys come only from configuration. The replay cache is in
memory, so several worker processes each keep their own.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

if TYPE_CHECKING:
    from api.settings import Settings

logger = logging.getLogger("decision_aid.api")

CDS_ASYMMETRIC_ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                             "EdDSA")
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
_MAX_REPLAY_ENTRIES = 100_000


def cds_jwk_set_problem(jwks: Any) -> str | None:
    """Why a configured JWK Set is unsafe or unreadable, or ``None`` when it is a set of public keys."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        return 'is not a JWK Set: expected {"keys": [...]} with at least one key'
    kids: set[str] = set()
    for key in jwks["keys"]:
        if not isinstance(key, dict):
            return "has a key that is not a JSON object"
        if key.get("kty") not in ("EC", "RSA", "OKP"):
            return f"has a key of type {key.get('kty')!r}; only EC, RSA and OKP public keys are accepted"
        private = [m for m in _PRIVATE_MEMBERS if m in key]
        if private:
            return f"has private key material ({', '.join(private)}); give public keys only"
        kid = key.get("kid")
        if not isinstance(kid, str) or not kid:
            return "has a key without a kid"
        if kid in kids:
            return f"uses the kid {kid!r} twice"
        kids.add(kid)
    try:
        KeySet.import_key_set(jwks)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError) as error:
        return f"could not be read ({type(error).__name__})"
    return None


class CdsAuthError(Exception):
    """A call to a CDS Hooks endpoint without a valid JWT; the message says what was wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class CdsClient:
    issuer: str
    tenant: str | None


class ReplayCache:
    """``(iss, jti)`` pairs seen, kept until the token would have expired anyway."""

    def __init__(self, max_entries: int = _MAX_REPLAY_ENTRIES) -> None:
        self._seen: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        with self._lock:
            key = (issuer, jti)
            if key in self._seen and self._seen[key] >= now:
                return False
            if len(self._seen) >= self._max:
                self._seen = {k: t for k, t in self._seen.items() if t >= now}
                if len(self._seen) >= self._max:
                    # Every token is signed by a trusted client and short-lived, so dropping the one
                    # closest to expiry is the least harmful way to stay bounded.
                    del self._seen[min(self._seen, key=self._seen.__getitem__)]
            self._seen[key] = expires
            return True


class CdsTokenVerifier:
    def __init__(self, issuers: Mapping[str, dict[str, Any]], algorithms: list[str], leeway: int,
                 max_lifetime: int) -> None:
        self.key_sets = {issuer: KeySet.import_key_set(jwks) for issuer, jwks in issuers.items()}  # type: ignore[arg-type]
        self.algorithms = [a for a in algorithms if a in CDS_ASYMMETRIC_ALGORITHMS]
        self.leeway = leeway
        self.max_lifetime = max_lifetime
        self.replays = ReplayCache()

    @classmethod
    def from_settings(cls, settings: Settings) -> CdsTokenVerifier:
        return cls(settings.cds_trusted_issuers, settings.cds_jwt_algorithms, settings.cds_jwt_leeway_seconds,
                   settings.cds_jwt_max_lifetime_seconds)

    def verify(self, authorization: str | None, audience: str) -> CdsClient:
        token = _bearer(authorization)
        header, claims = _unverified(token)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise CdsAuthError("The JWT is unsigned (alg 'none'); CDS Hooks calls must be signed.")
        if alg.upper().startswith("HS"):
            raise CdsAuthError(f"The JWT uses {_say(alg)}, a symmetric (HMAC) algorithm; only asymmetric "
                               f"signatures are accepted: {', '.join(self.algorithms)}.")
        if alg not in self.algorithms:
            raise CdsAuthError(f"The JWT uses {_say(alg)}, which is not accepted; use one of "
                               f"{', '.join(self.algorithms)}.")
        typ = header.get("typ")
        if typ is not None and (not isinstance(typ, str) or typ.upper() != "JWT"):
            raise CdsAuthError(f"The JWT header typ is {_say(typ)}; it must be 'JWT'.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise CdsAuthError("The JWT header has no kid, so the signing key cannot be chosen.")
        issuer = claims.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise CdsAuthError("The JWT has no iss claim.")
        key_set = self.key_sets.get(issuer)
        if key_set is None:
            raise CdsAuthError(f"The issuer {_say(issuer)} is not a trusted CDS client of this service.")
        try:
            key = key_set.get_by_kid(kid)
        except (JoseError, ValueError):
            raise CdsAuthError(f"The issuer {_say(issuer)} has no key with kid {_say(kid)}.") from None
        try:
            jwt.decode(token, key, algorithms=[alg])
        except JoseError:
            raise CdsAuthError(f"The JWT signature does not verify with key {_say(kid)} of {_say(issuer)}.") from None
        now = time.time()
        expires = self._check_times(claims, now)
        _check_audience(claims.get("aud"), audience)
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise CdsAuthError("The JWT has no jti claim (a one-time value against replay).")
        if not self.replays.first_use(issuer, jti, expires + self.leeway, now):
            raise CdsAuthError("The JWT jti has been used before; each call needs a new token (replay refused).")
        tenant = claims.get("tenant")
        return CdsClient(issuer, tenant if isinstance(tenant, str) else None)

    def _check_times(self, claims: Mapping[str, Any], now: float) -> float:
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, (int, float)) or isinstance(exp, bool):
            raise CdsAuthError("The JWT has no numeric exp claim.")
        if not isinstance(iat, (int, float)) or isinstance(iat, bool):
            raise CdsAuthError("The JWT has no numeric iat claim.")
        if now > exp + self.leeway:
            raise CdsAuthError(f"The JWT expired {int(now - exp)} seconds ago.")
        if iat > now + self.leeway:
            raise CdsAuthError("The JWT iat is in the future; check the client's clock.")
        if exp - iat > self.max_lifetime:
            raise CdsAuthError(f"The JWT is valid for {int(exp - iat)} seconds; at most {self.max_lifetime} are "
                               "accepted.")
        return float(exp)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise CdsAuthError("No Authorization header: CDS Hooks calls must carry a signed JWT "
                           "(Authorization: Bearer <JWT>).")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CdsAuthError("The Authorization header must be 'Bearer <JWT>'.")
    return token.strip()


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims, read before verification only to choose the key; nothing else trusts them."""
    try:
        compact = jws.extract_compact(token.encode("ascii"))
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, UnicodeError):
        raise CdsAuthError("The bearer token is not a compact JWS-signed JWT.") from None
    if not isinstance(claims, dict):
        raise CdsAuthError("The JWT payload is not a JSON object.")
    return dict(compact.protected), claims


def _check_audience(aud: Any, expected: str) -> None:
    wanted = expected.rstrip("/")
    values = aud if isinstance(aud, list) else [aud]
    if not any(isinstance(v, str) and v.rstrip("/") == wanted for v in values):
        said = _say(aud) if aud is not None else "missing"
        raise CdsAuthError(f"The JWT aud is {said}; it must be this endpoint's URL, {wanted!r}.")


def _say(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "...'"


def warn_if_unverified(settings: Settings) -> None:
    """Say loudly at start when CDS Hooks calls are not authenticated, or cannot be."""
    if not settings.cds_verify_jwt:
        logger.warning("CDS HOOKS JWT VERIFICATION IS OFF (DECISION_AID_CDS_VERIFY_JWT=false): any caller can "
                       "send patient data to /cds-services. Use this only on a local machine, never in production.")
    elif not settings.cds_trusted_issuers:
        logger.info("CDS Hooks: no trusted issuers are configured (DECISION_AID_CDS_TRUSTED_ISSUERS), so every "
                       "call to /cds-services will be refused with 401.")
