"""What left the organisation: one disclosure, its frozen PDF, the disclosure log and
what has been shared about a person. Read through disclosures.access, as the API
reads them; these pages only read, so they answer 405 to POST."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharewise.days import on_days
from sharewise.disclosures import access, agreements, responses, told
from sharewise.organisations.access import scope_for
from sharewise.policy import store


@login_required
@require_safe
def disclosure_page(request, disclosure_id):
    disclosure = access.get_disclosure_for(request, disclosure_id)
    policy = store.validated(disclosure.policy_version)
    labels = {code: f.label for code, f in policy.fields.items()}
    minimum = set(disclosure.minimum_fields)
    now = responses.current([disclosure.pk]).get(disclosure.pk, {})
    corrected = responses.corrected(disclosure)
    for r in corrected:
        r.words = responses.words(r)
    chase_days = policy.acknowledgement_chase_days
    told_about = ""
    if disclosure.kind == disclosure.Kind.TOLD:
        words = agreements.choices_for(disclosure.organisation_id)
        purpose = dict(words["purposes"]).get(disclosure.content.get("purpose"), "")
        categories = [dict(words["categories"]).get(c, c) for c in disclosure.content["categories"]]
        told_about = purpose + (": " + ", ".join(categories).lower() if categories else "")
    return render(
        request,
        "disclosures/disclosure.html",
        {
            "nav": "people",
            "x": disclosure,
            "how": told.how_words(disclosure),
            "told_about": told_about,
            "ack": now.get("acknowledgement"),
            "outcome": now.get("outcome"),
            "outcome_words": responses.words(now["outcome"]) if "outcome" in now else "",
            "corrected": corrected,
            "chase_days": chase_days,
            "chase_due": timezone.now() - disclosure.sent_at > timedelta(days=chase_days),
            "can_record": request.user.has_perm("disclosures.record_response"),
            "person": disclosure.person,
            "c": disclosure.content,
            "beyond": [labels.get(c, c) for c in disclosure.sent_fields if c not in minimum],
            "held_back": [
                labels.get(c, c)
                for c in disclosure.minimum_fields
                if c not in disclosure.sent_fields
            ],
            "justifications": [
                (labels.get(c, c), why) for c, why in disclosure.justifications.items()
            ],
        },
    )


@login_required
@require_safe
def disclosure_pdf(request, disclosure_id):
    return access.frozen_pdf(request, disclosure_id)


@login_required
@require_safe
def disclosure_log(request):
    access.require(request.user, "disclosures.see_log")
    found = access.disclosures_visible_to(request.user)
    template = request.GET.get("template", "")
    if template:
        found = found.filter(template=template)
    if request.GET.get("beyond") == "yes":
        found = found.filter(beyond_minimum__gt=0)
    since = request.GET.get("since", "")
    if since:
        try:
            found = on_days(found, "sent_at", date.fromisoformat(since), None)
        except ValueError:
            messages.error(request, "Enter the date as YYYY-MM-DD, for example 2026-11-01")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    access.write_listed(request, "listed disclosures", page.object_list)
    _, policy = store.in_force(scope_for(request.user).organisation_id, "referrals")
    return render(
        request,
        "disclosures/log.html",
        {
            "nav": "disclosures",
            "page": page,
            "templates": policy.templates,
            "chosen": template,
            "beyond": request.GET.get("beyond") == "yes",
            "since": since,
        },
    )


@login_required
@require_safe
def person_disclosures(request, person_id):
    """What has been shared about this person: ready for a subject access request."""
    person, found = access.disclosures_about(request, person_id)
    found = list(found)
    for x in found:
        x.how = told.how_words(x)
    return render(
        request,
        "disclosures/person.html",
        {"nav": "people", "person": person, "disclosures": found},
    )
