import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.concerns import chart, chronology, recording
from sharewise.concerns.access import get_concern_for, name_people, review_queue_for
from sharewise.concerns.forms import AmendmentForm, ChronologyFilterForm, ConcernForm, ReviewForm
from sharewise.concerns.models import Severity
from sharewise.forms import add_errors
from sharewise.organisations import sessions
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Service, Team
from sharewise.people import panels
from sharewise.people.access import get_person_for, not_found_page
from sharewise.people.models import Enrolment, Person

# The page a concern was just recorded from, so the concern page tells the browser to
# let go of any copy it kept while the server had not confirmed a save.
FORGET_IN_BROWSER = "concern_form_sent"


def _draft(form, person):
    data = form.cleaned_data
    team = data.get("team")
    source_kind = data.get("source_kind")
    return recording.Draft(
        people=[person, *data.get("other_people", [])],
        occurred_at=form.occurred_at(),
        service=team.service if team else None,
        team=team,
        categories=data.get("categories", []),
        risk_indicators=data.get("risk_indicators", []),
        shift=data.get("shift", ""),
        source_staff=data.get("source_staff") if source_kind == "staff" else None,
        source_person=data.get("source_person") if source_kind == "person_supported" else None,
        answers={k: data.get(k, "") for k in (*recording.TEXT_FIELDS, *recording.CHOICE_FIELDS)},
    )


# What recording calls a field, as the concern forms call it.
FORM_NAMES = {
    "occurred_at": "occurred_on",
    "service": "team",
    "people": "other_people",
    "alleged_source_detail": "source_description",
}


def _form_choices(request, person):
    teams = Team.objects.select_related("service").filter(
        service__organisation_id=person.organisation_id, is_active=True
    )
    current_teams = Enrolment.objects.current_or_recent().filter(person=person).values("team_id")
    people = (
        Person.objects.visible_to(request.user)
        .filter(
            pk__in=Enrolment.objects.current().filter(team_id__in=current_teams).values("person_id")
        )
        .exclude(pk=person.pk)[:60]
    )
    staff = (
        get_user_model()
        .objects.filter(memberships__organisation_id=person.organisation_id, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
    return teams, Person.objects.filter(pk__in=[p.pk for p in people]), staff


def _from_draft(form_class, fields: dict) -> dict:
    """A kept draft ({name: [values]}) as the form's initial answers."""
    initial = {}
    for name, values in fields.items():
        field = form_class.base_fields.get(name)
        if field is None:
            continue
        many = isinstance(field.widget, forms.CheckboxSelectMultiple)
        initial[name] = values if many else values[0]
    return initial


def _submission(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _already_recorded(user, fields: dict) -> bool:
    """Whether the concern this draft is of has been recorded since (a save that
    arrived after it was sent must not bring it back)."""
    key = _submission((fields.get("submission") or [""])[0])
    return key is not None and recording.already_recorded(user, key) is not None


@login_required
def record_concern(request, person_id):
    try:
        person = get_person_for(request, person_id, action="opened concern form")
    except Http404:
        return not_found_page(request, person_id)
    _, policy = recording.policy_for(person.organisation_id)
    teams, people, staff = _form_choices(request, person)
    initial, draft_saved_at = _initial(request, person, teams)
    form = ConcernForm(
        request.POST if request.method == "POST" else None,
        policy=policy,
        teams=teams,
        people=people,
        staff=staff,
        initial=initial,
        adult=not person.is_child,
    )
    if request.method == "POST" and (done := _record_from(request, form, person, policy)):
        return done
    return render(
        request,
        "concerns/record.html",
        {
            "nav": "people",
            "person": person,
            "panels": panels.for_person(request, person),
            "form": form,
            "policy": policy,
            "draft_saved_at": draft_saved_at,
        },
    )


def _initial(request, person, teams):
    """The form's first answers, and when a kept draft of it was saved (or None)."""
    mine = teams.filter(pk__in=scope_for(request.user).team_ids, enrolments__person=person).first()
    now = timezone.localtime()
    initial = {
        "team": mine or teams.filter(enrolments__person=person).first(),
        "occurred_on": now.date(),
        "occurred_time": now.time().replace(second=0, microsecond=0),
        "submission": uuid.uuid4(),
    }
    if request.method != "GET":
        return initial, None
    # What they had typed comes back: sent when their session ran out (given back
    # once by the session middleware, kept again here until the concern is
    # recorded), or saved as they typed.
    restored = getattr(request, "restored_draft", None)
    if restored:
        sessions.keep_fields(request.user, request.path, restored)
        request.restored_draft = None  # filled in here, not by the page's script
        kept = (restored, timezone.now())
    else:
        kept = sessions.kept_fields(request.user, request.path)
    if kept and _already_recorded(request.user, kept[0]):
        sessions.forget_draft(request.user, request.path)  # a save that came late
        kept = None
    if not kept:
        return initial, None
    return initial | _from_draft(ConcernForm, kept[0]), timezone.localtime(kept[1])


def _record_from(request, form, person, policy):
    """Record the concern the form holds and say where to go next, or None with
    every problem on the form."""
    valid = form.is_valid()
    key = form.cleaned_data.get("submission")
    # Sent before (a double press, or again after signing in): whatever it says now.
    sent = _submission(request.POST.get("submission"))
    if sent and (earlier := recording.already_recorded(request.user, sent)):
        sessions.forget_draft(request.user, request.path)
        messages.info(request, "This concern was already recorded. It has not been recorded twice.")
        return redirect("concern", concern_id=earlier.pk)
    draft = _draft(form, person)
    problems = recording.problems(draft, person.organisation_id, policy)
    # Judge everything that parsed, so the recorder sees every problem at once.
    add_errors(form, ValidationError(problems), renames=FORM_NAMES, only_new=True)
    if not valid or problems:
        return None
    concern = recording.record(request, person.organisation_id, draft, submission_key=key)
    sessions.forget_draft(request.user, request.path)
    request.session[FORGET_IN_BROWSER] = request.path
    if concern.severity == Severity.IMMEDIATE:
        messages.success(
            request,
            "Concern recorded. Your manager and the safeguarding lead have been told it is urgent.",
        )
    else:
        messages.success(request, "Concern recorded. Your manager will review it.")
    return redirect("concern", concern_id=concern.pk)


@login_required
@require_POST
def save_concern_draft(request, person_id):
    """The concern form saves itself as it is filled: kept for its author alone,
    encrypted, until the concern is recorded (or for a day)."""
    if not Person.objects.visible_to(request.user).filter(pk=person_id).exists():
        raise Http404
    page = reverse("record_concern", args=[person_id])
    fields = {
        name: request.POST.getlist(name) for name in ConcernForm.base_fields if name in request.POST
    }
    if _already_recorded(request.user, fields) or not sessions.keep_fields(
        request.user, page, fields
    ):
        sessions.forget_draft(request.user, page)
    return JsonResponse({"saved_at": timezone.localtime().strftime("%H:%M")})


def _labels(concern):
    _, policy = recording.policy_for(concern.organisation_id)
    return policy


@login_required
@require_safe
def concern_page(request, concern_id):
    concern = get_concern_for(request, concern_id)
    policy = _labels(concern)
    labels = policy.category_labels()
    amendments = list(concern.amendments.select_related("amended_by"))
    recorded = {name: recording.as_recorded(concern, name) for name in recording.LINKS}
    named = _names_of_sources(request.user, amendments, recorded)
    for a in amendments:
        a.named_changes = [
            (
                recording.ANSWER_NAMES.get(k, k),
                {side: named[k].get(v, v) for side, v in change.items()}
                if k in recording.LINKS
                else {
                    side: dict(recording.CHOICE_FIELDS[k].choices).get(v, v)
                    for side, v in change.items()
                }
                if k in recording.CHOICE_FIELDS
                else change,
            )
            for k, change in a.changes.items()
        ]
    notes = panels.for_amendments(request, amendments)
    for a in amendments:
        a.notes = notes.get(a.pk, [])
    visible = set(
        Person.objects.visible_to(request.user)
        .filter(concerns=concern)
        .values_list("pk", flat=True)
    )
    unmet = [s.message for s in recording.unmet_now(concern, policy)]
    sent_from = request.session.pop(FORGET_IN_BROWSER, None)
    return render(
        request,
        "concerns/concern.html",
        {
            "nav": "people",
            "concern": concern,
            "current": recording.current(concern),
            "categories": [labels.get(c, c) for c in concern.categories],
            "indicators": [
                {**policy.indicator_labels(), "none": "None of these"}.get(c, c)
                for c in recording.current(concern)["risk_indicators"]
            ],
            "shift": policy.shift_labels().get(concern.shift, concern.shift),
            "amendments": amendments,
            "recorded_staff": named["source_staff"].get(recorded["source_staff"]),
            "recorded_person": named["source_person"].get(recorded["source_person"]),
            "people": concern.people.all(),
            "visible_people": visible,
            "unmet": unmet,
            "review": getattr(concern, "review", None),
            "can_review": request.user.has_perm("concerns.review_concern", concern),
            "can_amend": request.user.has_perm("concerns.amend_concern", concern),
            "category_labels": labels,
            "forget_draft": f"{request.user.pk}:{sent_from}" if sent_from else None,
        },
    )


def _names_of_sources(viewer, amendments, recorded) -> dict[str, dict]:
    """{"source_staff": {id: name}, "source_person": {id: name}} for everyone named as
    the alleged source, as recorded or in an amendment; a person the viewer may not
    see is "another person supported"."""
    ids = {name: {recorded[name]} for name in recording.LINKS}
    for a in amendments:
        for name in recording.LINKS:
            if name in a.changes:
                ids[name] |= {a.changes[name]["from"], a.changes[name]["to"]}
    staff = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=ids["source_staff"] - {None})
    }
    visible = dict(
        (p.pk, p.name)
        for p in Person.objects.visible_to(viewer, include_merged=True).filter(
            pk__in=ids["source_person"] - {None}
        )
    )
    people = {
        pk: visible.get(pk, "another person supported") for pk in ids["source_person"] - {None}
    }
    return {"source_staff": staff, "source_person": people}


@login_required
def amend_concern(request, concern_id):
    concern = get_concern_for(request, concern_id, action="opened amendment form")
    if not request.user.has_perm("concerns.amend_concern", concern):
        raise PermissionDenied
    policy = _labels(concern)
    now = recording.current(concern)
    staff, people = _source_choices(request, concern, now)
    form = AmendmentForm(
        request.POST or None, policy=policy, initial=now, staff=staff, people=people
    )
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
        if not changes["risk_indicators"]:  # none ticked: the answers stay as they are
            changes.pop("risk_indicators")
        if not changes["source_kind"]:
            for name in AmendmentForm.SOURCE_FIELDS:
                changes.pop(name)
        # Someone named whom this form cannot offer (a person the amender cannot see, a
        # member of staff who has left) stays named unless the kind of source changes.
        if now["source_staff"] and not staff.filter(pk=now["source_staff"]).exists():
            changes.pop("source_staff")
        if now["source_person"] and not people.filter(pk=now["source_person"]).exists():
            changes.pop("source_person")
        try:
            recording.amend(request, concern, changes, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error, renames=FORM_NAMES)
        else:
            messages.success(request, "Amendment recorded. The original stays visible.")
            return redirect("concern", concern_id=concern.pk)
    return render(
        request, "concerns/amend.html", {"nav": "people", "concern": concern, "form": form}
    )


def _source_choices(request, concern, now):
    """Who an amendment may name as the alleged source: the organisation's staff, and
    people the amender may see who are supported at the same services as the people
    at risk (and whoever is named now, if the amender may see them)."""
    staff = (
        get_user_model()
        .objects.filter(memberships__organisation_id=concern.organisation_id, is_active=True)
        .distinct()
        .order_by("first_name", "last_name")
    )
    visible = Person.objects.visible_to(request.user).filter(
        organisation_id=concern.organisation_id
    )
    at_risk = concern.people.values("pk")
    services = (
        Enrolment.objects.current_or_recent().filter(person__in=at_risk).values("team__service_id")
    )
    nearby = list(
        visible.filter(
            pk__in=Enrolment.objects.current()
            .filter(team__service_id__in=services)
            .values("person_id")
        )
        .exclude(pk__in=at_risk)
        .values_list("pk", flat=True)[:60]
    )
    if now["source_person"]:
        nearby.append(now["source_person"])
    return staff, visible.filter(pk__in=nearby).exclude(pk__in=at_risk)


@login_required
def review_concern(request, concern_id):
    concern = get_concern_for(request, concern_id, action="opened review form")
    if not request.user.has_perm("concerns.review_concern", concern):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recording.review(
                request, concern, form.cleaned_data["outcome"], form.cleaned_data["rationale"]
            )
        except ValidationError as error:
            add_errors(form, error, renames=FORM_NAMES)
        else:
            messages.success(request, "Review recorded.")
            return redirect("review_queue")
    return render(
        request, "concerns/review.html", {"nav": "reviews", "concern": concern, "form": form}
    )


@login_required
@require_safe
def review_queue(request):
    queue = (
        review_queue_for(request.user)
        .select_related("team__service", "recorded_by")
        .order_by("review_due_at")
    )
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    name_people(page.object_list, request.user)
    now = timezone.now()
    for concern in page.object_list:
        concern.overdue = concern.review_due_at < now
    return render(
        request,
        "concerns/review_queue.html",
        {
            "nav": "reviews",
            "page": page,
            "now": now,
            "immediate": Severity.IMMEDIATE,
        },
    )


@login_required
@require_safe
def person_chronology(request, person_id):
    try:
        person = get_person_for(request, person_id, action="viewed chronology")
    except Http404:
        return not_found_page(request, person_id)
    _, policy = recording.policy_for(person.organisation_id)
    services = Service.objects.filter(organisation_id=person.organisation_id)
    teams = Team.objects.select_related("service").filter(
        service__organisation_id=person.organisation_id
    )
    form = ChronologyFilterForm(request.GET or None, policy=policy, services=services, teams=teams)
    filters = chronology.Filters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = chronology.Filters(
            categories=frozenset([data["category"]]) if data["category"] else frozenset(),
            service_id=data["service"],
            team_id=data["team"],
            since=data["since"],
            until=data["until"],
        )
    concerns = chronology.concerns_for(chronology.person_ids_for(person), request.user, filters)
    points = chronology.points(concerns)
    timeline = chronology.Timeline(
        concerns,
        chronology.others_for(request, person, filters),
        policy.category_labels(),
        policy.shift_labels(),
        concern_count=len(points),
    )
    page = Paginator(timeline, 100).get_page(request.GET.get("page"))
    extra = request.GET.copy()
    extra.pop("page", None)
    plotted = [p[:3] for p in points]
    teams_seen = sorted({p[2] for p in points})
    return render(
        request,
        "concerns/chronology.html",
        {
            "nav": "people",
            "person": person,
            "panels": panels.for_person(request, person),
            "form": form,
            "page": page,
            "extra_query": extra.urlencode() + "&" if extra else "",
            "chart": chart.svg(plotted, f"Concerns about {person.name} over time")
            if points
            else "",
            "table": chart.table(plotted),
            "concern_count": len(points),
            "teams_seen": teams_seen,
            "services_seen": sorted({p[3] for p in points}),
        },
    )
