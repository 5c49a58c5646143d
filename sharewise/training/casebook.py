"""The practice cases shipped as data in `cases/`, one YAML file per case."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

CASES = Path(__file__).parent / "cases"


@cache
def _documents() -> dict[str, dict]:
    found = {}
    for path in sorted(CASES.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[document["code"]] = document
    return found


def titles() -> dict[str, str]:
    """Every case's code and title, in the order of their files."""
    return {code: d["title"] for code, d in _documents().items()}


def failure_patterns() -> dict[str, str]:
    """Every case's code and the failure pattern it trains against ("" when none)."""
    return {code: d.get("failure_pattern") or "" for code, d in _documents().items()}
