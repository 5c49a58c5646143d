"""What the sharing tests say again and again: the framework's answers after a refusal
by someone with capacity, and the two decisions most stories end in."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

REFUSED = {
    "purpose": "yes",
    "identifiable": "yes",
    "confidential": "yes",
    "consent": "refused",
    "capacity": "presumed",
    "at_risk": "yes",
    "necessary": "yes",
}
GROUNDS = {**REFUSED, "grounds": ["others_at_risk"]}
WHY = "Her neighbour is frightened of the same visitor, so others are at risk whatever she says."


def by(user):
    """A request from this member of staff, for calling the sharing operations."""
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def do_not_share(**more):
    return {
        "question": "Should we tell the local authority what she says about her son?",
        "purpose": "To protect her from emotional abuse",
        "outcome": "do_not_share",
        "necessity": "She has capacity, only she is at risk, and she has said no clearly.",
        "review_date": timezone.localdate() + timedelta(days=14),
        **more,
    }


def share_without_consent(**more):
    return {
        "question": "Should we tell the local authority about the threats to other residents?",
        "purpose": "To protect other residents",
        "outcome": "share_without_consent",
        "override_grounds": ["others_at_risk"],
        "article_6": "e",
        "article_9": "g",
        "schedule_1": "para_18",
        "necessity": "Other residents are at risk and only the local authority can enquire.",
        "recipient_organisation": "Northshire County Council",
        "recipient_role": "Adult safeguarding team",
        "what_shared": "The three concerns, dates and what was said.",
        "channel": "secure_email",
        "person_told": "yes",
        **more,
    }
