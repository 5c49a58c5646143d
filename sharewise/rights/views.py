"""Subject access and rectification pages: the list (with what is due or overdue), one
request with its steps in order, the export's preview and downloads. Every change goes
through rights.operations, as the API's do; pages that only read answer 405 to POST."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.audittrail import trail
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.rights import access, exporting, operations
from sharewise.rights.forms import (
    ApproveForm,
    CloseForm,
    CorrectionForm,
    ExtendForm,
    IdentityForm,
    RectificationForm,
    RefuseForm,
    RequestForm,
    SendForm,
)
from sharewise.rights.models import Rectification, SubjectAccessRequest

STEP_FORMS = {
    "identity_form": IdentityForm,
    "extend_form": ExtendForm,
    "approve_form": ApproveForm,
    "send_form": SendForm,
    "close_form": CloseForm,
}


def _errors_onto(form, error: ValidationError) -> None:
    for name, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(name if name in form.fields else None, message)


def _listed(request, found):
    trail.record_reads(
        request,
        "listed subject access requests",
        sorted({x.person_id for x in found}),
        organisation_id=scope_for(request.user).organisation_id,
    )


@login_required
@require_safe
def request_list(request):
    access.require(request.user, "rights.see_requests")
    found = list(access.requests_visible_to(request.user))
    rectifications = list(access.rectifications_visible_to(request.user)[:100])
    _listed(request, found + rectifications)
    today = timezone.localdate()
    open_ = [(x, x.due_state(today)) for x in found if x.is_open]
    return render(
        request,
        "rights/list.html",
        {
            "nav": "rights",
            "open": open_,
            "flagged": sum(1 for _, state in open_ if state in ("overdue", "due_soon")),
            "closed": [x for x in found if not x.is_open][:100],
            "rectifications": rectifications,
        },
    )


@login_required
@require_safe
def person_requests(request, person_id):
    person = access.get_person_to_ask_about(
        request, person_id, action="viewed subject access requests"
    )
    ids = person.record_ids()
    return render(
        request,
        "rights/person.html",
        {
            "nav": "people",
            "person": person,
            "requests": SubjectAccessRequest.objects.filter(person_id__in=ids),
            "rectifications": Rectification.objects.filter(person_id__in=ids),
            "can_log": request.user.has_perm("rights.prepare"),
            "today": timezone.localdate(),
        },
    )


@login_required
def new_request(request, person_id):
    access.require(request.user, "rights.prepare")
    person = access.get_person_to_ask_about(
        request, person_id, action="opened record to log subject access request"
    )
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = operations.log_request(request, person, form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(
                request, f"Logged the request. It must be answered by {sar.deadline:%-d %B %Y}."
            )
            return redirect("subject_access_request", sar.pk)
    return render(
        request, "rights/new_request.html", {"nav": "people", "person": person, "form": form}
    )


def _show(request, sar, **forms):
    context = {name: forms.get(name) or form() for name, form in STEP_FORMS.items()}
    context["has_errors"] = any(f.errors for f in forms.values())
    context["send_form"].fields["channel"].initial = sar.channel or "letter"
    return render(
        request,
        "rights/request.html",
        {
            "nav": "rights",
            "sar": sar,
            "person": sar.person,
            "state": sar.due_state(),
            "tell_by": operations.deadlines.tell_of_extension_by(sar.received_on),
            "approved": bool(sar.export_sha256) and sar.dpo_approved_sha256 == sar.export_sha256,
            "can": {
                perm: request.user.has_perm(f"rights.{perm}")
                for perm in ("prepare", "approve", "send", "extend", "close")
            },
            **context,
        },
        status=200,
    )


@login_required
@require_safe
def request_page(request, sar_id):
    sar = access.get_request_for(request, sar_id)
    return _show(request, sar)


def _step(request, sar_id, perm, form_name, run, done):
    access.require(request.user, perm)
    sar = access.get_request_for(request, sar_id, action="opened subject access request to change")
    form = STEP_FORMS[form_name](request.POST)
    form.is_valid()
    try:
        run(sar, form.cleaned_data)
    except ValidationError as error:
        _errors_onto(form, error)
        return _show(request, SubjectAccessRequest.objects.get(pk=sar.pk), **{form_name: form})
    messages.success(request, done)
    return redirect("subject_access_request", sar.pk)


@login_required
@require_POST
def check_identity(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.prepare",
        "identity_form",
        lambda sar, data: operations.check_identity(request, sar, data.get("identity_method")),
        "Recorded how their identity was verified.",
    )


@login_required
@require_POST
def extend_request(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.extend",
        "extend_form",
        lambda sar, data: operations.extend(
            request, sar, data.get("months"), data.get("reasons"), data.get("told_on")
        ),
        "Extended the time to answer.",
    )


@login_required
@require_POST
def prepare_request(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.prepare",
        "approve_form",
        lambda sar, data: operations.prepare(request, sar),
        "Prepared the response: it is with the data protection officer for review.",
    )


@login_required
@require_POST
@stepup.confirm_it_is_you("approve this subject access response")
def approve_request(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.approve",
        "approve_form",
        lambda sar, data: operations.approve(request, sar, data.get("note")),
        "Approved the response.",
    )


@login_required
@require_POST
@stepup.confirm_it_is_you("send this subject access response")
def send_request(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.send",
        "send_form",
        lambda sar, data: operations.send(request, sar, data.get("channel")),
        "Sent the response: it is kept as a disclosure with its SHA-256.",
    )


@login_required
@require_POST
def close_request(request, sar_id):
    return _step(
        request,
        sar_id,
        "rights.close",
        "close_form",
        lambda sar, data: operations.close(request, sar, data.get("outcome"), data.get("reason")),
        "Closed the request.",
    )


@login_required
@require_safe
def export_preview(request, sar_id):
    sar = access.get_request_for(request, sar_id, action="viewed subject access export")
    if not sar.export_json:
        raise Http404("Not prepared yet")
    return render(
        request,
        "rights/preview.html",
        {
            "nav": "rights",
            "sar": sar,
            "person": sar.person,
            "document": exporting.canonical(sar.export_json).decode(),
        },
    )


@login_required
@require_safe
def export_download(request, sar_id, form):
    return access.export_response(request, sar_id, form)


def _concerns_about(person):
    return Concern.objects.filter(
        pk__in=ConcernPerson.objects.filter(person_id__in=person.record_ids()).values("concern_id")
    ).order_by("-occurred_at")


@login_required
def new_rectification(request, person_id):
    access.require(request.user, "rights.prepare")
    person = access.get_person_to_ask_about(
        request, person_id, action="opened record to log rectification request"
    )
    form = RectificationForm(request.POST or None, concerns=_concerns_about(person))
    if request.method == "POST" and form.is_valid():
        try:
            found = operations.log_rectification(request, person, form.cleaned_data)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, "Logged the rectification request.")
            return redirect("rectification", found.pk)
    return render(
        request, "rights/new_rectification.html", {"nav": "people", "person": person, "form": form}
    )


def _show_rectification(request, found, correction=None, refuse=None):
    return render(
        request,
        "rights/rectification.html",
        {
            "nav": "rights",
            "r": found,
            "person": found.person,
            "amendments": found.amendments.select_related("amended_by", "concern"),
            "has_errors": bool((correction and correction.errors) or (refuse and refuse.errors)),
            "correction_form": correction or CorrectionForm(),
            "refuse_form": refuse or RefuseForm(),
            "can": request.user.has_perm("rights.prepare"),
        },
    )


@login_required
@require_safe
def rectification_page(request, rectification_id):
    return _show_rectification(request, access.get_rectification_for(request, rectification_id))


@login_required
@require_POST
def correct_record(request, rectification_id):
    access.require(request.user, "rights.prepare")
    found = access.get_rectification_for(
        request, rectification_id, action="opened rectification request to correct"
    )
    form = CorrectionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        operations.amend_for(
            request,
            found,
            found.concern_id,
            {data["answer"]: data.get("text", "")} if data.get("answer") else {},
            data.get("reason"),
        )
    except ValidationError as error:
        _errors_onto(form, error)
        return _show_rectification(request, found, correction=form)
    messages.success(request, "Corrected the record: the amendment is linked to the request.")
    return redirect("rectification", found.pk)


@login_required
@require_POST
def refuse_rectification(request, rectification_id):
    access.require(request.user, "rights.prepare")
    found = access.get_rectification_for(
        request, rectification_id, action="opened rectification request to refuse"
    )
    form = RefuseForm(request.POST)
    form.is_valid()
    try:
        operations.refuse_rectification(request, found, form.cleaned_data.get("reason"))
    except ValidationError as error:
        _errors_onto(form, error)
        return _show_rectification(request, found, refuse=form)
    messages.success(request, "Recorded that the record is not corrected, with the reasons.")
    return redirect("rectification", found.pk)
