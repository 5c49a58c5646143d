"""Policy files: YAML read and written."""

from __future__ import annotations

import yaml


class Unreadable(ValueError):
    """A policy file that is not a YAML document of named sections; the message says
    where, plainly."""


def read_yaml(text: str) -> dict:
    try:
        document = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f" near line {mark.line + 1}" if mark else ""
        raise Unreadable(
            f"The policy file is not valid YAML{where}: {error.problem or 'check it'}. "
            "Check the indentation and the colons there."
        ) from None
    except yaml.YAMLError:
        raise Unreadable("The policy file is not valid YAML. Check the indentation.") from None
    if not isinstance(document, dict):
        raise Unreadable(
            "The policy file must list the policy's settings by name, as the file you "
            "download from this page does."
        )
    return document


def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
