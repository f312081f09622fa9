"""Constants and helpers shared by the CDS Hooks tests (fixtures live in conftest.py)."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINIMAL_RULES = Path(__file__).resolve().parent.parent / "fixtures" / "rules_minimal"
ISSUER = "https://ehr.example.org"
PUBLIC = "https://cds.example.org"
SERVICE = "mbc-discussion-guide"
SERVICE_URL = f"/cds-services/{SERVICE}"

TokenFactory = Callable[..., str]
Auth = Callable[..., dict[str, str]]


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def hook_body(prefetch: dict[str, Any] | None, patient_id: str, *, user: str = "Practitioner/onc-1",
              hook: str = "patient-view", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hook": hook,
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": user, "patientId": patient_id},
        **extra,
    }
    if prefetch is not None:
        body["prefetch"] = copy.deepcopy(prefetch)
    return body


def card_with_topic(cards: list[dict[str, Any]], code: str) -> dict[str, Any]:
    """The one card whose ``source.topic.code`` is ``code`` (``record``, ``guide``)."""
    found = [card for card in cards if card["source"].get("topic", {}).get("code") == code]
    assert len(found) == 1, [card["source"].get("topic") for card in cards]
    return found[0]
