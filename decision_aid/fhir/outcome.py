"""FHIR OperationOutcome bodies for CDS Hooks errors (CDS Hooks 3.0 asks for one on every non-2xx)."""

from __future__ import annotations

from typing import Any


def operation_outcome(text: str, *, code: str = "processing", diagnostics: str | None = None,
                      severity: str = "error") -> dict[str, Any]:
    """One-issue OperationOutcome.

    Example usage::

        >>> operation_outcome("Missing prefetch.", diagnostics="patient")["issue"][0]["code"]
        'processing'
    """
    issue: dict[str, Any] = {"severity": severity, "code": code, "details": {"text": text}}
    if diagnostics:
        issue["diagnostics"] = diagnostics
    return {"resourceType": "OperationOutcome", "issue": [issue]}
