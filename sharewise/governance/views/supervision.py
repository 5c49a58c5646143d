"""Supervision: who is due, recording a session, reading one, and one's own record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_safe

from sharewise.forms import add_errors
from sharewise.governance import access, operations
from sharewise.governance.forms import SupervisionForm
from sharewise.organisations.access import scope_for
from sharewise.policy import store


@login_required
@require_safe
def supervision_list(request):
    rows = access.supervision_overview(request.user)
    recent = access.sessions_visible_to(request.user)[:20]
    return render(
        request,
        "governance/supervision.html",
        {
            "nav": "governance",
            "rows": rows,
            "recent": recent,
            "overdue": sum(r.overdue for r in rows),
        },
    )


@login_required
def new_supervision(request, user_id):
    staff = access.get_supervisee_for(request, user_id)
    org = scope_for(request.user).organisation_id
    _, policy = store.in_force(org, "governance")
    form = SupervisionForm(policy.challenge_prompts, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = operations.record_supervision(request, staff, form.session())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, f"Supervision with {staff.get_full_name()} recorded")
            return redirect("supervision_session", session_id=session.pk)
    work = access.supervision_material_for(request, staff)
    training = access.supervisee_training_for(request, staff)
    posted = request.POST if request.method == "POST" else {}
    return render(
        request,
        "governance/new_supervision.html",
        {
            "nav": "governance",
            "staff": staff,
            "work": work,
            "training": training,
            "chosen": set(posted.getlist("items")) if posted else set(),
            "prompts": [
                (i, p, posted.get(f"response_{i}", "") if posted else "")
                for i, p in enumerate(policy.challenge_prompts)
            ],
            "posted": posted,
            "problems": form.problems(),
            "look_back": policy.supervision_look_back_days,
            "every": policy.supervision_every_days,
        },
    )


@login_required
@require_safe
def supervision_session(request, session_id):
    session = access.get_supervision_for(request, session_id)
    return render(
        request,
        "governance/supervision_session.html",
        {
            "nav": "governance" if request.user.has_perm("governance.supervise") else "",
            "s": session,
            "items": session.shown_items,
            "own": session.staff_id == request.user.pk,
        },
    )


@login_required
@require_GET
def my_supervision(request):
    """Anyone's own supervision: what they reflected on and agreed, and when the next
    session is due."""
    mine = access.own_supervision(request.user)
    return render(request, "governance/my_supervision.html", {"mine": mine})
