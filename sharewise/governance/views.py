"""Governance pages: audits and their findings, case-file samples, actions, oversight
meetings, supervision, the learning log and evidence packs. Each page checks its
permission first and writes every read of a person's record to the trail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern
from sharewise.governance import actions as actionlib
from sharewise.governance import audits, charts, evidence, jobs, learning, measures, meetings
from sharewise.governance import supervision as supervisionlib
from sharewise.governance.forms import (
    ActionForm,
    DoneForm,
    LessonForm,
    MeetingForm,
    MinuteForm,
    PeriodForm,
    SampleForm,
    apply_errors,
    staff_choices,
)
from sharewise.governance.models import (
    Action,
    AuditRun,
    EvidencePack,
    Finding,
    Job,
    Lesson,
    Meeting,
    Sample,
    SampleItem,
)
from sharewise.organisations.access import scope_for
from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.security import throttle
from sharewise.sharing.models import SharingDecision


def _org(request, perm: str) -> int:
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return scope_for(request.user).organisation_id


def _visible_people(request, ids) -> set[int]:
    ids = {i for i in ids if i}
    if not ids:
        return set()
    return set(
        Person.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )


# --- hub ------------------------------------------------------------------------------


@login_required
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
    org = scope_for(user).organisation_id
    today = timezone.localdate()
    context = {"nav": "governance", "can": can, "today": today}
    if can["findings"]:
        context["open_findings"] = Finding.objects.filter(
            organisation_id=org, status=Finding.Status.OPEN
        ).count()
        context["last_run"] = AuditRun.objects.filter(organisation_id=org).first()
    context["my_actions"] = actionlib.open_actions(org).filter(owner=user).count()
    context["overdue_actions"] = actionlib.overdue(org, today).count()
    if can["meetings"]:
        context["next_meeting"] = (
            Meeting.objects.filter(organisation_id=org, held_at__gte=timezone.now())
            .order_by("held_at")
            .first()
        )
        context["meeting_due"] = meetings.next_due(org)
    if can["supervise"]:
        rows = supervisionlib.overview(user, org, today)
        context["supervision_overdue"] = sum(r.overdue for r in rows)
        context["supervisees"] = len(rows)
    return render(request, "governance/hub.html", context)


# --- audits ---------------------------------------------------------------------------


@login_required
def audit_list(request):
    org = _org(request, "governance.see_findings")
    may_run = request.user.has_perm("governance.run_audit")
    form = PeriodForm(request.POST or None)
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        if form.is_valid():
            try:
                run = audits.start(
                    request, org, form.cleaned_data["period_from"], form.cleaned_data["period_to"]
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                return redirect("audit", run_id=run.pk)
    jobs.give_up_stopped(org)
    runs = AuditRun.objects.filter(organisation_id=org).select_related("started_by")
    history = audits.trend(org)
    _, policy = store.in_force(org, "governance")
    titles = {c.code: c.title for c in policy.criteria}
    series = {
        titles.get(code, code): [
            (f"{h['run'].period_to:%-d %B %Y}", h["counts"].get(code, 0)) for h in history
        ]
        for code in titles
        if any(h["counts"].get(code) for h in history)
    }
    trend = {
        "svg": charts.line_chart("Findings per audit run, by criterion", series)
        if len(history) > 1
        else "",
        "runs": history,
        "rows": [
            (title, [h["counts"].get(code, 0) for h in history]) for code, title in titles.items()
        ],
    }
    return render(
        request,
        "governance/audits.html",
        {
            "nav": "governance",
            "form": form,
            "may_run": may_run,
            "may_sample": request.user.has_perm("governance.case_file_audit"),
            "runs": runs[:20],
            "trend": trend,
            "samples": _samples_for(request, org).annotate(
                checked=Count("items", filter=Q(items__checked_at__isnull=False))
            )[:10],
        },
    )


@login_required
def audit_page(request, run_id):
    org = _org(request, "governance.see_findings")
    jobs.give_up_stopped(org)
    run = (
        AuditRun.objects.filter(organisation_id=org, pk=run_id).select_related("started_by").first()
    )
    if run is None:
        raise Http404("No such audit")
    findings = run.findings.select_related("owner", "person", "team")
    criterion = request.GET.get("criterion", "")
    status = request.GET.get("status", "")
    if criterion:
        findings = findings.filter(criterion=criterion)
    if status in Finding.Status.values:
        findings = findings.filter(status=status)
    page = Paginator(findings.order_by("criterion", "id"), 50).get_page(request.GET.get("page"))
    visible = _visible_people(request, [f.person_id for f in page.object_list])
    if visible:
        trail.record_reads(
            request,
            "viewed audit findings",
            sorted(visible),
            organisation_id=org,
            object_type="audit",
            object_id=run.pk,
        )
    _, policy = store.in_force(org, "governance")
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


def _finding_for(request, finding_id) -> Finding:
    org = _org(request, "governance.see_findings")
    finding = (
        Finding.objects.filter(organisation_id=org, pk=finding_id)
        .select_related("run", "owner", "person", "team", "closed_by")
        .first()
    )
    if finding is None:
        raise Http404("No such finding")
    return finding


@login_required
def finding_page(request, finding_id):
    finding = _finding_for(request, finding_id)
    org = finding.organisation_id
    closing = request.method == "POST" and "close" in request.POST
    form = ActionForm(org, None if closing else (request.POST or None))
    close_problem = ""
    if closing:
        try:
            actionlib.close_finding(request, finding, request.POST.get("reason", ""))
        except ValidationError as error:
            close_problem = error.messages[0]
        else:
            messages.success(request, "Finding closed")
            return redirect("finding", finding_id=finding.pk)
    elif request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actionlib.add(request, org, d["description"], d["owner"], d["due"], finding=finding)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action agreed")
            return redirect("finding", finding_id=finding.pk)
    shows_person = bool(_visible_people(request, [finding.person_id]))
    if shows_person:
        trail.record_request(
            request,
            "viewed audit finding",
            object_type="finding",
            object_id=finding.pk,
            person_id=finding.person_id,
            organisation_id=org,
        )
    return render(
        request,
        "governance/finding.html",
        {
            "nav": "governance",
            "f": finding,
            "shows_person": shows_person,
            "record_url": _record_url(finding, shows_person),
            "actions": finding.actions.select_related("owner", "done_by"),
            "form": form,
            "close_problem": close_problem,
            "reason": request.POST.get("reason", "") if closing else "",
            "may_close": not finding.actions.filter(done_at__isnull=True).exists(),
            "today": timezone.localdate(),
        },
    )


def _record_url(finding, shows_person) -> str:
    from django.urls import reverse

    if finding.record_type == "team" or not shows_person:
        return ""
    names = {
        "alert": "alert",
        "case": "case",
        "sharing_decision": "sharing_decision",
        "disclosure": "disclosure",
        "concern": "concern",
    }
    if finding.record_type in names:
        return reverse(names[finding.record_type], args=[finding.record_id])
    return reverse("person", args=[finding.person_id]) if finding.person_id else ""


# --- actions --------------------------------------------------------------------------


def _may_see_actions(user) -> bool:
    return any(
        user.has_perm(p)
        for p in (
            "governance.see_findings",
            "governance.hold_meetings",
            "governance.keep_learning_log",
        )
    )


@login_required
def action_list(request):
    org = scope_for(request.user).organisation_id
    everyone = _may_see_actions(request.user)
    shown = Action.objects.filter(organisation_id=org).select_related(
        "owner", "finding", "lesson", "minute__meeting"
    )
    if not everyone:
        shown = shown.filter(owner=request.user)
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
            "everyone": everyone,
            "today": timezone.localdate(),
            "extra_query": f"show={which}&",
        },
    )


@login_required
def action_page(request, action_id):
    org = scope_for(request.user).organisation_id
    action = (
        Action.objects.filter(organisation_id=org, pk=action_id)
        .select_related("owner", "done_by", "created_by", "finding", "lesson", "minute__meeting")
        .first()
    )
    if action is None or not (_may_see_actions(request.user) or action.owner_id == request.user.pk):
        raise Http404("No such action")
    if action.minute_id and action.minute.person_id:
        # The minute it came from names the person it was about.
        trail.record_request(
            request,
            "viewed action",
            object_type="action",
            object_id=action.pk,
            person_id=action.minute.person_id,
            organisation_id=org,
        )
    may_complete = action.owner_id == request.user.pk or request.user.has_perm(
        "governance.hold_meetings"
    )
    form = DoneForm(request.POST or None)
    if request.method == "POST":
        if not may_complete:
            raise PermissionDenied
        if form.is_valid():
            try:
                actionlib.complete(request, action, form.cleaned_data["note"])
            except ValidationError as error:
                apply_errors(form, error)
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
            "today": timezone.localdate(),
        },
    )


# --- case-file samples ----------------------------------------------------------------


@login_required
def new_sample(request):
    org = _org(request, "governance.case_file_audit")
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sample = audits.draw_sample(
                request, org, d["kind"], d["period_from"], d["period_to"], d["size"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("sample", sample_id=sample.pk)
    _, policy = store.in_force(org, "governance")
    return render(
        request,
        "governance/new_sample.html",
        {"nav": "governance", "form": form, "max_sample": policy.max_sample},
    )


def _samples_for(request, org):
    """Samples this user may open: a lead's organisation's, an auditor's own. A sample
    is what opens records to an auditor, so one drawn by someone else opens none."""
    samples = Sample.objects.filter(organisation_id=org)
    if org in scope_for(request.user).case_wide_org_ids:
        return samples
    return samples.filter(drawn_by=request.user)


@login_required
def sample_page(request, sample_id):
    org = _org(request, "governance.case_file_audit")
    sample = _samples_for(request, org).filter(pk=sample_id).select_related("drawn_by").first()
    if sample is None:
        raise Http404("No such sample")
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
    org = _org(request, "governance.case_file_audit")
    item = (
        SampleItem.objects.filter(sample__in=_samples_for(request, org), pk=item_id)
        .select_related("sample", "person")
        .first()
    )
    if item is None:
        raise Http404("No such sampled record")
    sample = item.sample
    # The checklist the sample was drawn under, even if the policy has changed since.
    questions = store.validated(sample.policy_version).checklist[sample.kind]
    if sample.kind == Sample.Kind.CONCERNS:
        record = (
            Concern.objects.filter(organisation_id=org, pk=item.record_id)
            .select_related("team", "recorded_by")
            .first()
        )
        review = getattr(record, "review", None) if record else None
    else:
        record = (
            SharingDecision.objects.filter(organisation_id=org, pk=item.record_id)
            .select_related("decided_by")
            .first()
        )
        review = None
    problems, answers, notes = {}, dict(item.answers), item.notes
    if request.method == "POST":
        answers = {q.code: request.POST.get(q.code, "") for q in questions}
        notes = request.POST.get("notes", "")
        try:
            audits.record_check(request, item, answers, notes)
        except ValidationError as error:
            problems = {k: v[0] for k, v in error.message_dict.items()}
        else:
            messages.success(request, "Checklist saved")
            following = sample.items.filter(checked_at__isnull=True).exclude(pk=item.pk).first()
            if following:
                return redirect("sample_item", item_id=following.pk)
            return redirect("sample", sample_id=sample.pk)
    trail.record_request(
        request,
        "case-file audit",
        object_type="concern" if sample.kind == Sample.Kind.CONCERNS else "sharing_decision",
        object_id=item.record_id,
        person_id=item.person_id,
        organisation_id=org,
        detail={"sample": sample.pk},
    )
    return render(
        request,
        "governance/sample_item.html",
        {
            "nav": "governance",
            "item": item,
            "sample": sample,
            "record": record,
            "review": review,
            "questions": [
                (q, answers.get(q.code, ""), problems.get(q.code, "")) for q in questions
            ],
            "notes": notes,
            "notes_problem": problems.get("notes", ""),
            "problems": problems,
            "choices": [("yes", "Yes"), ("partly", "Partly"), ("no", "No")],
        },
    )


# --- meetings -------------------------------------------------------------------------


@login_required
def meeting_list(request):
    org = _org(request, "governance.hold_meetings")
    due = meetings.next_due(org)
    form = MeetingForm(org, request.POST or None, due=due)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.schedule(
                request, org, form.held_at(), getattr(form.cleaned_data["service"], "pk", None)
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled: its agenda is ready")
            return redirect("meeting", meeting_id=meeting.pk)
    shown = (
        Meeting.objects.filter(organisation_id=org)
        .select_related("service", "chair")
        .annotate(items=Count("minutes"))
    )
    return render(
        request,
        "governance/meetings.html",
        {
            "nav": "governance",
            "form": form,
            "meetings": shown[:30],
            "due": due,
            "now": timezone.now(),
        },
    )


def _meeting_for(request, meeting_id) -> Meeting:
    org = _org(request, "governance.hold_meetings")
    meeting = (
        Meeting.objects.filter(organisation_id=org, pk=meeting_id)
        .select_related("service", "chair")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


@login_required
def meeting_page(request, meeting_id):
    meeting = _meeting_for(request, meeting_id)
    org = meeting.organisation_id
    sections = meetings.agenda(meeting, request.user)
    form, failed_item = None, ""
    if request.method == "POST":
        form = MinuteForm(org, request.POST)
        failed_item = request.POST.get("item", "")
        item = meetings.find_item(sections, failed_item)
        if item is None:
            form.is_valid()
            form.add_error(None, "That item is no longer on the agenda; reload the page")
        elif form.is_valid():
            try:
                meetings.record_minute(request, meeting, item, form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Minuted: {item.title}")
                return redirect(f"{request.path}#item-{slugify(item.key)}")
    meetings.record_agenda_read(request, meeting, sections)
    for s in sections:
        for item in s.items:
            item.failed = form is not None and item.key == failed_item
    return render(
        request,
        "governance/meeting.html",
        {
            "nav": "governance",
            "meeting": meeting,
            "sections": sections,
            "form": form,
            "failed_idx": slugify(failed_item),
            "staff": staff_choices(org),
            "fields": MINUTE_FIELDS,
            "date_parts": [("Day", 2, 0), ("Month", 2, 1), ("Year", 4, 2)],
            "open": meeting.closed_at is None,
            "total": sum(len(s.items) for s in sections if s.code != "other"),
        },
    )


@login_required
@require_POST
def sign_off_meeting(request, meeting_id):
    meeting = _meeting_for(request, meeting_id)
    try:
        meetings.sign_off(request, meeting)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Minutes signed off")
    return redirect("meeting", meeting_id=meeting.pk)


MINUTE_FIELDS = [
    ("discussion", "Discussion", 3, ""),
    ("decision", "Decision", 2, "Leave blank if nothing was decided"),
    ("action", "Action agreed", 2, "Leave the action blank if none was agreed"),
]


# --- supervision ----------------------------------------------------------------------


@login_required
def supervision_list(request):
    org = _org(request, "governance.supervise")
    rows = supervisionlib.overview(request.user, org)
    recent = supervisionlib.sessions_for(request.user, org).select_related("staff", "supervisor")[
        :20
    ]
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
    org = _org(request, "governance.supervise")
    staff = supervisionlib.supervisees(request.user, org).filter(pk=user_id).first()
    if staff is None:
        raise Http404("No such member of staff")
    _, policy = store.in_force(org, "governance")
    work = supervisionlib.material(request.user, staff, org)
    problems, posted = {}, {}
    if request.method == "POST":
        from sharewise.forms import DatePartsField

        posted = request.POST
        next_due = None
        parts = [request.POST.get(f"next_due_{i}", "") for i in range(3)]
        if any(parts):
            try:
                next_due = DatePartsField().clean(parts)
            except ValidationError as error:
                problems["next_due"] = error.messages[0]
        data = {
            "items": request.POST.getlist("items"),
            "responses": {
                str(i): request.POST.get(f"response_{i}", "")
                for i in range(len(policy.challenge_prompts))
            },
            "reflection": request.POST.get("reflection", ""),
            "learning": request.POST.get("learning", ""),
            "next_due": next_due,
        }
        if not problems:
            try:
                session = supervisionlib.record(request, org, staff, data)
            except ValidationError as error:
                problems = {k: v[0] for k, v in error.message_dict.items()}
            else:
                messages.success(request, f"Supervision with {staff.get_full_name()} recorded")
                return redirect("supervision_session", session_id=session.pk)
    people = sorted({r["person_id"] for rows in work.values() for r in rows if r["person_id"]})
    trail.record_reads(
        request,
        "viewed supervision material",
        people,
        organisation_id=org,
        object_type="staff",
        object_id=staff.pk,
    )
    chosen = set(posted.getlist("items")) if posted else set()
    return render(
        request,
        "governance/new_supervision.html",
        {
            "nav": "governance",
            "staff": staff,
            "work": work,
            "chosen": chosen,
            "prompts": [
                (i, p, posted.get(f"response_{i}", "") if posted else "")
                for i, p in enumerate(policy.challenge_prompts)
            ],
            "posted": posted,
            "problems": problems,
            "look_back": policy.supervision_look_back_days,
            "every": policy.supervision_every_days,
        },
    )


@login_required
def supervision_session(request, session_id):
    """Readable by its supervisor, the member of staff supervised and leads; anyone
    else is told there is no such session."""
    org = scope_for(request.user).organisation_id
    session = (
        supervisionlib.sessions_for(request.user, org)
        .filter(pk=session_id)
        .select_related("staff", "supervisor")
        .first()
        if org
        else None
    )
    if session is None:
        raise Http404("No such supervision")
    visible = _visible_people(request, (i.get("person_id") for i in session.items))
    trail.record_reads(
        request,
        "viewed supervision record",
        sorted(visible),
        organisation_id=org,
        object_type="supervision",
        object_id=session.pk,
    )
    return render(
        request,
        "governance/supervision_session.html",
        {
            "nav": "governance" if request.user.has_perm("governance.supervise") else "",
            "s": session,
            "items": supervisionlib.shown_items(session, visible),
            "own": session.staff_id == request.user.pk,
        },
    )


@login_required
@require_GET
def my_supervision(request):
    """Anyone's own supervision: what they reflected on and agreed, and when the next
    session is due."""
    org = scope_for(request.user).organisation_id
    mine = supervisionlib.own(request.user, org) if org else supervisionlib.Own([], None, False)
    return render(request, "governance/my_supervision.html", {"mine": mine})


# --- learning log ---------------------------------------------------------------------


@login_required
def lesson_list(request):
    org = _org(request, "governance.keep_learning_log")
    lessons = list(
        Lesson.objects.filter(organisation_id=org).prefetch_related("actions", "policy_versions")[
            :50
        ]
    )
    for lesson in lessons:
        lesson.effect = measures.before_after(lesson)
    return render(request, "governance/lessons.html", {"nav": "governance", "lessons": lessons})


@login_required
def new_lesson(request):
    org = _org(request, "governance.keep_learning_log")
    form = LessonForm(learning.versions_to_choose(org), measures.CHOICES, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["finding"] = request.POST.get("finding") or None
        try:
            lesson = learning.record(request, org, data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Lesson added to the learning log")
            return redirect("lesson", lesson_id=lesson.pk)
    return render(request, "governance/new_lesson.html", {"nav": "governance", "form": form})


@login_required
def lesson_page(request, lesson_id):
    org = _org(request, "governance.keep_learning_log")
    lesson = (
        Lesson.objects.filter(organisation_id=org, pk=lesson_id)
        .select_related("recorded_by", "finding")
        .first()
    )
    if lesson is None:
        raise Http404("No such lesson")
    form = ActionForm(org, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actionlib.add(request, org, d["description"], d["owner"], d["due"], lesson=lesson)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Action agreed")
            return redirect("lesson", lesson_id=lesson.pk)
    return render(
        request,
        "governance/lesson.html",
        {
            "nav": "governance",
            "lesson": lesson,
            "effect": measures.before_after(lesson),
            "actions": lesson.actions.select_related("owner"),
            "versions": lesson.policy_versions.all(),
            "form": form,
            "today": timezone.localdate(),
        },
    )


# --- evidence packs -------------------------------------------------------------------


@login_required
def evidence_list(request):
    org = _org(request, "governance.build_evidence_pack")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pack = evidence.start(
                request, org, form.cleaned_data["period_from"], form.cleaned_data["period_to"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return redirect("evidence_pack", pack_id=pack.pk)
    jobs.give_up_stopped(org)
    packs = list(
        EvidencePack.objects.filter(organisation_id=org)
        .select_related("requested_by")
        .defer("html", "pdf")[:20]
    )
    hidden = evidence.hidden_packs(packs, request.user)
    packs = [p for p in packs if p.pk not in hidden]
    return render(
        request,
        "governance/evidence_packs.html",
        {"nav": "governance", "form": form, "packs": packs},
    )


def _pack_for(request, pack_id) -> EvidencePack:
    org = _org(request, "governance.build_evidence_pack")
    jobs.give_up_stopped(org)
    pack = EvidencePack.objects.filter(organisation_id=org, pk=pack_id).first()
    if pack is None or evidence.hidden_from(pack, request.user):
        raise Http404("No such evidence pack")
    return pack


@login_required
def evidence_page(request, pack_id):
    pack = _pack_for(request, pack_id)
    return render(
        request,
        "governance/evidence_pack.html",
        {"nav": "governance", "pack": pack, "running": pack.status in (Job.QUEUED, Job.RUNNING)},
    )


@login_required
def evidence_download(request, pack_id, form):
    pack = _pack_for(request, pack_id)
    if pack.status != Job.DONE:
        raise Http404("This evidence pack is not ready")
    throttle.check_export(request)
    trail.record_request(
        request,
        "downloaded evidence pack",
        object_type="evidence_pack",
        object_id=pack.pk,
        organisation_id=pack.organisation_id,
        detail={"form": form},
    )
    name = f"evidence-pack-{pack.period_from}-to-{pack.period_to}"
    if form == "pdf":
        response = HttpResponse(bytes(pack.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        response = HttpResponse(pack.html, content_type="text/html; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.html"'
    return response
