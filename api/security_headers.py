"""The security headers every response carries, and the one relaxed policy for the API docs.

The patient page at ``/`` loads its CSS and JavaScript from this origin and has no inline scripts
or styles, so the strict policy suits it and everything else. FastAPI's ``/docs`` (Swagger UI) and
``/redoc`` pages load their code from a CDN and start it with an inline script, so those two pages,
and only they, get a policy that allows that CDN and inline code. They hold no personal data.
"""

from __future__ import annotations

STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {DOCS_CDN}; img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

#: Paths served by FastAPI's documentation pages (``docs_url``, ``redoc_url`` and the OAuth redirect).
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})

_COMMON: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


def security_headers(path: str, https: bool) -> list[tuple[bytes, bytes]]:
    """The headers for a response to ``path``; HSTS only when the service is public over https.

    Example usage::

        >>> dict(security_headers("/", https=False))[b"content-security-policy"].decode()[:20]
        "default-src 'self'; "
        >>> b"strict-transport-security" in dict(security_headers("/", https=True))
        True
    """
    csp = DOCS_CSP if path in DOCS_PATHS else STRICT_CSP
    headers = [(b"content-security-policy", csp.encode()), *_COMMON]
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers
