"""What other apps may listen for when concerns change. Sent inside the transaction
that wrote the concern, so a listener's writes (alerts) commit or roll back with it."""

from django.dispatch import Signal

# concern, at: a concern was recorded or amended (at: when, for historic records);
# concern_recorded also sends person_ids, whom it is about.
concern_recorded = Signal()
concern_amended = Signal()
# concern, review: a concern was reviewed (review.reviewed_by, .outcome, .rationale).
concern_reviewed = Signal()
# concern_ids, organisation_id: many concerns saved at once (an import); listeners
# should do their work once for the lot, not once per concern.
concerns_recorded_together = Signal()
