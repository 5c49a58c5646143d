"""Recording standards: which apply to a concern, and which it does not meet.
Plain functions over the answers, so the form, the API and the import agree."""

from collections.abc import Mapping

CONDITIONS = {
    "always": lambda a: True,
    "disclosed": lambda a: a.get("information_source") == "disclosed",
    "unexplained_injury": lambda a: a.get("injury") == "unexplained",
    "refused_or_unable": lambda a: a.get("sharing_view") in ("refuses", "unable"),
    "source_known": lambda a: a.get("source_kind") not in (None, "", "unknown", "self"),
}


def _answered(answers: Mapping, check: str) -> bool:
    if check == "alleged_source_detail":
        return bool(
            answers.get("source_staff")
            or answers.get("source_person")
            or str(answers.get("source_description") or "").strip()
        )
    value = answers.get(check)
    if isinstance(value, list | tuple):
        return bool(value)
    return bool(str(value).strip()) if value is not None else False


def applicable(answers: Mapping, standards) -> list:
    return [s for s in standards if CONDITIONS[s.when](answers)]


def unmet(answers: Mapping, standards) -> list:
    """Standards that count against a concern: required ones that apply to these
    answers and are not met, in policy order. A standard the policy does not require is
    a prompt while recording (its question may be left blank), never a failure after."""
    return [
        s for s in applicable(answers, standards) if s.required and not _answered(answers, s.check)
    ]


def prompts(answers: Mapping, standards) -> list:
    """Standards not required that apply and are not met: advice, not a failure."""
    return [
        s
        for s in applicable(answers, standards)
        if not s.required and not _answered(answers, s.check)
    ]


def missing_requirements(answers: Mapping, standards) -> dict[str, str]:
    """Hard requirements not met: {field: message}. A concern with any is not saved."""
    return {s.check: s.message for s in unmet(answers, standards) if s.required}
