"""Your training, policy read receipts, and the lead's assignments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.forms import add_errors
from sharewise.organisations.access import scope_for
from sharewise.training import access, assignments, receipts
from sharewise.training.forms import AssignmentForm, ConfirmForm, WithdrawForm
from sharewise.training.models import Assignment, Receipt
from sharewise.training.yours import NO_CASE_ROLE, link, mine


@login_required
@require_safe
def your_training(request):
    if not request.user.has_perm("training.practise"):
        raise PermissionDenied(NO_CASE_ROLE)
    return render(
        request,
        "training/your_training.html",
        {"nav": "training", "today": timezone.localdate(), **mine(request.user)},
    )


@login_required
def confirm_policy(request, kind):
    shown = receipts.current(request.user, kind)
    form = ConfirmForm(request.POST or None, initial={"version": shown.version})
    if request.method == "POST" and form.is_valid():
        try:
            receipts.confirm(request, kind, form.cleaned_data["version"])
        except ValidationError as error:
            add_errors(form, error, {"version": "read"})
        else:
            messages.success(
                request,
                f"Thank you: you confirmed version {shown.version} of the {shown.title.lower()}",
            )
            return redirect("your_training")
    held = Receipt.objects.filter(staff=request.user, policy=shown.policy).first()
    return render(
        request,
        "training/confirm_policy.html",
        {
            "nav": "training",
            "shown": shown,
            "form": form,
            "held": held,
            "text_link": reverse("read_policy", args=[kind])
            if kind == "information_sharing"
            else "",
        },
    )


@login_required
@require_safe
def assignment_list(request):
    shown = assignments.with_progress(
        access.assignments_managed_by(request.user).prefetch_related("teams", "staff")
    ).order_by("withdrawn_at", "-due", "-id")[:200]
    today = timezone.localdate()
    rows = [
        {
            "a": a,
            "title": assignments.title(a),
            "to": assignments.addressed(a),
            "overdue": assignments.overdue_count(a, today),
        }
        for a in shown
    ]
    return render(
        request,
        "training/assignments.html",
        {"nav": "training", "rows": rows, "today": today},
    )


@login_required
def new_assignment(request):
    access.assignments_managed_by(request.user)  # refuses anyone but a lead
    organisation_id = min(scope_for(request.user).lead_org_ids)
    initial = {}
    if (source := request.GET.get("source")) in ("lesson", "action"):
        source_id = request.GET.get("source_id", "")
        if source_id.isdigit():
            initial |= {"source": source, "source_id": int(source_id)}
    if code := request.GET.get("case"):
        initial |= {"what": Assignment.What.CASE, "case_code": code}
    form = AssignmentForm(organisation_id, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = assignments.make(request, **form.values())
        except ValidationError as error:
            add_errors(form, error, {"team_ids": "teams", "staff_ids": "staff"})
        else:
            messages.success(request, f"Assigned to {made.assigned.count()} members of staff")
            return redirect("assignment", assignment_id=made.pk)
    return render(request, "training/new_assignment.html", {"nav": "training", "form": form})


@login_required
@require_safe
def assignment_page(request, assignment_id):
    return _assignment_page(request, access.get_managed_assignment_for(request, assignment_id))


def _assignment_page(request, assignment, form=None):
    today = timezone.localdate()
    rows = [
        {
            "assigned": a,
            "attempt_link": link("practice_attempt", attempt_id=a.attempt_id)
            if a.attempt_id
            else "",
        }
        for a in assignments.who(assignment)
    ]
    done = [r for r in rows if r["assigned"].completed_at]
    return render(
        request,
        "training/assignment.html",
        {
            "nav": "training",
            "a": assignment,
            "title": assignments.title(assignment),
            "done": done,
            "not_done": [r for r in rows if not r["assigned"].completed_at],
            "total": len(rows),
            "overdue": not assignment.withdrawn_at and assignment.due < today,
            "to": assignments.addressed(assignment),
            "form": form or WithdrawForm(),
        },
    )


@login_required
@require_POST
def withdraw_assignment(request, assignment_id):
    assignment = access.get_managed_assignment_for(request, assignment_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            assignments.withdraw(request, assignment, form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Assignment withdrawn")
            return redirect("assignment", assignment_id=assignment.pk)
    return _assignment_page(request, assignment, form)
