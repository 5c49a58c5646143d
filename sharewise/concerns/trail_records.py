"""What the audit trail vouches for in a concern: the fields below, as they stood at the
last write to the trail (recording, amending, reviewing), and each amendment."""

from sharewise.audittrail.records import Digested
from sharewise.concerns.models import Amendment, Concern

DIGESTED = [
    Digested(
        Concern,
        fields=(
            "organisation",
            "recorded_by",
            "recorded_at",
            "occurred_at",
            "service",
            "team",
            "shift",
            "categories",
            "risk_indicators",
            "facts",
            "persons_words",
            "persons_wishes",
            "sharing_view",
            "sharing_view_reason",
            "immediate_action",
            "who_was_told",
            "source_kind",
            "source_staff",
            "source_person",
            "source_description",
            "injury",
            "injury_location",
            "information_source",
            "reported_by",
            "severity",
            "policy_version",
            "external_ref",
            "imported",
        ),
        related=("amendments",),
    ),
    Digested(
        Amendment,
        fields=("concern", "amended_by", "amended_at", "reason", "changes"),
        label="concern amendment",
    ),
]
