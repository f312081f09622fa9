"""Turn pydantic's validation errors on a profile into the contract's 422 shape.

Each error keeps pydantic's keys (``type``, ``loc``, ``msg``, ``input``, ``ctx``) so generic clients
still work, with a ``msg`` that names the field, the value, the accepted values and, where a close
match exists, a "did you mean".
"""

from __future__ import annotations

import difflib
import json
import math
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from decision_aid.profile import MAX_DRUG_NAME, MAX_MONTHS, Profile

_MAX_INPUT = 200

#: What a right value looks like, for the messages about a value of the wrong type.
_EXAMPLE_OBJECTS: dict[str, str] = {
    "Profile": '{"sites": ["bone"]}',
    "Receptors": '{"er": "positive", "pr": "positive", "her2": "negative"}',
    "Biomarkers": '{"pik3ca": "mutated"}',
    "Treatment": '{"drug": "letrozole", "setting": "metastatic", "outcome": "progressed"}',
}
_DRUG_VALUES = ("a generic name, a brand name or a class, such as 'letrozole', 'Ibrance' or 'aromatase_inhibitor' "
                "(all listed at GET /v1/knowledge-base/drugs)")
_MONTHS_VALUES = f"a whole number of months from 0 to {MAX_MONTHS}, such as 6; or leave the field out"
_MONTHS_KINDS = frozenset({"int_type", "int_parsing", "int_from_float", "greater_than_equal", "less_than_equal",
                           "finite_number"})


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


def _shown(value: Any) -> str:
    """The value as the caller wrote it, for a message: JSON for ``null``, numbers, lists and objects,
    a quoted, escaped string for text (so control and direction marks cannot hide), cut short.

    Example usage::

        >>> _shown(None), _shown(True), _shown(1.5), _shown(["bone"])
        ('null', 'true', '1.5', '["bone"]')
        >>> print(_shown("bo" + chr(0x202E) + "ne"))
        'bo\\u202ene'
    """
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        text = repr(value[:_MAX_INPUT])
        return text + "…" if len(value) > _MAX_INPUT else text
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    try:
        text = json.dumps(value, ensure_ascii=True, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return text[:_MAX_INPUT] + "…" if len(text) > _MAX_INPUT else text


def _field_info(loc: tuple[Any, ...]) -> FieldInfo | None:
    """The declaration of the field ``loc`` ends at, or None when ``loc`` ends at a list item or no field."""
    if not loc or isinstance(loc[-1], int):
        return None
    holder, _ = _target(loc)
    return holder.model_fields.get(str(loc[-1])) if holder is not None else None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model a value at ``loc`` should be (``Profile`` for the body itself), if any."""
    if not loc:
        return Profile
    _, annotation = _target(loc)
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _default_note(loc: tuple[Any, ...]) -> str:
    """' Leave the field out for the default, 'patient'.' for a field with a default."""
    info = _field_info(loc)
    if info is None or not isinstance(info.default, str):
        return ""
    return f" Leave the field out for the default, {info.default!r}."


def _describe_wrong_type(field: str, loc: tuple[Any, ...], kind: str, value: Any,
                         raw_ctx: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A message for a value of the wrong type or size: the field, the value as sent, what is accepted.

    None when pydantic's own words are the best there is.
    """
    shown = _shown(value)
    last = next((part for part in reversed(loc) if not isinstance(part, int)), None)
    if kind == "model_type":
        model = _model_at(loc)
        if model is None:
            return None
        fields = list(model.model_fields)
        example = _EXAMPLE_OBJECTS.get(model.__name__, "{}")
        if not loc:
            return (f"body: {shown} is not a profile. Send a JSON object, such as {example}; an empty object {{}} "
                    f"is the empty profile. Accepted fields: {', '.join(fields)}.", {"accepted": fields})
        what = "a treatment" if model.__name__ == "Treatment" else "an object"
        hint = ""
        suggestions: list[Any] = []
        if model.__name__ == "Treatment" and isinstance(value, str) and value.strip():
            suggestions = [{"drug": value.strip()[:MAX_DRUG_NAME]}]
            hint = f" Did you mean {_shown(suggestions[0])}?"
        leave_out = "" if isinstance(loc[-1], int) else ", or leave the field out"
        return (f"{field}: {shown} is not {what}. Send an object such as {example}{leave_out}. "
                f"Accepted fields: {', '.join(fields)}.{hint}", {"accepted": fields, "did_you_mean": suggestions})
    if kind == "list_type":
        info = _field_info(loc)
        annotation = info.annotation if info is not None else None
        if get_origin(annotation) is not list:
            return None
        item = _unwrap(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            example = _EXAMPLE_OBJECTS.get(item.__name__, "{}")
            fields = list(item.model_fields)
            return (f"{field}: {shown} is not a list. Send a list of objects, such as [{example}], or leave the "
                    f"field out. Accepted fields of each: {', '.join(fields)}.", {"accepted": fields})
        accepted = [str(a) for a in get_args(item)] if get_origin(item) is Literal else []
        suggestions = _suggest(value, accepted) if isinstance(value, str) else []
        hint = f" Did you mean [{', '.join(_shown(s).replace(chr(39), chr(34)) for s in suggestions)}]?" \
            if suggestions else ""
        return (f"{field}: {shown} is not a list. Send a list of values, such as [\"{accepted[0]}\"], or leave the "
                f"field out. Accepted values: {', '.join(accepted)}.{hint}",
                {"accepted": accepted, "did_you_mean": suggestions})
    if kind == "too_long" and "max_length" in raw_ctx:
        count = raw_ctx.get("actual_length")
        sent = f"{count} items were sent" if isinstance(count, int) else "too many items were sent"
        return (f"{field}: {sent}; at most {raw_ctx['max_length']} are accepted.",
                {"max_length": raw_ctx["max_length"], "actual_length": count})
    if last == "drug":
        if kind == "missing":
            return (f"{field}: missing. Every treatment needs a drug: {_DRUG_VALUES}.", {})
        if kind == "string_type":
            return (f"{field}: {shown} is not a name. Send the drug as text: {_DRUG_VALUES}.", {})
        if kind == "string_too_short":
            return (f"{field}: {shown} is empty. Name the drug: {_DRUG_VALUES}.", {})
        if kind == "string_too_long":
            length = len(value) if isinstance(value, str) else "too many"
            return (f"{field}: the name is {length} characters long; at most {MAX_DRUG_NAME} are accepted. "
                    f"Send {_DRUG_VALUES}.", {"max_length": MAX_DRUG_NAME})
    if last == "months_since_end" and kind in _MONTHS_KINDS:
        suggestions = []
        if isinstance(value, float) and value.is_integer() and 0 <= value <= MAX_MONTHS:
            suggestions = [int(value)]
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
                and int(value.strip()) <= MAX_MONTHS:
            suggestions = [int(value.strip())]
        hint = f" Did you mean {suggestions[0]}?" if suggestions else ""
        return (f"{field}: {shown} is not accepted. Accepted values: {_MONTHS_VALUES}.{hint}",
                {"minimum": 0, "maximum": MAX_MONTHS, "did_you_mean": suggestions})
    return None


#: Other words people use for an accepted value; suggested only where that value is accepted.
_SYNONYMS: dict[str, str] = {
    "adjuvant": "early", "neoadjuvant": "early", "neo_adjuvant": "early", "early_breast_cancer": "early",
    "advanced": "metastatic", "stage_4": "metastatic", "stage_iv": "metastatic", "secondary": "metastatic",
    "premenopausal": "pre", "perimenopausal": "peri", "postmenopausal": "post",
    "mutation": "mutated", "mutant": "mutated", "detected": "mutated",
    "wild_type": "not_detected", "wildtype": "not_detected", "not_mutated": "not_detected",
    "untested": "not_tested", "not_done": "not_tested",
    "3+": "positive", "1+": "low",
}


def _suggest(value: Any, accepted: list[str]) -> list[str]:
    """Close accepted values: the same word in another case or spacing, a common other word for it,
    a unique beginning of one (``pos``), or a near spelling."""
    if not isinstance(value, str):
        return []
    lowered = {a.casefold(): a for a in accepted}
    folded = value.strip().casefold()
    if folded in lowered:
        return [lowered[folded]]
    joined = folded.replace(" ", "_").replace("-", "_")
    if joined in accepted:
        return [joined]
    synonym = _SYNONYMS.get(joined)
    if synonym in accepted:
        return [synonym]
    if joined in ("positive", "negative") and "mutated" in accepted:  # a gene is mutated, not positive
        return ["mutated" if joined == "positive" else "not_detected"]
    starting = [a for a in accepted if len(joined) >= 3 and a.startswith(joined)]
    if len(starting) == 1:
        return starting
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
        if value is None:
            hint += _default_note(loc)
        msg = f"{field}: {_shown(value)} is not an accepted value. Accepted values: {', '.join(accepted)}.{hint}"
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
    elif kind == "json_invalid":
        msg = (f"{field}: {error['msg']}. Send the profile as a JSON object in UTF-8, such as "
               f"{_EXAMPLE_OBJECTS['Profile']}; an empty object {{}} is the empty profile.")
        ctx = {"error": str((error.get("ctx") or {}).get("error", ""))}
    else:
        raw_ctx = error.get("ctx") or {}
        described = _describe_wrong_type(field, loc, kind, value, raw_ctx)
        if described is not None:
            msg, ctx = described
        else:
            msg = f"{field}: {error['msg']}"
            ctx = {k: (v if isinstance(v, (str, int, float, bool)) or v is None else str(v))
                   for k, v in raw_ctx.items()}
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
