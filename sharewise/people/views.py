from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation
from sharewise.people import changes
from sharewise.people.access import get_person_for, grant_break_glass, teams_user_may_enrol
from sharewise.people.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    EnrolmentForm,
    PersonForm,
    TrailSearchForm,
)
from sharewise.people.models import BreakGlassAccess, Enrolment, Person

PAGE_SIZE = 25


def _current_enrolments():
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.current().select_related("team__service"),
        to_attr="current_enrolments",
    )


@login_required
def my_people(request):
    query = request.GET.get("q", "").strip()
    people = Person.objects.visible_to(request.user).search(query)
    page = Paginator(people.prefetch_related(_current_enrolments()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    scope = scope_for(request.user)
    if query or page.object_list:
        trail.record_request(
            request,
            "searched people" if query else "listed people",
            object_type="person list",
            organisation_id=scope.organisation_id,
            detail={"q": query, "page": page.number, "shown": [p.pk for p in page.object_list]},
        )
    return render(
        request,
        "people/my_people.html",
        {
            "nav": "people",
            "page": page,
            "query": query,
            "no_scope": not (scope.team_ids or scope.case_wide_org_ids),
            "can_add": request.user.has_perm("people.add_person"),
        },
    )


def _not_found(request, person_id, form=None):
    return render(
        request,
        "people/not_found.html",
        {"person_id": person_id, "form": form or BreakGlassForm()},
        status=404,
    )


def _names_of(user_ids):
    users = get_user_model().objects.filter(pk__in=set(user_ids))
    return {u.pk: u.get_full_name() or u.username for u in users}


@login_required
def person_page(request, person_id):
    try:
        person = get_person_for(request, person_id)
    except Http404:
        return _not_found(request, person_id)
    enrolments = person.enrolments.select_related("team__service")
    looked = list(trail.for_person(person.pk, limit=50))
    names = _names_of(e.actor_id for e in looked if e.actor_id)
    for entry in looked:
        entry.actor_name = names.get(entry.actor_id, entry.actor)
    return render(
        request,
        "people/person.html",
        {
            "nav": "people",
            "person": person,
            "enrolments": enrolments,
            "looked": looked,
            "can_add_enrolment": request.user.has_perm("people.add_enrolment"),
        },
    )


@login_required
@require_POST
def break_glass(request, person_id):
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return _not_found(request, person_id, form)
    try:
        grant_break_glass(request, person_id, form.cleaned_data["reason"])
    except ValueError as problem:
        form.add_error("reason", str(problem))
        return _not_found(request, person_id, form)
    except Http404:
        form.add_error(None, "There is no record with this number in your organisation.")
        return _not_found(request, person_id, form)
    messages.warning(request, "Break-glass access granted for this session. It has been logged.")
    return redirect("person", person_id=person_id)


@login_required
def add_person(request):
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=scope_for(request.user).organisation_id)
    teams = teams_user_may_enrol(request.user)
    form = PersonForm(request.POST or None, teams=teams, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        person = changes.add_person(
            request,
            person=form.save(commit=False),
            team=form.cleaned_data["team"],
            start_date=form.cleaned_data["start_date"],
        )
        messages.success(request, f"{person.name} has been added.")
        return redirect("person", person_id=person.pk)
    return render(request, "people/person_form.html", {"nav": "people", "form": form})


@login_required
def add_enrolment(request, person_id):
    try:
        person = get_person_for(request, person_id, action="opened enrolment form")
    except Http404:
        return _not_found(request, person_id)
    if not request.user.has_perm("people.add_enrolment"):
        raise PermissionDenied
    teams = teams_user_may_enrol(request.user).filter(
        service__organisation_id=person.organisation_id
    )
    form = EnrolmentForm(request.POST or None, teams=teams, instance=Enrolment(person=person))
    if request.method == "POST" and form.is_valid():
        changes.add_enrolment(request, form.save(commit=False))
        messages.success(
            request, f"{person.name} is now enrolled with {form.cleaned_data['team']}."
        )
        return redirect("person", person_id=person.pk)
    return render(
        request, "people/enrolment_form.html", {"nav": "people", "form": form, "person": person}
    )


@login_required
def break_glass_review(request):
    if not request.user.has_perm("people.review_break_glass"):
        raise PermissionDenied
    status = request.GET.get("status", "not-reviewed")
    grants = BreakGlassAccess.objects.filter(
        person__organisation_id__in=scope_for(request.user).organisation_ids
    ).select_related("user", "person", "reviewed_by")
    if status == "not-reviewed":
        grants = grants.filter(reviewed_at__isnull=True)
    elif status == "reviewed":
        grants = grants.filter(reviewed_at__isnull=False)
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/break_glass_review.html",
        {"nav": "break_glass", "page": page, "status": status, "form": BreakGlassReviewForm()},
    )


@login_required
@require_POST
def review_break_glass(request, grant_id):
    if not request.user.has_perm("people.review_break_glass"):
        raise PermissionDenied
    grant = get_object_or_404(
        BreakGlassAccess.objects.select_related("person"),
        pk=grant_id,
        person__organisation_id__in=scope_for(request.user).organisation_ids,
    )
    form = BreakGlassReviewForm(request.POST)
    form.is_valid()
    changes.review_break_glass(request, grant, form.cleaned_data.get("note", ""))
    messages.success(
        request,
        f"Marked {grant.user.get_full_name() or grant.user} opening {grant.person.name} as reviewed.",
    )
    return redirect("break_glass_review")


@login_required
def trail_search(request):
    """Leads and data protection officers search who did what to whose record."""
    if not request.user.has_perm("audittrail.search_trail"):
        raise PermissionDenied
    form = TrailSearchForm(request.GET or None)
    entries = trail.search(scope_for(request.user).organisation_id)
    extra = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        actor_id = None
        if data["user"]:
            actor = get_user_model().objects.filter(username=data["user"]).first()
            actor_id = actor.pk if actor else -1
        entries = trail.search(
            scope_for(request.user).organisation_id,
            person_id=data["person"],
            actor_id=actor_id,
            since=_day_start(data["since"]),
            until=_day_start(data["until"], plus_days=1),
        )
        extra = request.GET.copy()
        extra.pop("page", None)
        extra = extra.urlencode() + "&"
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    trail.record_request(
        request,
        "searched audit trail",
        object_type="audit trail",
        organisation_id=scope_for(request.user).organisation_id,
        detail={k: v for k, v in request.GET.items() if k != "page"},
    )
    return render(
        request,
        "people/trail_search.html",
        {"nav": "trail", "form": form, "page": page, "extra_query": extra},
    )


def _day_start(day, plus_days=0):
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))
