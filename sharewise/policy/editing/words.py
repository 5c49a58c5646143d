"""Values and keys of a policy said in words, for changes and problems."""

from __future__ import annotations

import re


def words(key) -> str:
    """A key said in words, for settings the form does not ask about."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def said(value, choices: dict | None = None) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "; ".join(said(v, choices) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{words(k)} {said(v, choices)}" for k, v in value.items())
    if isinstance(value, str) and choices and value in choices:
        return choices[value]
    if isinstance(value, str) and re.fullmatch(r"\d\d:\d\d:\d\d", value):
        return value[:5]
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value):
        return words(value)  # a code, said in words
    return str(value)


def item_name(item) -> str:
    if isinstance(item, dict):
        for key in ("label", "title", "text", "message"):
            if item.get(key):
                return str(item[key])
    return ""
