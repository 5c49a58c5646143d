import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from sharewise.audittrail.searching import for_person, staff_names
from sharewise.forms import add_errors
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation
from sharewise.people import changes, merging, panels
from sharewise.people.access import (
    break_glass_refusal,
    break_glass_visible_to,
    enrolments_of,
    get_break_glass_for,
    get_merge_for,
    get_people_to_merge,
    get_person_for,
    kept_record_for,
    not_found_page,
    teams_user_may_enrol,
    trail_people_listed,
)
from sharewise.people.forms import (
    BreakGlassForm,
    BreakGlassReviewForm,
    DuplicateConfirmForm,
    EnrolmentForm,
    MergeForm,
    PersonForm,
    UndoMergeForm,
)
from sharewise.people.models import Enrolment, Person, PersonMerge

PAGE_SIZE = 25


def _current_enrolments():
    return Prefetch(
        "enrolments",
        queryset=Enrolment.objects.current().select_related("team__service"),
        to_attr="current_enrolments",
    )


SEARCHES = "people_searches"  # in the session: {opaque key: the words searched}


def _remember_search(request, words: str) -> str:
    searches = request.session.get(SEARCHES, {})
    key = secrets.token_urlsafe(6)
    searches = dict(list(searches.items())[-9:]) | {key: words}
    request.session[SEARCHES] = searches
    return key


@login_required
def my_people(request):
    # Search words name people, so they are posted and kept in the session; the address
    # carries only an opaque key, keeping names out of browser history, server and proxy
    # logs and Referer headers. An old link with ?q= is moved out of the address at once.
    if request.method == "POST" or "q" in request.GET:
        words = request.POST.get("q") if request.method == "POST" else request.GET.get("q")
        words = (words or "").strip()[:200]
        if not words:
            return redirect("my_people")
        return redirect(f"{reverse('my_people')}?search={_remember_search(request, words)}")
    search = request.GET.get("search", "")
    query = request.session.get(SEARCHES, {}).get(search, "") if search else ""
    if search and not query:  # from another session: start again
        return redirect("my_people")
    people = Person.objects.visible_to(request.user).search(query)
    page = Paginator(people.prefetch_related(_current_enrolments()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    scope = scope_for(request.user)
    badges = panels.badges_for(request, page.object_list)
    for person in page.object_list:
        person.badges = badges.get(person.pk, [])
    if query or page.object_list:
        trail_people_listed(request, query, page.number, page.object_list)
    return render(
        request,
        "people/my_people.html",
        {
            "nav": "people",
            "page": page,
            "query": query,
            "search_key": search if query else "",
            "no_scope": not (scope.team_ids or scope.case_wide_org_ids),
            "can_add": request.user.has_perm("people.add_person"),
            "can_merge": request.user.has_perm("people.merge_person"),
        },
    )


@login_required
@require_safe
def person_page(request, person_id):
    try:
        person = get_person_for(request, person_id)
    except Http404:
        if kept_id := kept_record_for(request.user, person_id):
            return redirect("person", person_id=kept_id)
        return not_found_page(request, person_id)
    record_ids = person.record_ids()
    enrolments = enrolments_of(person)
    merges = PersonMerge.objects.filter(kept=person, undone_at__isnull=True).select_related(
        "merged", "merged_by"
    )
    can_merge = request.user.has_perm("people.merge_person")
    duplicates = []
    if can_merge and person.merged_into_id is None:
        duplicates, _ = merging.split_by_scope(
            request.user, merging.possible_duplicates(person.organisation_id, person)
        )
        merging.trail_shown(
            request, [m.id for m in duplicates], person.organisation_id, about=person.pk
        )
        names = {p.pk: p for p in Person.objects.filter(pk__in=[m.id for m in duplicates])}
        duplicates = [(names[m.id], m) for m in duplicates]
    looked = _looked(request, person, 50)
    names = staff_names(e.actor_id for e in looked if e.actor_id)
    for entry in looked:
        entry.actor_name = names.get(entry.actor_id, entry.actor)
    return render(
        request,
        "people/person.html",
        {
            "nav": "people",
            "person": person,
            "enrolments": enrolments,
            "merged_from": len(record_ids) > 1,
            "merges": merges,
            "duplicates": duplicates,
            "can_merge": can_merge,
            "undo_form": UndoMergeForm(),
            "looked": looked,
            "can_add_enrolment": request.user.has_perm("people.add_enrolment"),
            "panels": panels.for_person(request, person),
        },
    )


def _looked(request, person, limit) -> list:
    """The newest entries of the person's trail that this reader may see."""
    entries = for_person(person.pk, limit=None)
    kept, start = [], 0
    while len(kept) < limit:
        chunk = list(entries[start : start + limit * 2])
        hidden = panels.unseen_in_trail(request, chunk)
        kept += [e for e in chunk if e.pk not in hidden]
        if len(chunk) < limit * 2:
            break
        start += limit * 2
    return kept[:limit]


@login_required
@require_POST
@stepup.confirm_it_is_you("open a record with break-glass")
def break_glass(request, person_id):
    if refusal := break_glass_refusal(request.user):
        raise PermissionDenied(refusal)
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return not_found_page(request, person_id, form)
    try:
        changes.grant_break_glass(request, person_id, form.cleaned_data["reason"])
    except ValidationError as problem:
        add_errors(form, problem)
        return not_found_page(request, person_id, form)
    except Http404:
        form.add_error(None, "There is no record with this number in your organisation.")
        return not_found_page(request, person_id, form)
    return redirect("person", person_id=person_id)


@login_required
def add_person(request):
    if not request.user.has_perm("people.add_person"):
        raise PermissionDenied
    organisation = get_object_or_404(Organisation, pk=scope_for(request.user).organisation_id)
    teams = teams_user_may_enrol(request.user)
    form = PersonForm(request.POST or None, teams=teams, organisation=organisation)
    context = {"nav": "people", "form": form}
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        matches = merging.possible_duplicates(organisation.pk, person)
        seen = _digest(m.id for m in matches)
        # A tick counts only for the matches that were on the page when it was given.
        shown_before = request.POST.get("seen") == seen
        if not matches or (shown_before and request.POST.get("different_person")):
            person = changes.add_person(
                request,
                person=person,
                team=form.cleaned_data["team"],
                start_date=form.cleaned_data["start_date"],
                detail={"possible_duplicates": [m.id for m in matches]} if matches else None,
            )
            messages.success(request, f"{person.name} has been added.")
            return redirect("person", person_id=person.pk)
        visible, hidden = merging.split_by_scope(request.user, matches)
        merging.trail_shown(request, [m.id for m in visible], organisation.pk)
        names = Person.objects.in_bulk([m.id for m in visible])
        confirm = DuplicateConfirmForm(
            {"seen": seen} if shown_before else None, initial={"seen": seen}
        )
        if shown_before:
            confirm.is_valid()
            confirm.add_error(
                "different_person", "Tick the box to confirm this is a different person"
            )
        context |= {
            "duplicates": [(names[m.id], m) for m in visible],
            "duplicates_hidden": hidden,
            "confirm": confirm,
        }
    return render(request, "people/person_form.html", context)


def _digest(ids) -> str:
    from django.utils.crypto import salted_hmac

    return salted_hmac("sharewise.people.duplicates", ",".join(map(str, sorted(ids)))).hexdigest()[
        :20
    ]


@login_required
def add_enrolment(request, person_id):
    try:
        person = get_person_for(request, person_id, action="opened enrolment form")
    except Http404:
        return not_found_page(request, person_id)
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
@require_safe
def break_glass_review(request):
    grants = break_glass_visible_to(request.user)
    status = request.GET.get("status", "not-reviewed")
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
    grant = get_break_glass_for(request.user, grant_id)
    form = BreakGlassReviewForm(request.POST)
    form.is_valid()
    try:
        changes.review_break_glass(request, grant, form.cleaned_data.get("note", ""))
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("break_glass_review")
    messages.success(
        request,
        f"Marked {grant.user.get_full_name() or grant.user} opening {grant.person.name} as reviewed.",
    )
    return redirect("break_glass_review")


@login_required
@require_safe
def possible_duplicates(request):
    """For the safeguarding lead: every likely duplicate pair in the organisation."""
    if not request.user.has_perm("people.merge_person"):
        raise PermissionDenied
    organisation_id = scope_for(request.user).organisation_id
    pairs = merging.pairs_in(organisation_id)
    page = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = merging.pairs_shown(request, organisation_id, page.object_list, page.number)
    return render(
        request,
        "people/possible_duplicates.html",
        {"nav": "duplicates", "page": page, "rows": rows},
    )


@login_required
def merge_people(request, person_id, other_id):
    """Confirm a merge: both records side by side, which to keep, and why."""
    try:
        person, other = get_people_to_merge(request, person_id, other_id)
    except Http404:
        return not_found_page(request, person_id)
    people = [person, other]
    form = MergeForm(request.POST or None, people=people, initial={"keep": person.pk})
    if request.method == "POST" and form.is_valid():
        keep = person if form.cleaned_data["keep"] == person.pk else other
        merge = other if keep is person else person
        try:
            merging.merge_records(
                request, keep=keep, merge=merge, reason=form.cleaned_data["reason"]
            )
        except ValidationError as problem:
            add_errors(form, problem)
        else:
            messages.success(
                request,
                f"Record {merge.pk} is merged into this one. Its teams and concerns show here.",
            )
            return redirect("person", person_id=keep.pk)
    for p in people:
        p.all_enrolments = p.enrolments.select_related("team__service")
        p.concern_count = p.concern_links.count()
    return render(
        request,
        "people/merge.html",
        {
            "nav": "people",
            "people": people,
            "form": form,
            "problems": merging.merge_problems(person, other),
        },
    )


@login_required
@require_POST
def undo_merge(request, merge_id):
    record = get_merge_for(request.user, merge_id)
    form = UndoMergeForm(request.POST)
    form.is_valid()
    try:
        merging.undo(request, record, form.cleaned_data.get("reason", ""))
    except ValidationError:
        messages.warning(request, "This merge had already been undone.")
    else:
        messages.success(request, f"Record {record.merged_id} is a separate record again.")
    return redirect("person", person_id=record.kept_id)
