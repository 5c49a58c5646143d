"""Which policies ask which staff to confirm they have read what changed: plain data,
so who is asked can be read and tested alone."""

from __future__ import annotations

from collections.abc import Iterable

# Role codes as organisations.models.Role spells them.
CARE_WORKER = "care_worker"
TEAM_MANAGER = "team_manager"
SAFEGUARDING_LEAD = "safeguarding_lead"
DATA_PROTECTION_OFFICER = "dpo"
AUDITOR = "auditor"

CASE_ROLES = frozenset(
    {CARE_WORKER, TEAM_MANAGER, SAFEGUARDING_LEAD, DATA_PROTECTION_OFFICER, AUDITOR}
)

# The information-sharing policy: everyone with a case role. The decision framework:
# those who make a sharing decision (managers, leads) or countersign one (leads, the
# officer), as sharing/rules.py has it. The recording standards: those who record
# concerns.
APPLIES: dict[str, frozenset[str]] = {
    "information_sharing": CASE_ROLES,
    "sharing": frozenset({TEAM_MANAGER, SAFEGUARDING_LEAD, DATA_PROTECTION_OFFICER}),
    "recording": frozenset({CARE_WORKER, TEAM_MANAGER, SAFEGUARDING_LEAD}),
}

KINDS = tuple(APPLIES)

TITLES = {
    "information_sharing": "Information-sharing policy",
    "sharing": "Decision framework for sharing",
    "recording": "Recording standards",
}


def roles_for(kind: str) -> frozenset[str]:
    """The roles a policy asks to confirm; none for a policy that asks nobody."""
    return APPLIES.get(kind, frozenset())


def applies(kind: str, roles: Iterable[str]) -> bool:
    """Whether someone holding these roles is asked to confirm this policy."""
    return bool(roles_for(kind) & set(roles))


def kinds_for(roles: Iterable[str]) -> list[str]:
    """The policies someone holding these roles confirms, in a fixed order."""
    held = set(roles)
    return [kind for kind in KINDS if APPLIES[kind] & held]


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in (text or "").split("\n\n") if p.strip()]


def _short(text: str, words: int = 30) -> str:
    said = text.split()
    return " ".join(said[:words]) + (" …" if len(said) > words else "")


def written_changes(before: dict, after: dict) -> list[str]:
    """What changed between two versions of a written policy (title, owner, whether
    adopted, and its text paragraph by paragraph), in words."""
    from difflib import SequenceMatcher

    found = []
    for key, label in (("title", "Title"), ("owner", "Owner")):
        if before.get(key) != after.get(key):
            found.append(f"{label}: {before.get(key) or 'none'} → {after.get(key) or 'none'}")
    if bool(before.get("adopted")) != bool(after.get("adopted")):
        found.append("Adopted by the organisation" if after.get("adopted") else "No longer adopted")
    old, new = _paragraphs(before.get("body", "")), _paragraphs(after.get("body", ""))
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            found += [f"Removed: {_short(p)}" for p in old[i1:i2]]
        if tag in ("replace", "insert"):
            found += [f"Added: {_short(p)}" for p in new[j1:j2]]
    return found
