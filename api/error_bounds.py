"""Keep a 422's body small and always encodable, whatever was sent.

A 64 KiB body can hold hundreds of mistakes, and each unknown drug's error lists every accepted
name; answered in full, a few KiB in gave a quarter of a megabyte out. The first
:data:`MAX_ERRORS` errors are kept, and one more entry says how many were left out. Values JSON
cannot carry (``NaN``, ``Infinity``, which the JSON parser accepts) are quoted as text, and a
nesting error says what the limit is.
"""

from __future__ import annotations

import math
from typing import Any

MAX_ERRORS = 20
#: pydantic's JSON parser stops at this depth; a profile is at most four levels deep.
JSON_DEPTH_LIMIT = 200

_RECURSION = "recursion limit exceeded"


def bounded_detail(detail: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first errors, made safe to encode, and a note of how many more there were.

    Example usage::

        >>> errors = [{"type": "x", "loc": ["body", i], "msg": "bad", "input": float("nan")} for i in range(25)]
        >>> bounded = bounded_detail(errors)
        >>> len(bounded), bounded[0]["input"], bounded[-1]["msg"]
        (21, 'nan', 'body: 5 more problems were found and not listed; fix these first.')
    """
    kept = [_encodable(_explain_depth(error)) for error in detail[:MAX_ERRORS]]
    left_out = len(detail) - MAX_ERRORS
    if left_out > 0:
        kept.append({"type": "too_many_errors", "loc": ["body"], "input": None, "ctx": {"not_listed": left_out},
                     "msg": f"body: {left_out} more problems were found and not listed; fix these first."})
    return kept


def _explain_depth(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid" and _RECURSION in str(error.get("msg", "")):
        return {**error, "type": "json_too_deep", "input": None,
                "msg": (f"body: the JSON is nested more than {JSON_DEPTH_LIMIT} levels deep. A profile is "
                        "an object whose treatments are a list of objects: four levels at most.")}
    return error


def _encodable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _encodable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encodable(item) for item in value]
    return value
