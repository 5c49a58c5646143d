from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from sharewise.audittrail import readers, trail
from sharewise.audittrail.forms import TrailSearchForm
from sharewise.audittrail.searching import search, search_by, staff_names


@login_required
@require_safe
def trail_search(request):
    """Leads and data protection officers search who did what to whose record."""
    if not request.user.has_perm("audittrail.search_trail"):
        raise PermissionDenied
    organisation_id = readers.organisation_of(request.user)
    form = TrailSearchForm(request.GET or None)
    entries = search(organisation_id)
    extra = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        entries = search_by(
            organisation_id,
            person_id=data["person"],
            username=data["user"],
            since_day=data["since"],
            until_day=data["until"],
        )
        extra = request.GET.copy()
        extra.pop("page", None)
        extra = extra.urlencode() + "&"
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    # Names for the people and staff on this page, where the reader may see them.
    people = readers.person_names(
        request.user, {e.person_id for e in page.object_list if e.person_id}
    )
    staff = staff_names(e.actor_id for e in page.object_list if e.actor_id)
    for entry in page.object_list:
        entry.person_name = people.get(entry.person_id)
        entry.actor_name = staff.get(entry.actor_id, entry.actor)
    trail.record_request(
        request,
        "searched audit trail",
        object_type="audit trail",
        organisation_id=organisation_id,
        detail={k: v for k, v in request.GET.items() if k != "page"},
    )
    return render(
        request,
        "audittrail/trail_search.html",
        {"nav": "trail", "form": form, "page": page, "extra_query": extra},
    )
