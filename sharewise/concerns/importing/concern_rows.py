"""Checking a row's concern: its cells read into a recording.Draft, then judged by
recording.problems() exactly as a typed concern is, each problem named by the file's
column."""

from sharewise.concerns import recording
from sharewise.concerns.importing.checking import Check
from sharewise.concerns.importing.columns import CONCERN_LIMITS, FIELD_COLUMNS
from sharewise.concerns.importing.values import CHOICES, read_moment


class _Row:
    """One row's problems, remembering which columns are already faulted."""

    def __init__(self, check: Check, number):
        self.check, self.number = check, number
        self.flagged: set[str] = set()

    def bad(self, column, message):
        self.flagged.add(column)
        self.check.add(self.number, column, message)


def concern(check: Check, number, values, person, team):
    """Keep the row's concern as a draft to save, or add its problems; a concern
    imported before is counted and left as it is."""
    ref = values.get("concern_ref", "")
    if not ref:
        check.add(number, "concern_ref", "Enter your reference for the concern")
        return
    if ref in check.file_refs:
        check.add(
            number,
            "concern_ref",
            f"'{ref}' is also on row {check.file_refs[ref]}: give every concern its own reference",
        )
        return
    check.file_refs[ref] = number
    if ref in check.imported:
        check.skipped += 1
        return
    row = _Row(check, number)
    occurred = None
    if values.get("occurred_at"):
        try:
            occurred = read_moment(values["occurred_at"])
        except ValueError as error:
            row.bad("occurred_at", str(error))
    categories = _codes(
        row,
        values,
        "categories",
        check.categories,
        "is not a category in your policy",
        [c.code for c in check.policy.categories],
    )
    indicators = _codes(
        row,
        values,
        "risk_indicators",
        check.indicators,
        "is not a risk question in your policy",
        list(dict.fromkeys(check.indicators.values())),
    )
    answers = _answers(row, values)
    shift = _shift(row, values)
    recorder = _recorder(row, values)
    for name, limit in CONCERN_LIMITS.items():
        if len(values.get(name) or "") > limit:
            row.bad(name, f"Shorten this to {limit} characters or fewer")
    draft = recording.Draft(
        people=[person] if person else [],
        occurred_at=occurred,
        service=team.service if team else None,
        team=team,
        categories=categories,
        risk_indicators=indicators,
        answers={k: v for k, v in answers.items() if v},
        shift=shift,
        external_ref=ref,
    )
    _judge(row, draft, recorder, person, team)


def _judge(row: _Row, draft, recorder, person, team):
    check = row.check
    problems = recording.problems(draft, check.organisation.pk, check.policy)
    # What is already reported above, in the file's terms, is not repeated.
    if person is None:
        row.flagged.add("people")
    if team is None:
        row.flagged |= {"service", "team"}
    for name, messages in problems.items():
        if name in row.flagged:
            continue
        for message in messages:
            check.add(row.number, FIELD_COLUMNS.get(name, name), message)
    if not row.flagged and not problems:
        check.drafts.append((row.number, draft, recorder))


def _codes(row: _Row, values, column, lookup, unknown, offered) -> list[str]:
    """The policy codes a ';'-separated cell names, by code or by words."""
    codes = []
    for text in (values.get(column) or "").split(";"):
        if not text.strip():
            continue
        code = lookup.get(text.strip().casefold())
        if code is None:
            row.bad(column, f"'{text.strip()}' {unknown}. Use one of: {', '.join(offered)}")
        else:
            codes.append(code)
    return codes


def _answers(row: _Row, values) -> dict:
    answers = {name: values.get(name, "") for name in recording.TEXT_FIELDS}
    for name, lookup in CHOICES.items():
        text = values.get(name, "")
        if not text:
            answers[name] = ""
            continue
        answers[name] = lookup.get(text.casefold())
        if answers[name] is None:
            row.bad(
                name,
                f"'{text}' is not an answer we know. Use one of: "
                f"{', '.join(dict.fromkeys(lookup.values()))}",
            )
    return answers


def _shift(row: _Row, values) -> str | None:
    if not values.get("shift"):
        return ""
    shift = row.check.shifts.get(values["shift"].casefold())
    if shift is None:
        row.bad("shift", f"Use one of: {', '.join(s.code for s in row.check.policy.shifts)}")
    return shift


def _recorder(row: _Row, values):
    if not values.get("recorded_by"):
        return None
    recorder = row.check.users.get(values["recorded_by"].casefold())
    if recorder is None:
        row.bad(
            "recorded_by",
            f"No one with the username '{values['recorded_by']}' works at "
            f"{row.check.organisation.name}: use their Sharewise username, or leave it blank",
        )
    return recorder
