"""CDS Hooks client authentication: a signed JWT on every call to ``/cds-services``.

Checks, in order: a Bearer token; an asymmetric ``alg`` from the allowlist (never ``none`` or
HS*); ``typ`` equal to ``JWT``; a ``kid``; an ``iss`` among the trusted issuers in settings; the
signature, against that issuer's key with that ``kid``; ``exp`` and ``iat`` with a small leeway and
a bounded lifetime; ``aud`` equal to the public URL of the endpoint called; a ``jti`` not seen
before.

Keys come from configuration, and from the JWK Set URLs (``jku``) the operator allowlists for an
issuer: such a set is fetched with a short timeout, cached by ``kid``, and fetched again (at most
once per ``cds_jku_min_refresh_seconds``) when a token names a ``kid`` it does not hold, so an EHR
can rotate its keys without a redeploy. A ``jku`` not on the issuer's allowlist is never fetched.

Seen ``jti`` values are kept until the token would have expired: in Redis when
``DECISION_AID_REDIS_URL`` is set (``SET NX EX``, so every worker and replica shares them), else in
each worker's memory, where a token replayed to another worker or replica is not caught.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import httpx
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
_MAX_JWKS_BYTES = 64 * 1024
REDIS_KEY_PREFIX = "decision-aid:cds-jti:"


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


class CdsReplayStoreError(Exception):
    """The shared replay store (Redis) could not be asked, so a token cannot be proven unused."""


@dataclass(frozen=True, slots=True)
class CdsClient:
    issuer: str
    tenant: str | None


class ReplayStore(Protocol):
    def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool: ...


class ReplayCache:
    """``(iss, jti)`` pairs seen, kept in this worker's memory until the token would have expired anyway."""

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


class RedisReplayCache:
    """Seen ``(iss, jti)`` pairs in Redis, shared by every worker and replica.

    One ``SET key 1 NX EX ttl`` per token: it succeeds only for the first use, and Redis forgets the
    key when the token would have expired anyway. The key is a hash, so no claim is stored as sent.
    If Redis cannot be reached the call is refused (503), never let through unchecked.
    """

    def __init__(self, url: str, timeout: float = 1.0) -> None:
        import redis  # optional dependency: pip install 'decision-aid[redis]'

        self._client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)

    def first_use(self, issuer: str, jti: str, expires: float, now: float) -> bool:
        digest = hashlib.sha256(f"{issuer}\x00{jti}".encode()).hexdigest()
        ttl = max(1, math.ceil(expires - now))
        try:
            return bool(self._client.set(REDIS_KEY_PREFIX + digest, b"1", nx=True, ex=ttl))
        except self._errors as error:
            logger.error("CDS Hooks: the jti replay store (Redis) could not be reached (%s)", type(error).__name__)
            raise CdsReplayStoreError(type(error).__name__) from None


@dataclass(slots=True)
class _FetchedSet:
    keys: KeySet
    kids: frozenset[str]
    at: float


@dataclass(slots=True)
class JwksFetcher:
    """The JWK Sets behind allowlisted ``jku`` URLs, fetched with a short timeout and cached by ``kid``.

    A set is kept for ``max_age`` seconds; a ``kid`` it does not hold makes it be fetched again, but
    never more than once per ``min_refresh`` seconds per URL, so unknown kids cannot flood the EHR.
    Redirects are not followed and a set must hold public keys only (as in configuration).
    """

    timeout: float
    max_age: float
    min_refresh: float
    _cache: dict[str, _FetchedSet] = field(default_factory=dict)
    _tried: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, url: str, kid: str) -> Any:
        """The key ``kid`` from the set at ``url``, or ``None``; raises :class:`CdsAuthError` if it cannot be had."""
        now = time.monotonic()
        held = self._cache.get(url)
        if held is not None and now - held.at < self.max_age and kid in held.kids:
            return held.keys.get_by_kid(kid)
        with self._lock:
            held = self._cache.get(url)
            fresh = held is not None and now - held.at < self.max_age
            if fresh and held is not None and kid in held.kids:
                return held.keys.get_by_kid(kid)
            if now - self._tried.get(url, -math.inf) < self.min_refresh:
                return None  # fetched a moment ago and the kid was not there: do not ask again yet
            self._tried[url] = now
            try:
                jwks = self._fetch(url)
            except _JwksUnavailable as error:
                logger.warning("CDS Hooks: the JWK Set at %s could not be fetched (%s)", url, error)
                raise CdsAuthError(f"The JWK Set at {_say(url)} could not be fetched ({error}), so the key "
                                   f"{_say(kid)} cannot be checked.") from None
            self._cache[url] = held = _FetchedSet(KeySet.import_key_set(jwks),  # type: ignore[arg-type]
                                                  frozenset(k["kid"] for k in jwks["keys"]), now)
            return held.keys.get_by_kid(kid) if kid in held.kids else None

    def _fetch(self, url: str) -> dict[str, Any]:
        try:
            with httpx.Client(timeout=self.timeout, follow_redirects=False) as client, client.stream(
                    "GET", url, headers={"Accept": "application/jwk-set+json, application/json"}) as response:
                if response.status_code != 200:
                    raise _JwksUnavailable(f"HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > _MAX_JWKS_BYTES:
                        raise _JwksUnavailable("larger than 64 KiB")
        except httpx.TimeoutException:
            raise _JwksUnavailable("timed out") from None
        except httpx.HTTPError as error:
            raise _JwksUnavailable(type(error).__name__) from None
        try:
            jwks = json.loads(body)
        except ValueError:
            raise _JwksUnavailable("not JSON") from None
        problem = cds_jwk_set_problem(jwks)
        if problem:
            raise _JwksUnavailable(f"the set {problem}")
        result: dict[str, Any] = jwks
        return result


class _JwksUnavailable(Exception):
    pass


class CdsTokenVerifier:
    def __init__(self, issuers: Mapping[str, dict[str, Any]], algorithms: list[str], leeway: int,
                 max_lifetime: int, *, jku_allowlist: Mapping[str, Sequence[str]] | None = None,
                 fetcher: JwksFetcher | None = None, replays: ReplayStore | None = None) -> None:
        self.key_sets = {issuer: KeySet.import_key_set(jwks) for issuer, jwks in issuers.items()}  # type: ignore[arg-type]
        self.jku_allowlist = {issuer: tuple(urls) for issuer, urls in (jku_allowlist or {}).items()}
        self.fetcher = fetcher or JwksFetcher(timeout=2.0, max_age=3600.0, min_refresh=30.0)
        self.algorithms = [a for a in algorithms if a in CDS_ASYMMETRIC_ALGORITHMS]
        self.leeway = leeway
        self.max_lifetime = max_lifetime
        self.replays: ReplayStore = replays or ReplayCache()

    @classmethod
    def from_settings(cls, settings: Settings) -> CdsTokenVerifier:
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url is not None else None
        return cls(settings.cds_trusted_issuers, settings.cds_jwt_algorithms, settings.cds_jwt_leeway_seconds,
                   settings.cds_jwt_max_lifetime_seconds, jku_allowlist=settings.cds_issuer_jku,
                   fetcher=JwksFetcher(timeout=settings.cds_jku_timeout_seconds,
                                       max_age=settings.cds_jku_cache_seconds,
                                       min_refresh=settings.cds_jku_min_refresh_seconds),
                   replays=RedisReplayCache(redis_url) if redis_url else None)

    def _key(self, issuer: str, kid: str, jku: Any) -> Any:
        """The issuer's key ``kid``: from configuration, else from an allowlisted JWK Set URL."""
        configured = self.key_sets.get(issuer)
        if configured is not None:
            try:
                return configured.get_by_kid(kid)
            except (JoseError, ValueError):
                pass
        allowed = self.jku_allowlist.get(issuer, ())
        if jku is not None and not isinstance(jku, str):
            raise CdsAuthError("The JWT header jku is not a URL.")
        # The token's own jku only when the operator listed it; with none, the issuer's listed sets.
        urls = (jku,) if jku in allowed else () if jku is not None else allowed
        for url in urls:
            key = self.fetcher.key(url, kid)
            if key is not None:
                return key
        if jku is not None and jku not in allowed:
            raise CdsAuthError(f"The issuer {_say(issuer)} has no key with kid {_say(kid)}; the JWT's jku "
                               f"{_say(jku)} is not on this service's allowlist, so it was not fetched.")
        raise CdsAuthError(f"The issuer {_say(issuer)} has no key with kid {_say(kid)}.")

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
        if typ is None:
            raise CdsAuthError("The JWT header has no typ; it must be 'JWT'.")
        if not isinstance(typ, str) or typ.upper() != "JWT":
            raise CdsAuthError(f"The JWT header typ is {_say(typ)}; it must be 'JWT'.")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise CdsAuthError("The JWT header has no kid, so the signing key cannot be chosen.")
        issuer = claims.get("iss")
        if not isinstance(issuer, str) or not issuer:
            raise CdsAuthError("The JWT has no iss claim.")
        if issuer not in self.key_sets and issuer not in self.jku_allowlist:
            raise CdsAuthError(f"The issuer {_say(issuer)} is not a trusted CDS client of this service.")
        key = self._key(issuer, kid, header.get("jku"))
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
    elif not settings.cds_trusted_issuers and not settings.cds_issuer_jku:
        logger.info("CDS Hooks: no trusted issuers are configured (DECISION_AID_CDS_TRUSTED_ISSUERS), so every "
                       "call to /cds-services will be refused with 401.")
    if settings.cds_verify_jwt and settings.redis_url is None:
        logger.info("CDS Hooks: seen jti values are kept in each worker's memory (DECISION_AID_REDIS_URL is not "
                    "set), so a token replayed to another worker or replica is not caught.")
