"""Policies as plain questions: which settings of each policy a form shows, in the
users' words; putting answers back into a document; saying what a change does; and
saying what is wrong with a document in plain English.

Plain data in, plain data out (no Django here): the forms and pages are thin around it.
Types and limits come from the documents' own models, so the form cannot allow what
saving would refuse, nor refuse what it would allow."""

from __future__ import annotations

import copy
import re
import types
import typing
from dataclasses import dataclass
from datetime import time
from types import SimpleNamespace
from typing import Annotated, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from sharewise.policy import documents

Path = tuple  # of str keys and int list positions


@dataclass(frozen=True)
class Setting:
    """One question on a policy form."""

    path: Path
    label: str
    hint: str
    kind: str  # whole, number, switch, text, long_text, lines, time, choice, choices
    group: str  # the fieldset it sits in, said in errors so the field is unmistakable
    minimum: float | None = None  # at least
    maximum: float | None = None  # at most
    above: float | None = None  # more than
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return "-".join(str(p) for p in self.path)

    def named(self, words: str) -> str:
        """A message about this setting, naming it in full."""
        return f"{self.group}: {self.label[0].lower()}{self.label[1:]} {words}"


@dataclass(frozen=True)
class Group:
    part: str  # the heading the group sits under
    title: str
    settings: tuple[Setting, ...]
    hint: str = ""
    folded: bool = False  # one of many alike (a category, a criterion): shown folded


# --- What each form asks ----------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """A setting on the form: its path within the section or item, its label and hint;
    only_if_set: shown only when the item uses it (a criterion's number)."""

    at: str
    label: str
    hint: str = ""
    only_if_set: bool = False
    long: bool = False


@dataclass(frozen=True)
class Section:
    part: str
    title: str
    asks: tuple[Ask, ...]
    hint: str = ""


@dataclass(frozen=True)
class Each:
    """The same questions for each item of a list (or each entry of a mapping)."""

    at: str
    part: str
    title: str  # the item's key naming it, or "" to number them
    asks: tuple[Ask, ...]
    numbered: str = ""  # "Question" gives "Question 1", "Question 2"...
    hint: str = ""


SEVERITIES = {"low": "Low", "moderate": "Moderate", "high": "High", "immediate": "Immediate"}
OWNERS = {
    "safeguarding_lead": "Safeguarding lead",
    "team_manager": "Team manager",
    "dpo": "Data protection officer",
    "auditor": "Auditor",
}
ROLES = {
    "care_worker": "Care workers",
    "team_manager": "Team managers",
    "safeguarding_lead": "Safeguarding leads",
    "dpo": "Data protection officers",
    "auditor": "Auditors",
    "administrator": "Administrators",
}
# Titles of choices by the setting's last key; the article letters come from the
# decision framework's own descriptions of them.
CHOICES = {"severity": SEVERITIES, "owner": OWNERS, "privileged_roles": ROLES}

RULE = {
    "enabled": Ask("enabled", "Switched on", "Off: this rule raises no alerts."),
    "concerns": Ask("concerns", "Concerns needed"),
    "days": Ask("days", "Days looked across", "The window the rule counts concerns in."),
}


def _rule(at, title, *more, hint=""):
    asks = [Ask(f"{at}.{a.at}", a.label, a.hint) for a in (RULE["enabled"], *more)]
    return Section("Pattern rules", title, tuple(asks), hint)


def _a(name):
    return RULE[name]


FORMS: dict[str, tuple] = {
    "recording": (
        Section(
            "When concerns are reviewed",
            "Review deadlines",
            (
                Ask(
                    "review_hours.default",
                    "Hours to review a concern",
                    "A team manager or the lead reviews each concern within this many hours.",
                ),
                Ask(
                    "review_hours.immediate_danger",
                    "Hours to review a concern when someone is in immediate danger",
                ),
            ),
        ),
        Section(
            "When concerns are reviewed",
            "Do this now",
            (
                Ask(
                    "emergency_steps",
                    "Steps shown when someone is in immediate danger",
                    "One step a line, in the order to follow them.",
                ),
            ),
        ),
        Each(
            "categories",
            "Categories of abuse and neglect",
            "label",
            (
                Ask("label", "Name"),
                Ask("weight", "Weight in the risk score", "1 counts as usual; 2 counts double."),
                Ask("children_only", "Only for children"),
                Ask("crime", "Abuse of this kind is a crime"),
            ),
        ),
        Each("shifts", "Shifts", "label", (Ask("label", "Name"), Ask("starts", "Starts at"))),
        Each(
            "risk_indicators",
            "Quick questions on the concern form",
            "",
            (Ask("label", "Question", long=True),),
            numbered="Question",
        ),
        Each(
            "standards",
            "Recording standards",
            "",
            (
                Ask("message", "What staff are told", long=True),
                Ask("required", "A concern cannot be saved without this"),
            ),
            numbered="Standard",
        ),
    ),
    "patterns": (
        _rule("cumulative", "Several concerns about one person", _a("concerns"), _a("days")),
        _rule(
            "cross_team",
            "Concerns from different teams",
            Ask("teams", "Teams or services needed"),
            _a("days"),
        ),
        _rule(
            "refused_repeated",
            "Concerns repeated after the person refused sharing",
            _a("concerns"),
            _a("days"),
        ),
        _rule(
            "common_source",
            "One alleged source of harm, several people",
            Ask("people", "People needed"),
            _a("days"),
        ),
        _rule(
            "same_harm_at_service",
            "The same harm at one service",
            _a("concerns"),
            Ask("people", "Different people needed"),
            _a("days"),
        ),
        _rule("unexplained_injuries", "Unexplained injuries", _a("concerns"), _a("days")),
        _rule(
            "escalating_severity",
            "Concerns getting more severe",
            Ask("concerns", "Concerns needed", "Each more severe than the one before."),
            _a("days"),
        ),
        _rule("staff_implicated", "A member of staff named as the alleged source"),
        _rule(
            "risk_score",
            "Risk score over the threshold",
            Ask("threshold", "Score that raises an alert"),
            Ask(
                "half_life_days",
                "Days for a concern's weight to halve",
                "Older concerns count for less; after this many days, half as much.",
            ),
            Ask("severity_weights.low", "Weight of a low severity concern"),
            Ask("severity_weights.moderate", "Weight of a moderate severity concern"),
            Ask("severity_weights.high", "Weight of a high severity concern"),
            Ask("severity_weights.immediate", "Weight of an immediate danger concern"),
        ),
        _rule("overdue_review", "A concern waiting past its review time"),
        Section(
            "Deciding an alert",
            "What a decision needs",
            (
                Ask("decisions.min_rationale_words", "Words needed in the reasons for a decision"),
                Ask(
                    "decisions.max_monitor_days",
                    "Longest time to monitor before deciding again, in days",
                ),
            ),
        ),
    ),
    "sharing": (
        Section(
            "Decisions",
            "Reviews and reasons",
            (
                Ask(
                    "review_days",
                    "Days until a decision not to share is looked at again",
                    "The decider may choose an earlier date.",
                ),
                Ask("max_review_days", "Longest a decision not to share may wait for review"),
                Ask(
                    "min_rationale_words",
                    "Words of reasons needed to depart from the recommendation",
                ),
                Ask("capacity_current_days", "Days a capacity assessment counts for"),
                Ask(
                    "record_window_days",
                    "Days of concerns the framework reads",
                    "As well as the concerns chosen for the decision.",
                ),
            ),
        ),
        Section(
            "Decisions",
            "When not sharing needs the lead's review",
            (
                Ask(
                    "lead_review_when_risk_over_threshold",
                    "While the person's risk score is over the threshold",
                ),
                Ask("lead_review_when_alert_open", "While an alert about the person is waiting"),
            ),
        ),
        Section(
            "Decisions",
            "Lawful basis",
            (
                Ask(
                    "article_6_default",
                    "Lawful bases you rely on when sharing without consent",
                    "Unless a ground below names its own.",
                ),
            ),
        ),
        Each(
            "override_grounds",
            "Grounds for sharing without consent",
            "label",
            (Ask("label", "Name"), Ask("why", "Why this ground allows sharing", long=True)),
        ),
    ),
    "referrals": (
        Section(
            "Sending",
            "Extra information",
            (
                Ask(
                    "allowance",
                    "Extra fields a referral may add before the data protection officer "
                    "must countersign it",
                ),
            ),
        ),
        Each(
            "templates",
            "Referral templates",
            "title",
            (Ask("title", "Name"), Ask("recipient", "Who receives it")),
        ),
        Each(
            "fields",
            "What a referral can hold",
            "label",
            (
                Ask("label", "Name on the referral"),
                Ask(
                    "free_text",
                    "Check it for other people named in it before it is sent",
                    "The sender sees each name found and chooses what to hide.",
                ),
            ),
        ),
    ),
    "governance": (
        Section(
            "Meetings and supervision",
            "Oversight meetings",
            (
                Ask("meeting_every_days", "Days between oversight meetings"),
                Ask("recent_decisions", "Recent sharing decisions to check at each meeting"),
            ),
        ),
        Section(
            "Meetings and supervision",
            "Supervision",
            (
                Ask("supervision_every_days", "Days between supervision sessions"),
                Ask("supervision_look_back_days", "Days of records a session looks back over"),
                Ask(
                    "challenge_prompts",
                    "Challenge prompts for supervisors",
                    "One prompt a line.",
                ),
            ),
        ),
        Section(
            "Audits and the evidence pack",
            "Samples and counts",
            (
                Ask("max_sample", "Most records in a case-file sample"),
                Ask(
                    "small_number",
                    "Smallest count the evidence pack shows",
                    'Smaller counts show as "fewer than" this, so nobody can be identified.',
                ),
            ),
        ),
        Each(
            "criteria",
            "What an audit checks",
            "title",
            (
                Ask("enabled", "Checked in audits"),
                Ask("title", "Name"),
                Ask("why", "Why it matters", long=True),
                Ask("severity", "How serious a finding is"),
                Ask("owner", "Who owns a finding"),
                Ask("days", "Days allowed", only_if_set=True),
                Ask("min_words", "Words needed", only_if_set=True),
                Ask(
                    "max_rate",
                    "Share of concerns that may miss a standard",
                    "Between 0 and 1: 0.2 is one in five.",
                    only_if_set=True,
                ),
                Ask("min_concerns", "Concerns a team needs to be checked", only_if_set=True),
                Ask("words", "Words that suggest doubt about capacity", "One a line.", True),
            ),
        ),
        Each(
            "checklist.concerns",
            "Case-file checklist",
            "",
            (Ask("text", "Question", long=True),),
            numbered="Question about a concern",
        ),
        Each(
            "checklist.decisions",
            "Case-file checklist",
            "",
            (Ask("text", "Question", long=True),),
            numbered="Question about a decision",
        ),
    ),
    "access": (
        Section(
            "Signing in",
            "Second factor",
            (
                Ask(
                    "privileged_roles",
                    "Roles that always need a second factor",
                    "They also get the shorter session limits. Leads, data protection "
                    "officers, auditors and administrators always do.",
                ),
                Ask("second_factor.everyone", "Everyone signs in with a second factor"),
                Ask(
                    "second_factor.step_up_minutes",
                    "Minutes before the most serious actions ask for it again",
                ),
            ),
        ),
        Section(
            "Signing in",
            "Sessions",
            (
                Ask("sessions.idle_minutes", "Minutes without activity before signing out"),
                Ask(
                    "sessions.idle_minutes_privileged",
                    "Minutes without activity before signing out, for roles that need a "
                    "second factor",
                ),
                Ask("sessions.absolute_hours", "Hours after signing in before signing out"),
                Ask(
                    "sessions.absolute_hours_privileged",
                    "Hours after signing in before signing out, for roles that need a "
                    "second factor",
                ),
            ),
        ),
        Section(
            "Signing in",
            "API tokens",
            (
                Ask("api_tokens.max_days", "Longest a token may last, in days"),
                Ask("api_tokens.default_days", "Days a token lasts unless chosen otherwise"),
            ),
        ),
        Section(
            "Signing in",
            "Refused requests",
            (
                Ask("refused_access.notice_after", "Refused requests that raise a notice"),
                Ask("refused_access.window_minutes", "Minutes those requests are counted over"),
            ),
        ),
    ),
}
EDITABLE = tuple(FORMS)


# --- Reading types and limits from the models --------------------------------------------


def _split(at: str) -> Path:
    return tuple(at.split("."))


def _inner(annotation):
    """The annotation without Optional."""
    args = get_args(annotation)
    if get_origin(annotation) in (typing.Union, types.UnionType):
        kept = [a for a in args if a is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _type_at(model: type[BaseModel], path: Path):
    """(annotation, field info or None) of the value at path."""
    annotation, info = model, None
    for step in path:
        annotation = _inner(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            info = annotation.model_fields[step]
            annotation = info.annotation
        elif get_origin(annotation) is list:
            annotation, info = get_args(annotation)[0], None
        elif get_origin(annotation) is dict:
            annotation, info = get_args(annotation)[1], None
        else:
            raise KeyError(path)
    if get_origin(annotation) is Annotated:  # a constrained value inside a mapping
        annotation, *rules = get_args(annotation)
        info = SimpleNamespace(metadata=[m for r in rules for m in getattr(r, "metadata", [r])])
    return _inner(annotation), info


def _limits(info) -> dict:
    found = {}
    for rule in getattr(info, "metadata", ()) or ():
        for name, key in (("ge", "minimum"), ("le", "maximum"), ("gt", "above")):
            if getattr(rule, name, None) is not None:
                found[key] = getattr(rule, name)
    return found


def _setting(model, path: Path, ask: Ask, group: str, document: dict) -> Setting:
    annotation, info = _type_at(model, path)
    choices = ()
    if annotation is bool:
        kind = "switch"
    elif annotation is int:
        kind = "whole"
    elif annotation is float:
        kind = "number"
    elif annotation is time:
        kind = "time"
    elif annotation is str:
        kind = "long_text" if ask.long else "text"
    elif get_origin(annotation) is Literal:
        kind, choices = "choice", _titled(path, get_args(annotation), document)
    elif get_origin(annotation) is list and get_args(annotation)[0] is str:
        kind = "lines"
    elif get_origin(annotation) is list and get_origin(get_args(annotation)[0]) is Literal:
        kind = "choices"
        choices = _titled(path, get_args(get_args(annotation)[0]), document)
    else:  # pragma: no cover - a form asking what it cannot show is a mistake here
        raise TypeError(f"No question for {path}: {annotation}")
    return Setting(path, ask.label, ask.hint, kind, group, choices=choices, **_limits(info))


def _titled(path: Path, values, document) -> tuple[tuple[str, str], ...]:
    key = path[-1]
    titles = CHOICES.get(key) or document.get(key if key != "article_6_default" else "article_6")
    titles = titles if isinstance(titles, dict) else {}
    return tuple((v, titles.get(v, _words(v))) for v in values)


def _get_or_none(document, path: Path):
    try:
        return _get(document, path)
    except (KeyError, IndexError, TypeError):
        return None


def _get(document, path: Path):
    for step in path:
        document = document[step]
    return document


def groups(kind: str, document: dict) -> list[Group]:
    """The form for one policy, as groups of settings, for this version's document
    (a list's items each get their own group)."""
    model = documents.KINDS[kind]
    found = []
    for spec in FORMS[kind]:
        if isinstance(spec, Section):
            settings = tuple(
                _setting(model, _split(a.at), a, spec.title, document) for a in spec.asks
            )
            found.append(Group(spec.part, spec.title, settings, spec.hint))
            continue
        base = _split(spec.at)
        items = _get(document, base)
        keys = list(items) if isinstance(items, dict) else range(len(items))
        for n, key in enumerate(keys, start=1):
            item = items[key]
            title = str(item.get(spec.title) or "") if spec.title else ""
            title = title or f"{spec.numbered or 'Item'} {n}"
            settings = tuple(
                _setting(model, (*base, key, *_split(a.at)), a, title, document)
                for a in spec.asks
                if not a.only_if_set or _get(item, _split(a.at))
            )
            found.append(Group(spec.part, title, settings, spec.hint, folded=True))
    return found


def settings(kind: str, document: dict) -> list[Setting]:
    return [s for g in groups(kind, document) for s in g.settings]


# --- Answers in and out ------------------------------------------------------------------


def answer(setting: Setting, document: dict):
    """The current answer to a setting, as a form shows it."""
    value = _get(document, setting.path)
    if setting.kind == "lines":
        return "\n".join(value)
    if setting.kind == "time" and isinstance(value, str):
        return time.fromisoformat(value)
    if setting.kind == "number" and isinstance(value, float) and value.is_integer():
        return int(value)  # 24, not 24.0
    return value


def apply(document: dict, answers: dict[Path, object]) -> dict:
    """A copy of document with each setting's answer put in its place."""
    changed = copy.deepcopy(document)
    for path, value in answers.items():
        if isinstance(value, time):
            value = value.isoformat()
        target = _get(changed, path[:-1])
        target[path[-1]] = value
    return changed


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


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


def _words(key) -> str:
    """A key said in words, for settings the form does not ask about."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _said(value, choices: dict | None = None) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "; ".join(_said(v, choices) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_words(k)} {_said(v, choices)}" for k, v in value.items())
    if isinstance(value, str) and choices and value in choices:
        return choices[value]
    if isinstance(value, str) and re.fullmatch(r"\d\d:\d\d:\d\d", value):
        return value[:5]
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+", value):
        return _words(value)  # a code, said in words
    return str(value)


def _item_name(item) -> str:
    if isinstance(item, dict):
        for key in ("label", "title", "text", "message"):
            if item.get(key):
                return str(item[key])
    return ""


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
                _said(before, choices),
                _said(after, choices),
            )
        )
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if key not in after:
                found.append(Change(_where((*names, _words(key))), _said(before[key]), "removed"))
            elif key not in before:
                found.append(Change(_where((*names, _words(key))), "none", _said(after[key])))
            else:
                name = _item_name(after[key]) if isinstance(after[key], dict) else ""
                _compare(
                    before[key],
                    after[key],
                    (*path, key),
                    (*names, name or _words(key)),
                    asked,
                    found,
                )
        return
    if _keyed(before) and _keyed(after):
        old = {i["code"]: (n, i) for n, i in enumerate(before)}
        new = {i["code"]: (n, i) for n, i in enumerate(after)}
        for code, (_, item) in old.items():
            if code not in new:
                name = _item_name(item) or _words(code)
                found.append(Change(_where((*names, name)), None, "removed"))
        for code, (n, item) in new.items():
            name = _item_name(item) or _words(code)
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
            name = _item_name(now) or f"Item {n + 1}"
            _compare(was, now, (*path, n), (*names, name), asked, found)
        return
    found.append(Change(_where(names) or "The policy", _said(before), _said(after)))


def _keyed(value) -> bool:
    if not isinstance(value, list) or not value:
        return False
    if not all(isinstance(i, dict) and "code" in i for i in value):
        return False
    codes = [i["code"] for i in value]
    return len(set(codes)) == len(codes)


# --- What is wrong, in plain English -----------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: Path | None  # the setting to fix, when the form asks about it
    message: str


def _number(value) -> str:
    return _said(float(value)) if isinstance(value, int | float) else str(value)


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
            names.append(_item_name(item) or f"item {step + 1}")
        else:
            names.append(_words(step))
        here = item
    return " › ".join(names)


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
