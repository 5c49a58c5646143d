"""What disclosures add to a person's page, their chronology, a sharing decision and
the oversight dashboard."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sharewise.disclosures import agreements, told
from sharewise.disclosures.access import referrals_visible_to
from sharewise.disclosures.content import sharing_decision_problem
from sharewise.disclosures.models import Disclosure, Response
from sharewise.disclosures.responses import words
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name


def person_panel(request, person) -> str:
    if not request.user.has_perm("disclosures.see_disclosures"):
        return ""
    count = Disclosure.objects.filter(person=person).count()
    return render_to_string(
        "disclosures/person_panel.html", {"person": person, "count": count}, request=request
    )


def decision_panel(request, decision) -> str:
    return render_to_string(
        "disclosures/decision_panel.html",
        {
            "d": decision,
            "referrals": referrals_visible_to(request.user).filter(decision=decision),
            "told": Disclosure.objects.filter(decision=decision, kind=Disclosure.Kind.TOLD),
            "problem": sharing_decision_problem(decision),
            "told_problem": told.decision_problem(decision),
            "can_build": request.user.has_perm("disclosures.build_referral"),
            "can_tell": request.user.has_perm("disclosures.record_told"),
        },
        request=request,
    )


def dashboard_panel(request) -> str:
    """Agreements past their review date or due for review soon, for those who keep or
    read them."""
    if not request.user.has_perm("disclosures.see_agreements"):
        return ""
    due = agreements.due_for_review(scope_for(request.user).organisation_id)
    return render_to_string(
        "disclosures/dashboard_panel.html",
        {"due": due, "today": timezone.localdate()},
        request=request,
    )


def _disclosure_entry(x, may_open) -> dict:
    if x.kind == Disclosure.Kind.TOLD:
        title, summary = f"Told {x.recipient_organisation}", told.told_words(x)
    elif x.kind == Disclosure.Kind.SUBJECT_ACCESS:
        title, summary = "Subject access response", f"{x.template_title}."
    else:
        title = f"Sent to {x.recipient_organisation}"
        summary = (
            f"{x.template_title}: {len(x.sent_fields)} fields, by "
            f"{x.get_channel_display().lower()}."
        )
    return {
        "at": x.sent_at,
        "kind": "disclosure",
        "title": title,
        "summary": summary,
        "by": staff_name(x.sent_by),
        "url": reverse("disclosure", args=[x.pk]) if may_open else "",
    }


def chronology_entries(request, person_ids) -> list[dict]:
    may_open = request.user.has_perm("disclosures.see_disclosures")
    entries = [
        _disclosure_entry(x, may_open)
        for x in Disclosure.objects.filter(person_id__in=person_ids).select_related("sent_by")
    ]
    for r in Response.objects.filter(
        disclosure__person_id__in=person_ids, replaced_by__isnull=True
    ).select_related("disclosure", "recorded_by"):
        to = r.disclosure.recipient_organisation
        if r.kind == Response.Kind.ACKNOWLEDGEMENT:
            title = f"Acknowledged by {to}"
        elif r.enquiry_opened is not None or r.enquiry_outcome:
            title = f"Section 42 outcome from {to}"
        else:
            title = f"Outcome from {to}"
        entries.append(
            {
                "at": r.recorded_at,
                "kind": r.kind,
                "title": title,
                "summary": words(r),
                "by": staff_name(r.recorded_by),
                "url": reverse("disclosure", args=[r.disclosure_id]) if may_open else "",
            }
        )
    return entries
