"""A concern as the API gives it back: nobody's id is given to a reader who may not
see them."""

from sharewise.api.concerns.schemas import (
    ConcernAmendmentOut,
    ConcernOut,
    ConcernSummary,
    ReviewOut,
    StandardOut,
)
from sharewise.concerns import recording
from sharewise.people.models import Person

# The answers a concern gives back as recorded, by the same name.
AS_RECORDED = (
    "recorded_at",
    "occurred_at",
    "service_id",
    "team_id",
    "shift",
    "categories",
    "risk_indicators",
    "severity",
    "sharing_view",
    "facts",
    "persons_words",
    "persons_wishes",
    "immediate_action",
    "who_was_told",
    "injury",
    "injury_location",
    "information_source",
    "source_kind",
    "source_description",
    "review_due_at",
)


def name(user):
    return user.get_full_name() or user.username


def _visible_ids(concern, viewer, amendments) -> set[int]:
    people = set(concern.people.values_list("pk", flat=True))
    people.add(concern.source_person_id)
    for a in amendments:
        if "source_person" in a.changes:
            people |= {a.changes["source_person"]["from"], a.changes["source_person"]["to"]}
    return set(
        Person.objects.visible_to(viewer, include_merged=True)
        .filter(pk__in=people - {None})
        .values_list("pk", flat=True)
    )


def concern_out(concern, viewer) -> ConcernOut:
    """The concern as recorded, as it reads now (`current`), its amendments and review."""
    _, policy = recording.policy_for(concern.organisation_id)
    messages = {s.code: s.message for s in policy.standards}
    amendments = list(concern.amendments.select_related("amended_by"))
    visible = _visible_ids(concern, viewer, amendments)

    def seen(pk):
        return pk if pk in visible else None

    current = recording.current(concern)
    current["occurred_at"] = str(current["occurred_at"])
    current["source_person"] = seen(current["source_person"])
    return ConcernOut(
        id=concern.pk,
        person_ids=sorted(
            pk for pk in concern.people.values_list("pk", flat=True) if pk in visible
        ),
        recorded_by=name(concern.recorded_by),
        service=concern.service.name,
        team=concern.team.name,
        **{field: getattr(concern, field) for field in AS_RECORDED},
        # As recorded, like every answer here; `current` holds who is named now.
        source_staff_id=recording.as_recorded(concern, "source_staff"),
        source_person_id=seen(recording.as_recorded(concern, "source_person")),
        unmet_standards=[
            StandardOut(code=c, message=messages.get(c, c)) for c in concern.unmet_standards
        ],
        overdue=concern.is_overdue,
        policy_version=concern.policy_version.version,
        current=current,
        amendments=[_amendment_out(a, seen) for a in amendments],
        review=_review_out(getattr(concern, "review", None)),
    )


def _amendment_out(amendment, seen) -> ConcernAmendmentOut:
    return ConcernAmendmentOut(
        id=amendment.pk,
        amended_at=amendment.amended_at,
        amended_by=name(amendment.amended_by),
        reason=amendment.reason,
        changes={
            field: {side: seen(v) for side, v in change.items()}
            if field == "source_person"
            else change
            for field, change in amendment.changes.items()
        },
    )


def _review_out(review) -> ReviewOut | None:
    if review is None:
        return None
    return ReviewOut(
        reviewed_at=review.reviewed_at,
        reviewed_by=name(review.reviewed_by),
        outcome=review.outcome,
        rationale=review.rationale,
    )


def summaries(concerns, viewer, now) -> list[ConcernSummary]:
    """One line per concern for a list (its people prefetched)."""
    visible = set(
        Person.objects.visible_to(viewer, include_merged=True)
        .filter(pk__in={p.pk for c in concerns for p in c.people.all()})
        .values_list("pk", flat=True)
    )
    results = []
    for c in concerns:
        reviewed = hasattr(c, "review")
        results.append(
            ConcernSummary(
                id=c.pk,
                person_ids=[p.pk for p in c.people.all() if p.pk in visible],
                occurred_at=c.occurred_at,
                service=c.service.name,
                team=c.team.name,
                shift=c.shift,
                categories=c.categories,
                severity=c.severity,
                review_due_at=c.review_due_at,
                status="reviewed" if reviewed else ("overdue" if c.review_due_at < now else "open"),
            )
        )
    return results
