"""What every policy document shares: the shipped YAML and checks between settings."""

from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationInfo

DEFAULTS = Path(__file__).parent.parent / "defaults"


def shipped(kind: str, key: str, model):
    """One part of a shipped policy, for versions an organisation saved before it
    existed."""
    with open(DEFAULTS / f"{kind}.yaml", encoding="utf-8") as f:
        return TypeAdapter(model).validate_python(yaml.safe_load(f)[key])


def at_most(other: str, unit: str, words: str):
    """A check that a setting is no more than an earlier one; its error sits on this
    setting and finishes a sentence naming it."""

    def check(value, info: ValidationInfo):
        limit = info.data.get(other)
        if limit is not None and value > limit:
            raise ValueError(f"may not be more than {words} ({limit:g} {unit})")
        return value

    return check
