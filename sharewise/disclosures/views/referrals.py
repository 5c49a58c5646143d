"""Building a referral from a decision to share, previewing, countersigning and
sending it. Every page fetches the referral through disclosures.access (scope checked,
the read of the person written to the trail) and changes it through
disclosures.referrals, as the API does."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from sharewise.disclosures import access, referrals
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.forms import (
    ConfirmSubmittedForm,
    as_typed,
    changes_from,
    still_missing,
)
from sharewise.disclosures.models import Partner, Referral
from sharewise.forms import add_errors
from sharewise.organisations import stepup
from sharewise.organisations.models import staff_name
from sharewise.policy import store
from sharewise.security import throttle


def _tell(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def start_referral(request, decision_id):
    access.require(request.user, "disclosures.build_referral")
    decision = access.get_decision_to_refer(request, decision_id)
    _, policy = store.in_force(decision.organisation_id, "referrals")
    problems = []
    if request.method == "POST":
        try:
            referral = referrals.start(request, decision, request.POST.get("template", ""))
        except ValidationError as error:
            problems = error.messages
        else:
            return redirect("referral", referral_id=referral.pk)
    return render(
        request,
        "disclosures/start.html",
        {
            "nav": "people",
            "d": decision,
            "person": decision.person,
            "templates": policy.templates,
            "problems": problems
            or ([p] if (p := contentlib.sharing_decision_problem(decision)) else []),
        },
    )


@login_required
def referral_page(request, referral_id):
    referral = access.get_referral_for(request, referral_id)
    if referral.is_final and request.method == "GET":
        return redirect("referral_delivery", referral_id=referral.pk)
    built = contentlib.build(referral)
    problems, posted, reason_error = [], None, ""
    if request.method == "POST":
        if referral.is_final:
            raise PermissionDenied
        access.require(request.user, "disclosures.build_referral")
        try:
            referrals.change(request, referral, **changes_from(request.POST, built))
        except ValidationError as error:
            problems, posted = error.messages, request.POST
            reason_error = " ".join(error.message_dict.get("no_agreement_reason", []))
        else:
            if request.POST.get("go") == "preview":
                return redirect("referral_preview", referral_id=referral.pk)
            messages.success(request, "Saved.")
            return redirect("referral", referral_id=referral.pk)
    return render(
        request,
        "disclosures/referral.html",
        {
            **_builder_context(referral, built, posted),
            "problems": problems,
            "reason_error": reason_error,
        },
    )


def _builder_context(referral, built, posted) -> dict:
    """The builder: each field sent (with its value, names found and restored, options
    and reason), those left out, and the free text one may redact."""
    spans = {
        code: [(s, built.originals[code][s.start : s.end]) for s in found]
        for code, found in built.found.items()
    }
    restored = {
        code: [
            (r, built.originals[code][r["start"] : r["end"]])
            for r in referral.redactions
            if r["field"] == code
        ]
        for code in built.originals
    }
    shown = as_typed(posted, referral, built)
    agreement, cover = referrals.agreement_cover(referral)
    return {
        "agreement": agreement,
        "cover": cover,
        "no_agreement_reason": posted.get("no_agreement_reason", "")
        if posted is not None
        else referral.no_agreement_reason,
        "nav": "people",
        "r": referral,
        "person": referral.person,
        "built": built,
        "partners": access.partners_to_choose(referral),
        "chosen_partner": shown["partner"],
        "typed": shown["typed"],
        "still_missing": [] if posted else still_missing(built, referral.typed),
        "sent": [
            (
                f,
                shown["inputs"].get(f.code, built.values.get(f.code, "")),
                spans.get(f.code, []),
                restored.get(f.code, []),
                [(o, o in shown["options"][f.code]) for o in built.policy.fields[f.code].options],
                *shown["choices"].get(f.code, ("", False)),
                shown["restore_reasons"].get(f.code, ""),
            )
            for f in built.selection.fields
            if f.included
        ],
        "left_out": [
            (f, *shown["choices"].get(f.code, ("", False)))
            for f in built.selection.fields
            if f.available and not f.included
        ],
        "free_text": [(code, built.policy.fields[code].label) for code in built.originals],
        "nothing_held": [f.label for f in built.selection.fields if not f.available],
        "senders": {c for c, s in built.policy.fields.items() if s.source == "sender"},
    }


@login_required
@require_safe
def referral_preview(request, referral_id):
    referral = access.get_referral_for(request, referral_id, action="previewed referral")
    if request.GET.get("format") == "pdf":
        throttle.check_export(request)
    referral, built = referrals.preview(request, referral)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(bytes(referral.preview_pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
        return response
    if referral.is_final:
        return redirect("referral_delivery", referral_id=referral.pk)
    problems = referrals.send_problems(referral, built)
    return render(
        request,
        "disclosures/preview.html",
        {
            "nav": "people",
            "r": referral,
            "person": referral.person,
            "c": referral.preview_json,
            "problems": problems,
            "referrer_problem": any(k.startswith("referrer_") for k in problems),
            "is_referrer": referral.created_by_id == request.user.pk,
            "needs_dpo": built.selection.needs_dpo,
            "can_approve": request.user.has_perm("disclosures.approve_referral")
            and referral.created_by_id != request.user.pk,
        },
    )


@login_required
@require_POST
@stepup.confirm_it_is_you("send this referral")
def send_referral(request, referral_id):
    referral = access.get_referral_for(request, referral_id, action="opened referral to send")
    access.require(request.user, "disclosures.build_referral")
    try:
        sending = referrals.send(request, referral)
    except ValidationError as error:
        _tell(request, error)
        if referral.is_final:
            return redirect("referral_delivery", referral_id=referral.pk)
        return redirect("referral_preview", referral_id=referral.pk)
    if sending.sent:
        x = sending.disclosure
        messages.success(
            request,
            f"Sent. The mail server accepted it for {x.delivered_to} at "
            f"{timezone.localtime(x.sent_at):%H:%M}. This is exactly what left the "
            "organisation.",
        )
        return redirect("disclosure", disclosure_id=x.pk)
    return redirect("referral_delivery", referral_id=referral.pk)


@login_required
@require_POST
def reopen_referral(request, referral_id):
    referral = access.get_referral_for(request, referral_id, action="opened referral to change")
    access.require(request.user, "disclosures.build_referral")
    try:
        referrals.reopen(request, referral)
    except ValidationError as error:
        _tell(request, error)
        return redirect("referral_delivery", referral_id=referral.pk)
    messages.success(
        request, "It is being built again: nothing was sent. Preview it again to send it."
    )
    return redirect("referral", referral_id=referral.pk)


def _delivery_context(request, referral, form):
    return {
        "nav": "people",
        "r": referral,
        "person": referral.person,
        "c": referral.preview_json,
        "attempts": list(referral.deliveries.select_related("by")),
        "is_email": referral.channel == Partner.Channel.SECURE_EMAIL,
        "is_portal": referral.channel == Partner.Channel.PORTAL,
        "is_phone": referral.channel == Partner.Channel.PHONE,
        "can_send": request.user.has_perm("disclosures.build_referral"),
        "form": form,
    }


@login_required
@require_safe
def referral_delivery(request, referral_id):
    """A final referral on its way: the mail server's answer and Try again (email), or
    what to do and the confirmation that it was submitted (portal, phone)."""
    referral = access.get_referral_for(request, referral_id, action="opened referral to send")
    if not referral.is_final:
        return redirect("referral_preview", referral_id=referral.pk)
    if referral.status == Referral.Status.SENT:
        return redirect("disclosure", disclosure_id=referral.disclosure.pk)
    initial = {
        "submitted_on": timezone.localdate(),
        "submitted_time": f"{timezone.localtime():%H:%M}",
        "submitted_by": staff_name(request.user),
    }
    form = ConfirmSubmittedForm(initial=initial)
    return render(request, "disclosures/delivery.html", _delivery_context(request, referral, form))


@login_required
@require_POST
@stepup.confirm_it_is_you("confirm this referral was submitted")
def confirm_submitted(request, referral_id):
    referral = access.get_referral_for(request, referral_id, action="confirmed referral submitted")
    access.require(request.user, "disclosures.build_referral")
    form = ConfirmSubmittedForm(request.POST)
    if form.is_valid():
        try:
            disclosure = referrals.confirm_submitted(
                request,
                referral,
                submitted_at=form.submitted_at(),
                submitted_by=form.cleaned_data["submitted_by"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as error:
            add_errors(form, error, {"submitted_at": "submitted_on"})
        else:
            messages.success(
                request,
                f"Recorded as sent: submitted by {disclosure.submitted_by_name}, "
                f"reference {disclosure.receipt_reference}.",
            )
            return redirect("disclosure", disclosure_id=disclosure.pk)
    referral.refresh_from_db()
    if referral.status == Referral.Status.SENT:
        return redirect("disclosure", disclosure_id=referral.disclosure.pk)
    return render(request, "disclosures/delivery.html", _delivery_context(request, referral, form))


@login_required
@require_POST
def ask_approval(request, referral_id):
    referral = access.get_referral_for(request, referral_id)
    access.require(request.user, "disclosures.build_referral")
    try:
        referrals.ask_approval(request, referral)
    except ValidationError as error:
        _tell(request, error)
    else:
        messages.success(request, "The data protection officer has been asked to countersign.")
    return redirect("referral_preview", referral_id=referral.pk)


@login_required
@require_POST
@stepup.confirm_it_is_you("countersign this referral")
def approve_referral(request, referral_id):
    access.require(request.user, "disclosures.approve_referral")
    referral = access.get_referral_for(request, referral_id, action="countersigned referral")
    try:
        referrals.approve(request, referral, request.POST.get("note", ""))
    except ValidationError as error:
        _tell(request, error)
    else:
        messages.success(request, "Countersigned. The sender can now send it.")
    return redirect("referral_preview", referral_id=referral.pk)
