"""What a change to a policy does, said in words, in the order of the form."""

from __future__ import annotations

from dataclasses import dataclass

from sharewise.policy.editing.form import Path, groups
from sharewise.policy.editing.words import item_name, said, words

# --- What a change does ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    what: str
    before: str | None  # None: something added or removed, said by after alone
    after: str

    def __str__(self):
        if self.before is None:
            return f"{self.what}: {self.after}"
        return f"{self.what}: {self.before} → {self.after}"


def changes(kind: str, before: dict, after: dict) -> list[Change]:
    """Every difference between two versions of a policy, said in words, in the
    order of the form (settings the form does not ask about, by their place)."""
    asked = {}
    for document in (after, before):
        for g in groups(kind, document):
            for s in g.settings:
                asked.setdefault(s.path, s)
    found: list[Change] = []
    _compare(before, after, (), (), asked, found)
    return found


def _where(names: tuple[str, ...]) -> str:
    return " › ".join(n for n in names if n)


def _compare(before, after, path: Path, names: tuple, asked: dict, found: list) -> None:
    if before == after:
        return
    setting = asked.get(path)
    if setting is not None:
        choices = dict(setting.choices) or None
        found.append(
            Change(
                f"{setting.group} › {setting.label}",
                said(before, choices),
                said(after, choices),
            )
        )
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in after:
                found.append(Change(_where((*names, words(key))), said(before[key]), "removed"))
            elif key not in before:
                found.append(Change(_where((*names, words(key))), "none", said(after[key])))
            else:
                name = item_name(after[key]) if isinstance(after[key], dict) else ""
                _compare(
                    before[key],
                    after[key],
                    (*path, key),
                    (*names, name or words(key)),
                    asked,
                    found,
                )
        return
    if _keyed(before) and _keyed(after):
        old = {i["code"]: (n, i) for n, i in enumerate(before)}
        new = {i["code"]: (n, i) for n, i in enumerate(after)}
        for code, (_, item) in old.items():
            if code not in new:
                name = item_name(item) or words(code)
                found.append(Change(_where((*names, name)), None, "removed"))
        for code, (n, item) in new.items():
            name = item_name(item) or words(code)
            if code not in old:
                found.append(Change(_where((*names, name)), None, "added"))
            else:
                m, was = old[code]
                if m == n:
                    _compare(was, item, (*path, n), (*names, name), asked, found)
                else:  # moved: compare by what it holds, not where it sits
                    _compare(was, item, (*path, ("moved", code)), (*names, name), asked, found)
        return
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and any(isinstance(v, dict) for v in before)
    ):
        for n, (was, now) in enumerate(zip(before, after, strict=True)):
            name = item_name(now) or f"Item {n + 1}"
            _compare(was, now, (*path, n), (*names, name), asked, found)
        return
    found.append(Change(_where(names) or "The policy", said(before), said(after)))


def _keyed(value) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if not all(isinstance(i, dict) and "code" in i for i in value):
        return False
    codes = [i["code"] for i in value]
    return len(set(codes)) == len(codes)
