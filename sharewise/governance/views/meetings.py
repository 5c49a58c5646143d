"""Oversight meetings: scheduling, the agenda and its minutes, and signing them off."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from sharewise.forms import add_errors
from sharewise.governance import access, operations
from sharewise.governance.forms import MeetingForm, MinuteForm, staff_choices

MINUTE_FIELDS = [
    ("discussion", "Discussion", 3, ""),
    ("decision", "Decision", 2, "Leave blank if nothing was decided"),
    ("action", "Action agreed", 2, "Leave the action blank if none was agreed"),
]


@login_required
def meeting_list(request):
    shown = access.meetings_visible_to(request.user)
    org = access.organisation_for(request.user, "governance.hold_meetings", access.MEETINGS)
    due = access.next_meeting_due(request.user)
    form = MeetingForm(org, request.POST or None, due=due)
    if request.method == "POST" and form.is_valid():
        service = form.cleaned_data["service"]
        try:
            meeting = operations.schedule_meeting(
                request, form.held_at(), getattr(service, "pk", None)
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, "Meeting scheduled: its agenda is ready")
            return redirect("meeting", meeting_id=meeting.pk)
    return render(
        request,
        "governance/meetings.html",
        {
            "nav": "governance",
            "form": form,
            "meetings": shown.annotate(items=Count("minutes"))[:30],
            "due": due,
            "now": timezone.now(),
        },
    )


@login_required
def meeting_page(request, meeting_id):
    meeting = access.get_meeting_for(request, meeting_id)
    org = meeting.organisation_id
    sections = access.agenda_for(request, meeting)
    form, failed_item = None, ""
    if request.method == "POST":
        form = MinuteForm(org, request.POST)
        failed_item = request.POST.get("item", "")
        if form.is_valid():
            try:
                item, _ = operations.minute_item(
                    request, meeting, failed_item, form.cleaned_data, sections
                )
            except ValidationError as error:
                add_errors(form, error, renames={"item": None})
            else:
                messages.success(request, f"Minuted: {item.title}")
                return redirect(f"{request.path}#item-{slugify(item.key)}")
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
    meeting = access.get_meeting_for(request, meeting_id)
    try:
        operations.sign_off_meeting(request, meeting)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "Minutes signed off")
    return redirect("meeting", meeting_id=meeting.pk)
