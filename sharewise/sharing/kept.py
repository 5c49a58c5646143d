"""The fields a sharing decision keeps for its outcome: a decision not to share names
no recipient, a decision to share has no review date, only identifying sharing has a
lawful basis, and only sharing without consent has override grounds. What an outcome
does not keep is stored blank, so the record never says more than was decided.

Plain data in, plain data out: no database, no request."""

from collections.abc import Mapping

from sharewise.sharing.framework import IDENTIFYING, SHARE_WITHOUT_CONSENT, SHARING

MONITOR = "monitor"
OUTCOMES = (*sorted(SHARING), "do_not_share", MONITOR)

ALWAYS = ("question", "purpose", "necessity")
RECIPIENT = ("recipient_organisation", "recipient_role", "recipient_name", "what_shared")
TELLING = ("channel", "person_told")
BASIS = ("article_6", "article_9", "schedule_1")
FIELDS = (
    *ALWAYS,
    "override_grounds",
    *BASIS,
    *RECIPIENT,
    *TELLING,
    "not_told_reason",
    "departure_rationale",
    "review_date",
)
# What each outcome needs, besides ALWAYS (decision_problems says so when it is missing).
REQUIRED = {
    "share_with_consent": (*RECIPIENT[:2], "what_shared", *TELLING, "article_6", "article_9"),
    "share_without_consent": (
        *RECIPIENT[:2],
        "what_shared",
        *TELLING,
        "article_6",
        "article_9",
        "override_grounds",
    ),
    "share_deidentified": (*RECIPIENT[:2], "what_shared", *TELLING),
    "do_not_share": ("review_date",),
    MONITOR: ("review_date",),
}


def _text(data: Mapping, name: str) -> str:
    return str(data.get(name) or "").strip()


def is_sharing(outcome: str) -> bool:
    return outcome in SHARING


def kept_fields(outcome: str, data: Mapping, *, departing: bool) -> dict:
    """The decision's own fields as stored for this outcome: text trimmed, and every
    field the outcome does not keep blank (None for the review date)."""
    sharing = is_sharing(outcome)
    identifying = outcome in IDENTIFYING
    kept = {name: _text(data, name) for name in ALWAYS}
    grounds = data.get("override_grounds") or ()
    kept["override_grounds"] = sorted(grounds) if outcome == SHARE_WITHOUT_CONSENT else []
    kept["article_6"] = _text(data, "article_6") if identifying else ""
    kept["article_9"] = _text(data, "article_9") if identifying else ""
    with_schedule = identifying and kept["article_9"] == "g"
    kept["schedule_1"] = _text(data, "schedule_1") if with_schedule else ""
    for name in (*RECIPIENT, *TELLING):
        kept[name] = _text(data, name) if sharing else ""
    told_no = kept["person_told"] == "no"
    kept["not_told_reason"] = _text(data, "not_told_reason") if told_no else ""
    kept["departure_rationale"] = _text(data, "departure_rationale") if departing else ""
    kept["review_date"] = None if sharing else data.get("review_date")
    return kept
