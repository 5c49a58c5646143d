"""What the audit trail vouches for in a disclosure: everything that was sent, to whom
and on what decision, including the PDF's bytes."""

from sharewise.audittrail.records import Digested
from sharewise.disclosures.models import Disclosure

DIGESTED = [
    Digested(
        Disclosure,
        fields=(
            "organisation",
            "person",
            "referral",
            "decision",
            "template",
            "template_title",
            "policy_version",
            "content",
            "pdf",
            "sha256",
            "minimum_fields",
            "sent_fields",
            "justifications",
            "redactions",
            "beyond_minimum",
            "recipient_organisation",
            "recipient_role",
            "recipient_name",
            "recipient_contact",
            "channel",
            "sent_by",
            "sent_at",
            "dpo_approved_by",
        ),
    ),
]
