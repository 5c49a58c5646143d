"""Actions agreed on findings, at meetings and from lessons, and marking them done."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharewise.forms import add_errors
from sharewise.governance import access, assigning, operations
from sharewise.governance.forms import DoneForm


@login_required
@require_safe
def action_list(request):
    shown = access.actions_visible_to(request.user)
    which = request.GET.get("show", "open")
    if which == "open":
        shown = shown.filter(done_at__isnull=True)
    elif which == "mine":
        shown = shown.filter(owner=request.user, done_at__isnull=True)
    page = Paginator(shown.order_by("done_at", "due", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "governance/actions.html",
        {
            "nav": "governance",
            "page": page,
            "which": which,
            "everyone": access.sees_every_action(request.user),
            "today": timezone.localdate(),
            "extra_query": f"show={which}&",
        },
    )


@login_required
def action_page(request, action_id):
    action = access.get_action_for(request, action_id)
    may_complete = access.may_complete(request.user, action)
    if request.method == "POST" and not may_complete:
        raise PermissionDenied(operations.COMPLETES)
    form = DoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            operations.complete_action(request, action, form.cleaned_data["note"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Action marked as done")
            return redirect("action", action_id=action.pk)
    return render(
        request,
        "governance/action.html",
        {
            "nav": "governance",
            "a": action,
            "form": form,
            "may_complete": may_complete,
            "training": assigning.training_from(request, "action", action)
            if action.finding_id
            else None,
            "today": timezone.localdate(),
        },
    )
