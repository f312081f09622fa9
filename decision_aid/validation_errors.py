"""Turn pydantic's validation errors on a profile into the contract's 422 shape.

Each error keeps pydantic's keys (``type``, ``loc``, ``msg``, ``input``, ``ctx``) so generic clients
still work, with a ``msg`` that names the field, the value, the accepted values and, where a close
match exists, a "did you mean".
"""

from __future__ import annotations

import difflib
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from decision_aid.profile import Profile

_MAX_INPUT = 200


def _unwrap(annotation: Any) -> Any:
    """Strip Annotated, Optional and list down to the type of one value."""
    while True:
        origin = get_origin(annotation)
        if origin is None:
            return annotation
        if origin is Literal:
            return annotation
        if origin in (list, tuple, set, frozenset):
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:  # Annotated and friends
            annotation = get_args(annotation)[0]


def _target(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, Any]:
    """Walk ``loc`` through the Profile model: (the model holding the last key, that key's type)."""
    model: type[BaseModel] | None = Profile
    annotation: Any = Profile
    for part in loc:
        if isinstance(part, int):
            continue
        if model is None or part not in model.model_fields:
            return model, None
        annotation = _unwrap(model.model_fields[part].annotation)
        holder = model
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    return holder if loc else None, annotation


def _dotted(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "body"


def _short(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str) and len(value) > _MAX_INPUT:
        return value[:_MAX_INPUT] + "…"
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text[:_MAX_INPUT] + "…" if len(text) > _MAX_INPUT else value
    return value


def _suggest(value: Any, accepted: list[str]) -> list[str]:
    if not isinstance(value, str):
        return []
    lowered = {a.casefold(): a for a in accepted}
    folded = value.strip().casefold()
    if folded in lowered:
        return [lowered[folded]]
    joined = folded.replace(" ", "_").replace("-", "_")
    if joined in accepted:
        return [joined]
    return difflib.get_close_matches(joined, accepted, n=3, cutoff=0.6)


def describe_error(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as a contract error."""
    loc = tuple(error.get("loc", ()))
    value = error.get("input")
    field = _dotted(loc)
    kind = error["type"]
    ctx: dict[str, Any] = {}
    if kind == "literal_error":
        _, annotation = _target(loc)
        accepted = [str(a) for a in get_args(annotation)] if get_origin(annotation) is Literal else []
        suggestions = _suggest(value, accepted)
        hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        shown = repr(value) if isinstance(value, str) else f"{_short(value)!r}"
        msg = f"{field}: {shown} is not an accepted value. Accepted values: {', '.join(accepted)}.{hint}"
        ctx = {"accepted": accepted, "did_you_mean": suggestions}
        kind = "unknown_value"
    elif kind == "extra_forbidden":
        holder, _ = _target(loc[:-1]) if len(loc) > 1 else (Profile, None)
        if len(loc) > 1:
            holder_model, annotation = _target(loc[:-1])
            holder = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else holder_model
        accepted = list(holder.model_fields) if holder is not None else []
        name = str(loc[-1]) if loc else ""
        suggestions = difflib.get_close_matches(name, accepted, n=1, cutoff=0.6)
        hint = f" Did you mean {suggestions[0]!r}?" if suggestions else ""
        where = f" in {_dotted(loc[:-1])}" if len(loc) > 1 else ""
        msg = f"Unknown field {name!r}{where}. Accepted fields: {', '.join(accepted)}.{hint}"
        ctx = {"accepted": accepted, "did_you_mean": suggestions}
        kind = "unknown_field"
    elif kind == "unknown_value":
        raw = error.get("ctx") or {}
        ctx = {"accepted": list(raw.get("accepted", [])), "did_you_mean": list(raw.get("did_you_mean", []))}
        msg = f"{field}: {error['msg']}"
    else:
        msg = f"{field}: {error['msg']}"
        raw_ctx = error.get("ctx") or {}
        ctx = {k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v)) for k, v in raw_ctx.items()}
    out: dict[str, Any] = {"type": kind, "loc": ["body", *loc], "msg": msg, "input": _short(value)}
    if ctx:
        out["ctx"] = ctx
    return out


def describe_validation_error(exc: ValidationError) -> list[dict[str, Any]]:
    """All of a profile's errors, in the contract's shape.

    Example usage::

        >>> from decision_aid.profile import parse_profile
        >>> try:
        ...     parse_profile({"receptors": {"her2": "postive"}})
        ... except ValidationError as exc:
        ...     print(describe_validation_error(exc)[0]["ctx"]["did_you_mean"])
        ['positive']
    """
    return [describe_error(dict(e)) for e in exc.errors(include_url=False)]
