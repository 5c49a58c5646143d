"""What each policy form asks, in the users' words: its sections, and the same
questions for each item of a list."""

from __future__ import annotations

from dataclasses import dataclass

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
RUNS_FROM = {
    "last_contact": "The last contact",
    "last_enquiry_closed": "The close of the last enquiry",
}
CHOICES = {
    "severity": SEVERITIES,
    "owner": OWNERS,
    "privileged_roles": ROLES,
    "runs_from": RUNS_FROM,
}

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
    "retention": (
        Section(
            "Review",
            "The data protection officer's review list",
            (Ask("review_day", "Day of the month the review list is made"),),
        ),
        Each(
            "periods",
            "How long records are kept",
            "label",
            (
                Ask("label", "Kind of record"),
                Ask("years", "Years kept"),
                Ask(
                    "runs_from",
                    "The years run from",
                    "The last contact, or the close of the last enquiry (the last contact "
                    "when no enquiry is recorded).",
                ),
                Ask(
                    "until_age",
                    "Kept at least until this birthday",
                    "For children's records; 0 for none.",
                    only_if_set=True,
                ),
                Ask(
                    "older_at",
                    "One year more when this old at the last contact",
                    only_if_set=True,
                ),
                Ask("years_after_death", "Years kept after death", only_if_set=True),
                Ask("basis", "Why: the Code's period, or your local policy", long=True),
            ),
        ),
    ),
}
EDITABLE = tuple(FORMS)
