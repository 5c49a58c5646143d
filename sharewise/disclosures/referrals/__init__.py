"""Building, previewing, countersigning and sending a referral: the operations the
pages and the API both call. Each step raises ValidationError naming what to fix, and
changes nothing when refused. What is sent is the last preview, byte for byte.

Sending makes the referral final (it can no longer change) and then delivers it by
the partner's channel. Secure email goes through Django's mail to the configured mail
server; the disclosure is written only once the server accepted it. A portal or phone
referral is submitted by the sender, who then confirms when, by whom and with what
reference; until then it is final but not sent."""

from sharewise.disclosures.referrals.approving import approve, ask_approval
from sharewise.disclosures.referrals.building import preview, start
from sharewise.disclosures.referrals.changing import change
from sharewise.disclosures.referrals.disclosing import confirm_submitted
from sharewise.disclosures.referrals.sending import (
    NOT_DELIVERING,
    STALE_ATTEMPT,
    Sending,
    agreement_cover,
    mail_server_configured,
    reopen,
    send,
    send_problems,
)

__all__ = [
    "NOT_DELIVERING",
    "STALE_ATTEMPT",
    "Sending",
    "agreement_cover",
    "approve",
    "ask_approval",
    "change",
    "confirm_submitted",
    "mail_server_configured",
    "preview",
    "reopen",
    "send",
    "send_problems",
    "start",
]
