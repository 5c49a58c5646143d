"""What disclosures add to a person's page, their chronology and a sharing decision."""

from django.template.loader import render_to_string
from django.urls import reverse

from sharewise.disclosures.access import referrals_visible_to
from sharewise.disclosures.content import sharing_decision_problem
from sharewise.disclosures.models import Disclosure
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
            "problem": sharing_decision_problem(decision),
            "can_build": request.user.has_perm("disclosures.build_referral"),
        },
        request=request,
    )


def chronology_entries(request, person_ids) -> list[dict]:
    may_open = request.user.has_perm("disclosures.see_disclosures")
    return [
        {
            "at": x.sent_at,
            "kind": "disclosure",
            "title": f"Sent to {x.recipient_organisation}",
            "summary": f"{x.template_title}: {len(x.sent_fields)} fields, by "
            f"{x.get_channel_display().lower()}.",
            "by": staff_name(x.sent_by),
            "url": reverse("disclosure", args=[x.pk]) if may_open else "",
        }
        for x in Disclosure.objects.filter(person_id__in=person_ids).select_related("sent_by")
    ]
