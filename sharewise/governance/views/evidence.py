"""Evidence packs: asking for one, following its progress and downloading it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from sharewise.forms import add_errors
from sharewise.governance import access, operations
from sharewise.governance.forms import PeriodForm
from sharewise.governance.models import Job


@login_required
def evidence_list(request):
    packs = access.packs_visible_to(request.user)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            pack = operations.build_evidence_pack(request, d["period_from"], d["period_to"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("evidence_pack", pack_id=pack.pk)
    return render(
        request,
        "governance/evidence_packs.html",
        {"nav": "governance", "form": form, "packs": packs},
    )


@login_required
@require_safe
def evidence_page(request, pack_id):
    pack = access.get_pack_for(request, pack_id)
    return render(
        request,
        "governance/evidence_pack.html",
        {"nav": "governance", "pack": pack, "running": pack.status in (Job.QUEUED, Job.RUNNING)},
    )


@login_required
@require_safe
def evidence_download(request, pack_id, form):
    pack = access.get_pack_for(request, pack_id, files=True)
    if not operations.is_ready(pack):
        raise Http404("This evidence pack is not ready")
    return operations.evidence_pack_file(request, pack, form)
