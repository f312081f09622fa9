"""A small in-memory cache of guides, keyed by the exact request body.

The guide is a pure function of the profile and the knowledge base, so the same body always gives
the same bytes; a repeated request (a retry, a page refresh, a portal asking again) is answered
without building the guide again. The cache lives only in this process's memory, holds no
identifiers, is bounded in entries and body size, is emptied when another knowledge base is
served, and is off when ``DECISION_AID_GUIDE_CACHE_SIZE`` is 0.
"""

from __future__ import annotations

from collections import OrderedDict

#: Bodies larger than this are not kept: a typical profile is well under 1 KiB.
MAX_CACHED_BODY = 4 * 1024


class GuideCache:
    """Least-recently-used map from a request body to (guide bytes, ids of the rules that fired)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[bytes, tuple[bytes, list[str]]] = OrderedDict()
        self._owner: object | None = None

    def get(self, body: bytes, owner: object) -> tuple[bytes, list[str]] | None:
        if owner is not self._owner:
            self._entries.clear()
            self._owner = owner
            return None
        found = self._entries.get(body)
        if found is not None:
            self._entries.move_to_end(body)
        return found

    def put(self, body: bytes, owner: object, guide: bytes, rule_ids: list[str]) -> None:
        if self.size <= 0 or len(body) > MAX_CACHED_BODY or owner is not self._owner:
            return
        self._entries[body] = (guide, rule_ids)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
