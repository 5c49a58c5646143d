"""What sharing adds to a person's page, their chronology and an alert's page."""

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from sharewise.organisations.models import staff_name
from sharewise.sharing.models import CapacityAssessment, ConsentRecord, SharingDecision


def person_panel(request, person) -> str:
    return render_to_string(
        "sharing/person_panel.html",
        {
            "person": person,
            "decision": SharingDecision.objects.filter(person=person, standing=True).first(),
            "waiting": SharingDecision.objects.filter(
                person=person, status=SharingDecision.Status.AWAITING_COUNTERSIGN
            ),
            "consent": ConsentRecord.objects.filter(person=person).first(),
            "assessment": CapacityAssessment.objects.filter(person=person).first(),
            "can_use": request.user.has_perm("sharing.use_framework"),
        },
        request=request,
    )


def alert_panel(request, alert) -> str:
    if alert.person_id is None:
        return ""
    return render_to_string(
        "sharing/alert_panel.html",
        {
            "alert": alert,
            # Made from any alert of the case for decision it waits in.
            "decisions": SharingDecision.objects.filter(
                Q(alert=alert) | Q(alert__case_id=alert.case_id)
                if alert.case_id
                else Q(alert=alert)
            ).select_related("decided_by"),
            "can_use": request.user.has_perm("sharing.use_framework"),
        },
        request=request,
    )


def chronology_entries(request, person_ids) -> list[dict]:
    """Consent, capacity and sharing decisions, as entries in the person's timeline."""
    entries = []
    may_open = request.user.has_perm("sharing.see_decisions")
    for d in SharingDecision.objects.filter(person_id__in=person_ids).select_related("decided_by"):
        summary = f"{d.get_outcome_display()}. {d.necessity}"
        if d.review_date:
            summary += f" Review by {d.review_date:%-d %B %Y}."
        entries.append(
            {
                "at": d.decided_at,
                "kind": "decision",
                "title": f"Sharing decision {d.pk}",
                "status": d.get_status_display(),
                "summary": summary,
                "by": staff_name(d.decided_by),
                "url": reverse("sharing_decision", args=[d.pk]) if may_open else "",
            }
        )
    for c in ConsentRecord.objects.filter(person_id__in=person_ids).select_related("recorded_by"):
        words = f" In their words: “{c.persons_words}”" if c.persons_words else ""
        entries.append(
            {
                "at": c.asked_at,
                "kind": "consent",
                "title": f"Consent {c.get_outcome_display().lower()}",
                "summary": f"{c.purpose}.{words} Capacity: {c.get_capacity_display().lower()}.",
                "by": staff_name(c.recorded_by),
                "url": reverse("person_sharing", args=[c.person_id]),
            }
        )
    for a in CapacityAssessment.objects.filter(person_id__in=person_ids).select_related("assessor"):
        entries.append(
            {
                "at": a.assessed_at,
                "kind": "capacity",
                "title": f"Capacity assessment: {a.conclusion_label.lower()}",
                "summary": a.decision,
                "by": staff_name(a.assessor),
                "url": reverse("capacity", args=[a.pk]),
            }
        )
    return entries
