"""The governance hub, audits and their findings, and case-file samples."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from sharewise.forms import add_errors
from sharewise.governance import access, charts, operations
from sharewise.governance.forms import ActionForm, ChecklistForm, PeriodForm, SampleForm
from sharewise.governance.models import Finding, Job
from sharewise.organisations.access import scope_for
from sharewise.policy import store

ANSWER_CHOICES = [("yes", "Yes"), ("partly", "Partly"), ("no", "No")]


@login_required
@require_safe
def hub(request):
    user = request.user
    can = {
        "audit": user.has_perm("governance.run_audit"),
        "findings": user.has_perm("governance.see_findings"),
        "meetings": user.has_perm("governance.hold_meetings"),
        "supervise": user.has_perm("governance.supervise"),
        "learning": user.has_perm("governance.keep_learning_log"),
        "evidence": user.has_perm("governance.build_evidence_pack"),
    }
    if not any(can.values()):
        raise PermissionDenied
    context = {"nav": "governance", "can": can, "today": timezone.localdate()}
    context |= access.hub_summary(user, can)
    return render(request, "governance/hub.html", context)


# Audits and findings


def _trend(user) -> dict:
    """Findings per criterion across the audit runs, as a chart and its table."""
    history = access.audit_trend(user)
    _, policy = store.in_force(scope_for(user).organisation_id, "governance")
    titles = {c.code: c.title for c in policy.criteria}
    series = {
        titles.get(code, code): [
            (f"{h['run'].period_to:%-d %B %Y}", h["counts"].get(code, 0)) for h in history
        ]
        for code in titles
        if any(h["counts"].get(code) for h in history)
    }
    return {
        "svg": charts.line_chart("Findings per audit run, by criterion", series)
        if len(history) > 1
        else "",
        "runs": history,
        "rows": [
            (title, [h["counts"].get(code, 0) for h in history]) for code, title in titles.items()
        ],
    }


@login_required
def audit_list(request):
    runs = access.audits_visible_to(request.user)
    may_run = request.user.has_perm("governance.run_audit")
    if request.method == "POST" and not may_run:
        raise PermissionDenied
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = form.cleaned_data
            run = operations.run_audit(request, d["period_from"], d["period_to"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("audit", run_id=run.pk)
    return render(
        request,
        "governance/audits.html",
        {
            "nav": "governance",
            "form": form,
            "may_run": may_run,
            "may_sample": request.user.has_perm("governance.case_file_audit"),
            "runs": runs[:20],
            "trend": _trend(request.user),
            "samples": access.sample_summaries(request.user)[:10],
        },
    )


@login_required
@require_safe
def audit_page(request, run_id):
    run = access.get_audit_for(request, run_id)
    findings = run.findings.select_related("owner", "person", "team")
    criterion = request.GET.get("criterion", "")
    status = request.GET.get("status", "")
    if criterion:
        findings = findings.filter(criterion=criterion)
    if status in Finding.Status.values:
        findings = findings.filter(status=status)
    page = Paginator(findings.order_by("criterion", "id"), 50).get_page(request.GET.get("page"))
    visible = access.record_findings_read(request, run, page.object_list)
    _, policy = store.in_force(run.organisation_id, "governance")
    return render(
        request,
        "governance/audit.html",
        {
            "nav": "governance",
            "run": run,
            "page": page,
            "visible": visible,
            "running": run.status in (Job.QUEUED, Job.RUNNING),
            "criteria": [(c, run.counts.get(c.code)) for c in policy.criteria],
            "criterion": criterion,
            "status": status,
            "statuses": Finding.Status.choices,
            "extra_query": f"criterion={criterion}&" if criterion else "",
        },
    )


@login_required
def finding_page(request, finding_id):
    finding = access.get_finding_for(request, finding_id)
    closing = request.method == "POST" and "close" in request.POST
    form = ActionForm(finding.organisation_id, None if closing else (request.POST or None))
    close_problem = ""
    if closing:
        try:
            operations.close_finding(request, finding, request.POST.get("reason", ""))
        except ValidationError as error:
            close_problem = error.messages[0]
        else:
            messages.success(request, "Finding closed")
            return redirect("finding", finding_id=finding.pk)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            operations.agree_finding_action(
                request, finding, d["description"], d["owner"], d["due"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Action agreed")
            return redirect("finding", finding_id=finding.pk)
    return render(
        request,
        "governance/finding.html",
        {
            "nav": "governance",
            "f": finding,
            "shows_person": finding.shows_person,
            "record_url": _record_url(finding),
            "actions": finding.actions.select_related("owner", "done_by"),
            "form": form,
            "close_problem": close_problem,
            "reason": request.POST.get("reason", "") if closing else "",
            "may_close": not finding.actions.filter(done_at__isnull=True).exists(),
            "today": timezone.localdate(),
        },
    )


RECORD_PAGES = ("alert", "case", "sharing_decision", "disclosure", "concern")


def _record_url(finding) -> str:
    if finding.record_type == "team" or not finding.shows_person:
        return ""
    if finding.record_type in RECORD_PAGES:
        return reverse(finding.record_type, args=[finding.record_id])
    return reverse("person", args=[finding.person_id]) if finding.person_id else ""


# Case-file samples


@login_required
def new_sample(request):
    org = access.organisation_for(request.user, "governance.case_file_audit", access.SAMPLES)
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sample = operations.draw_sample(
                request, d["kind"], d["period_from"], d["period_to"], d["size"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("sample", sample_id=sample.pk)
    _, policy = store.in_force(org, "governance")
    return render(
        request,
        "governance/new_sample.html",
        {"nav": "governance", "form": form, "max_sample": policy.max_sample},
    )


@login_required
@require_safe
def sample_page(request, sample_id):
    sample = access.get_sample_for(request, sample_id)
    items = list(sample.items.select_related("checked_by"))
    return render(
        request,
        "governance/sample.html",
        {
            "nav": "governance",
            "sample": sample,
            "items": items,
            "checked": sum(1 for i in items if i.checked_at),
        },
    )


@login_required
def sample_item(request, item_id):
    item = access.get_sample_item_for(request, item_id)
    sample = item.sample
    # The checklist the sample was drawn under, even if the policy has changed since.
    questions = store.validated(sample.policy_version).checklist[sample.kind]
    form = ChecklistForm(
        questions, request.POST or None, initial={**item.answers, "notes": item.notes}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            operations.record_check(request, item, form.answers(), d["notes"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Checklist saved")
            following = sample.items.filter(checked_at__isnull=True).exclude(pk=item.pk).first()
            if following:
                return redirect("sample_item", item_id=following.pk)
            return redirect("sample", sample_id=sample.pk)
    problems = form.problems()
    return render(
        request,
        "governance/sample_item.html",
        {
            "nav": "governance",
            "item": item,
            "sample": sample,
            "record": item.record,
            "review": item.review,
            "questions": [
                (q, form[q.code].value() or "", problems.get(q.code, "")) for q in questions
            ],
            "notes": form["notes"].value() or "",
            "notes_problem": problems.get("notes", ""),
            "problems": problems,
            "choices": ANSWER_CHOICES,
        },
    )
