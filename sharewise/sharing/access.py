"""Fetching consent records, capacity assessments, sharing decisions, advice and
drafts: the one door pages and the API go through.

Out of scope answers 404, exactly like a record that does not exist; every read that
succeeds is written to the audit trail against the person it is about."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for
from sharewise.sharing.models import (
    AdviceRequest,
    CapacityAssessment,
    ConsentRecord,
    Draft,
    SharingDecision,
)

# Visible to ------------------------------------------------------------------------


def consents_visible_to(user):
    """Consent records about people this user may see."""
    return ConsentRecord.objects.visible_to(user)


def assessments_visible_to(user):
    """Capacity assessments about people this user may see."""
    return CapacityAssessment.objects.visible_to(user)


def decisions_visible_to(user):
    """Sharing decisions about people this user may see: all of them for those who see
    decisions (managers, leads, the data protection officer), otherwise their own."""
    decisions = SharingDecision.objects.visible_to(user)
    if user.has_perm("sharing.see_decisions"):
        return decisions
    return decisions.filter(decided_by=user)


def advice_visible_to(user):
    """What this user asked, and everything asked in the organisation for a lead or
    the data protection officer."""
    return AdviceRequest.objects.visible_to(user)


def drafts_visible_to(user):
    """Unfinished decisions the user began, and for a lead any in their organisation."""
    scope = scope_for(user)
    return Draft.objects.filter(decision__isnull=True).filter(
        Q(author=user) | Q(organisation_id__in=scope.lead_org_ids)
    )


# One record ------------------------------------------------------------------------


def _found(queryset, pk, what):
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404(f"No such {what}") from None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def get_consent_for(
    request, consent_id, *, action="viewed consent record", via="page"
) -> ConsentRecord:
    consent = _found(
        consents_visible_to(request.user).select_related("asked_by", "capacity_assessment"),
        consent_id,
        "consent record",
    )
    consent.person = get_person_for(request, consent.person_id, action=action, via=via)
    return consent


def get_assessment_for(
    request, assessment_id, *, action="viewed capacity assessment", via="page"
) -> CapacityAssessment:
    assessment = _found(
        assessments_visible_to(request.user).select_related("assessor"),
        assessment_id,
        "assessment",
    )
    assessment.person = get_person_for(request, assessment.person_id, action=action, via=via)
    return assessment


def get_decision_for(
    request, decision_id, action="viewed sharing decision", *, via="page"
) -> SharingDecision:
    decision = _found(
        decisions_visible_to(request.user).select_related(
            "decided_by",
            "countersigned_by",
            "policy_version",
            "information_policy",
            "appropriate_policy",
            "consent",
            "capacity_assessment",
            "alert",
        ),
        decision_id,
        "decision",
    )
    decision.person = get_person_for(request, decision.person_id, action=action, via=via)
    return decision


def get_advice_for(
    request, advice_id, *, action="viewed advice request", via="page"
) -> AdviceRequest:
    """A question the user asked or (for a lead or the officer) any in the organisation;
    one naming a person is read as a read of that person's record."""
    advice = _found(
        advice_visible_to(request.user).select_related("asked_by", "answered_by", "draft"),
        advice_id,
        "question",
    )
    if advice.person_id:
        advice.person = get_person_for(request, advice.person_id, action=action, via=via)
    return advice


def get_draft_for(request, draft_id, *, action="opened sharing decision", via="page") -> Draft:
    """A draft the user wrote, or (for a lead) any in their organisation, about someone
    they may see."""
    draft = _found(drafts_visible_to(request.user).select_related("alert"), draft_id, "draft")
    draft.person = get_person_for(request, draft.person_id, action=action, via=via)
    return draft


# Lists -----------------------------------------------------------------------------


def record_list_read(request, action, records, *, via="page") -> None:
    """One trail entry per person whose records a list showed."""
    people = sorted({r.person_id for r in records if r.person_id})
    if people:
        trail.record_reads(
            request,
            action,
            people,
            organisation_id=scope_for(request.user).organisation_id,
            detail={"via": via},
        )


def recent_concerns(person, user, chosen=(), limit=30):
    """The person's latest concerns this user may see, and any already chosen, each
    labelled with its day and the start of its facts."""
    about = Concern.objects.visible_to(user).filter(
        pk__in=ConcernPerson.objects.filter(person_id__in=person.record_ids()).values("concern_id")
    )
    concerns = list(about.order_by("-occurred_at")[:limit])
    shown = {c.pk for c in concerns}
    if missing := [int(i) for i in chosen if int(i) not in shown]:
        concerns += list(about.filter(pk__in=missing).order_by("-occurred_at"))
    for c in concerns:
        local = timezone.localtime(c.occurred_at)
        c.label = f"{local:%-d %B %Y}: {c.facts[:90]}{'…' if len(c.facts) > 90 else ''}"
    return concerns
