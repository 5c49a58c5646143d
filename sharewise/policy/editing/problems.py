"""What is wrong with a policy document, in plain English, naming the setting."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from sharewise.policy.editing.form import Path, _get_or_none, settings
from sharewise.policy.editing.words import item_name, said, words

# --- What is wrong, in plain English -----------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: Path | None  # the setting to fix, when the form asks about it
    message: str


def _number(value) -> str:
    return said(float(value)) if isinstance(value, int | float) else str(value)


def _said_by_type(error: dict) -> str:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "greater_than_equal":
        return f"must be {_number(ctx['ge'])} or more"
    if kind == "less_than_equal":
        return f"must be {_number(ctx['le'])} or less"
    if kind == "greater_than":
        return f"must be more than {_number(ctx['gt'])}"
    if kind == "less_than":
        return f"must be less than {_number(ctx['lt'])}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "must be a whole number, like 7"
    if kind in ("float_parsing", "float_type"):
        return "must be a number, like 1.5"
    if kind in ("bool_parsing", "bool_type"):
        return "must be true or false"
    if kind == "missing":
        return "is missing"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)}"
    if kind == "too_long":
        return f"may have at most {ctx.get('max_length')}"
    if kind == "string_too_short":
        return f"needs at least {ctx.get('min_length', 1)} characters"
    if kind == "string_too_long":
        return f"may have at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return "must be lower-case letters, numbers and underscores, starting with a letter"
    if kind == "literal_error" and error["loc"] and error["loc"][-1] == "code":
        return "is not one Sharewise knows: keep each code as the downloaded file has it"
    if kind == "literal_error":
        return "must be one of: " + ctx.get("expected", "").replace("'", "")
    if kind in ("time_parsing", "time_type"):
        return "must be a time, like 07:00"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return "is in the wrong shape: check the indentation"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return error["msg"][:1].lower() + error["msg"][1:]


def problems(kind: str, error: ValidationError, document: dict) -> list[Problem]:
    """Each error in a document said plainly, naming the setting: by its label when
    the form asks about it, by its place in the document when not."""
    try:
        asked = {s.path: s for s in settings(kind, document)}
    except (KeyError, TypeError, IndexError, AttributeError):
        asked = {}  # too broken to lay out as a form: name places instead
    # A place the form does not ask about is named by the group around it, if any.
    groups_at = {s.path[:-1]: s.group for s in asked.values()}
    found = []
    for e in error.errors():
        loc = tuple(e["loc"])
        words = _said_by_type(e)
        setting = asked.get(loc)
        if e["type"] == "unknown_setting" and loc:
            # Named as typed, so it can be found in the file.
            where = loc[:-1]
            place = groups_at.get(where) or (
                _place(document, where, groups_at) if where else "The policy"
            )
            found.append(
                Problem(
                    None,
                    f"{place}: Sharewise has no setting called '{loc[-1]}': check the spelling",
                )
            )
            continue
        if setting is not None:
            found.append(Problem(loc, setting.named(words)))
        else:
            found.append(Problem(None, f"{_place(document, loc, groups_at)}: {words}"))
    return found


def _place(document, loc: Path, groups_at: dict | None = None) -> str:
    if not loc:
        return "The policy"
    for n in range(len(loc) - 1, 0, -1):
        if (group := (groups_at or {}).get(loc[:n])) is not None:
            rest = _place(_get_or_none(document, loc[:n]), loc[n:])
            return f"{group} › {rest[:1].lower()}{rest[1:]}"
    names, here = [], document
    for step in loc:
        item = None
        try:
            item = here[step]
        except (KeyError, IndexError, TypeError):
            pass
        if isinstance(step, int):
            names.append(item_name(item) or f"item {step + 1}")
        else:
            names.append(words(step))
        here = item
    return " › ".join(names)
