"""What subject access and rectification requests add to a person's page, a concern's
amendments, the chronology and the oversight dashboard: only for those who work on
them."""

from datetime import timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from sharewise.organisations.models import staff_name
from sharewise.rights import deadlines
from sharewise.rights.access import rectifications_visible_to, requests_visible_to
from sharewise.rights.models import Rectification, SubjectAccessRequest


def person_panel(request, person) -> str:
    if not request.user.has_perm("rights.see_requests"):
        return ""
    ids = person.record_ids()
    waiting = SubjectAccessRequest.objects.filter(
        person_id__in=ids, status__in=SubjectAccessRequest.OPEN
    ).count()
    return render_to_string(
        "rights/person_panel.html", {"person": person, "waiting": waiting}, request=request
    )


def amendment_notes(request, amendments) -> dict:
    if not request.user.has_perm("rights.see_requests"):
        return {}
    links = Rectification.amendments.through.objects.filter(
        amendment_id__in=[a.pk for a in amendments]
    ).values_list("amendment_id", "rectification_id")
    return {
        amendment_id: format_html(
            '<p>Made for <a href="{}">rectification request {}</a>.</p>',
            reverse("rectification", args=[rectification_id]),
            rectification_id,
        )
        for amendment_id, rectification_id in links
    }


def chronology_entries(request, person_ids) -> list[dict]:
    if not request.user.has_perm("rights.see_requests"):
        return []
    entries = [
        {
            "at": x.logged_at,
            "kind": "subject access request",
            "title": "Subject access request",
            "summary": f"Received {x.received_on:%-d %B %Y}: {x.get_status_display().lower()}.",
            "by": staff_name(x.logged_by),
            "url": reverse("subject_access_request", args=[x.pk]),
        }
        for x in requests_visible_to(request.user).filter(person_id__in=person_ids)
    ]
    entries += [
        {
            "at": r.logged_at,
            "kind": "rectification request",
            "title": "Rectification request",
            "summary": f"Received {r.received_on:%-d %B %Y}: {r.get_status_display().lower()}.",
            "by": staff_name(r.logged_by),
            "url": reverse("rectification", args=[r.pk]),
        }
        for r in rectifications_visible_to(request.user).filter(person_id__in=person_ids)
    ]
    return entries


def flagged(user, today=None) -> list:
    """Open requests this user works on that are overdue or due within a week."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=deadlines.SOON_DAYS)
    return list(
        requests_visible_to(user)
        .filter(status__in=SubjectAccessRequest.OPEN, deadline__lte=soon)
        .order_by("deadline", "pk")
    )


def dashboard_panel(request) -> str:
    if not request.user.has_perm("rights.see_requests"):
        return ""
    found = flagged(request.user)
    if not found:
        return ""
    today = timezone.localdate()
    return render_to_string(
        "rights/oversight_panel.html",
        {"flagged": [(x, x.due_state(today)) for x in found]},
        request=request,
    )
