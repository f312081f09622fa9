"""Structured logs: one JSON object a line on standard error, from this service and from uvicorn.

What may be logged is decided where a record is made, never here: the access log (see
:mod:`api.middleware`) names the request id, method, path, status, duration and the rule ids that
fired, and nothing from the request body, its query string or its headers. Error records name the
exception's type and where it was raised, never its message (which can quote the input).

Example line::

    {"ts": "2026-11-26T23:18:28.412Z", "level": "info", "logger": "decision_aid.access",
     "msg": "request", "request_id": "0f3c…", "method": "POST", "path": "/v1/guide",
     "status": 200, "duration_ms": 1.42, "rule_ids": ["about-metastatic-breast-cancer", …]}
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

#: The keys a record may carry besides its message; anything else passed in ``extra`` is dropped.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "rule_ids", "error", "where")

_OWN_LOGGERS = ("decision_aid", "uvicorn", "uvicorn.error")


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON with a fixed set of keys."""

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.gmtime(record.created)
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", seconds) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in FIELDS:
            value = record.__dict__.get(key)
            if value is not None:
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            # The type only: a traceback's message can quote what the person sent.
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, separators=(", ", ": "))


class StderrHandler(logging.Handler):
    """Write to whatever ``sys.stderr`` is at the time (so test capture and redirection work)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = sys.stderr
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # logging must never take a request down
            self.handleError(record)


def configure_logging(level: str = "INFO") -> None:
    """Send this service's and uvicorn's records to standard error as JSON lines.

    Idempotent: calling it again (each ``create_app``) replaces the handler rather than adding one.
    uvicorn's own access log is switched off: the service's access log replaces it, and uvicorn's
    would print query strings.

    Example usage::

        >>> configure_logging("WARNING")
        >>> logging.getLogger("decision_aid").level == logging.WARNING
        True
        >>> configure_logging("INFO")
    """
    handler = StderrHandler()
    handler.setFormatter(JsonFormatter())
    for name in _OWN_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, StderrHandler) or name != "decision_aid"]:
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False
    access.disabled = True
