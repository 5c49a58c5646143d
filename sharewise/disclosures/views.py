"""Building a referral from a decision to share, previewing and sending it, and the
disclosure log. Every page fetches the person through get_person_for (scope checked,
read written to the trail)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sharewise.audittrail import trail
from sharewise.disclosures import content as contentlib
from sharewise.disclosures import partners, referrals
from sharewise.disclosures.forms import ConfirmSubmittedForm, ContactDetailsForm, PartnerForm
from sharewise.disclosures.models import (
    Disclosure,
    Partner,
    Referral,
    StaffContact,
    referrals_for,
)
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.security import throttle
from sharewise.sharing.access import get_decision_for


def _errors(error: ValidationError) -> list[str]:
    return [m for problems in error.message_dict.values() for m in problems]


@login_required
def start_referral(request, decision_id):
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
    decision = get_decision_for(request, decision_id, action="opened decision to refer")
    _, policy = store.in_force(decision.organisation_id, "referrals")
    problems = []
    if request.method == "POST":
        try:
            referral = referrals.start(request, decision, request.POST.get("template", ""))
        except ValidationError as error:
            problems = _errors(error)
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


def get_referral_for(request, referral_id, action="opened referral") -> Referral:
    referral = (
        referrals_for(request.user)
        .select_related("person", "decision", "organisation", "policy_version", "created_by")
        .filter(pk=referral_id)
        .first()
    )
    if (
        referral is None
        or not request.user.has_perm("disclosures.build_referral")
        and not (request.user.has_perm("disclosures.approve_referral"))
    ):
        raise Http404("No such referral")
    get_person_for(request, referral.person_id, action=action)
    return referral


def _changes_from(post, built, referral) -> dict:
    """The builder page's form as referrals.change takes it. A reason typed without the
    box it belongs to is kept as typed, so nothing written is lost."""
    choices, inputs, redactions, typed = {}, {}, [], {}
    for f in built.selection.fields:
        wanted = post.get(f"include_{f.code}")
        why = post.get(f"why_{f.code}", "").strip()
        if wanted in ("yes", "no") and f.available:
            # The same as the default is no change (and needs no reason).
            choices[f.code] = {"include": wanted == "yes", "why": why}
        elif why and why != f.why:
            typed[f"why_{f.code}"] = why
        if built.policy.fields[f.code].options and f"options_{f.code}" in post:
            inputs[f.code] = [
                o
                for o in post.getlist(f"input_{f.code}")
                if o in built.policy.fields[f.code].options
            ]
        elif f"input_{f.code}" in post:
            inputs[f.code] = post.get(f"input_{f.code}", "").strip()
    restore = post.get("restore", "")
    for code in built.originals:
        reason = post.get(f"restore_reason_{code}", "").strip()
        if reason and not restore.startswith(f"{code}:"):
            typed[f"restore_reason_{code}"] = reason
    if restore:
        code, start, end = restore.rsplit(":", 2)
        redactions.append(
            {
                "field": code,
                "start": int(start),
                "end": int(end),
                "action": "restore",
                "reason": post.get(f"restore_reason_{code}", ""),
            }
        )
    words = post.get("redact_text", "").strip()
    reason = post.get("redact_reason", "").strip()
    if words and (code := post.get("redact_field")):
        text = built.originals.get(code, "")
        start = text.find(words)
        redactions.append(
            {
                "field": code,
                "start": start,
                "end": start + len(words) if start >= 0 else -1,
                "action": "redact",
                "reason": reason,
            }
        )
    elif reason:
        typed["redact_reason"] = reason
        typed["redact_field"] = post.get("redact_field", "")
    return {
        "choices": choices,
        "inputs": inputs,
        "redactions": redactions,
        "partner": post.get("partner") if "partner" in post else None,
        "typed": typed,
    }


def _still_missing(referral, built, kept: dict) -> list[tuple[str, str]]:
    """(anchor, what to do) for each reason typed without the choice it belongs to."""
    labels = {f.code: f for f in built.selection.fields}
    missing = []
    for key, text in kept.items():
        if not text:
            continue
        if key.startswith("why_") and (f := labels.get(key[4:])):
            if f.included:
                missing.append(
                    (
                        f"include_{f.code}",
                        f"{f.label}: you gave a reason to leave it out; tick "
                        f"\u201cLeave {f.label.lower()} out\u201d to leave it out",
                    )
                )
            else:
                missing.append(
                    (
                        f"include_{f.code}",
                        f"{f.label}: you gave a reason to send it; tick "
                        f"\u201cSend {f.label.lower()}\u201d to send it",
                    )
                )
        elif key.startswith("restore_reason_") and (f := labels.get(key[15:])):
            missing.append(
                (
                    f"restore_reason_{f.code}",
                    f"{f.label}: you gave a reason to put a name back; press "
                    "\u201cPut back\u201d by the name",
                )
            )
        elif key == "redact_reason":
            missing.append(
                ("redact_text", "Take out more: type the words to take out, exactly as written")
            )
    return missing


def _partners_for(referral):
    return Partner.objects.filter(organisation_id=referral.organisation_id).filter(
        Q(retired_at__isnull=True) | Q(pk=referral.partner_id)
    )


@login_required
def referral_page(request, referral_id):
    referral = get_referral_for(request, referral_id)
    if referral.is_final and request.method == "GET":
        return redirect("referral_delivery", referral_id=referral.pk)
    built = contentlib.build(referral)
    problems, posted = [], None
    if request.method == "POST":
        if referral.is_final or not request.user.has_perm("disclosures.build_referral"):
            raise PermissionDenied
        try:
            referrals.change(request, referral, **_changes_from(request.POST, built, referral))
        except ValidationError as error:
            problems, posted = _errors(error), request.POST
        else:
            if request.POST.get("go") == "preview":
                return redirect("referral_preview", referral_id=referral.pk)
            messages.success(request, "Saved.")
            return redirect("referral", referral_id=referral.pk)
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
    shown = _as_typed(posted, referral, built)
    return render(
        request,
        "disclosures/referral.html",
        {
            "nav": "people",
            "r": referral,
            "person": referral.person,
            "built": built,
            "partners": _partners_for(referral),
            "chosen_partner": shown["partner"],
            "typed": shown["typed"],
            "still_missing": [] if posted else _still_missing(referral, built, referral.typed),
            "sent": [
                (
                    f,
                    shown["inputs"].get(f.code, built.values.get(f.code, "")),
                    spans.get(f.code, []),
                    restored.get(f.code, []),
                    [
                        (o, o in shown["options"][f.code])
                        for o in built.policy.fields[f.code].options
                    ],
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
            "problems": problems,
        },
    )


def _as_typed(posted, referral, built) -> dict:
    """What the builder's form shows: the referral as saved with any reasons typed
    without their choice, or, when a change was refused, what the sender typed, so
    nothing they wrote is lost."""
    fields = built.selection.fields
    kept = referral.typed or {}
    shown = {
        "partner": str(referral.partner_id or ""),
        "typed": {
            "redact_field": kept.get("redact_field", ""),
            "redact_text": "",
            "redact_reason": kept.get("redact_reason", ""),
        },
        "inputs": {},
        "options": {f.code: referral.inputs.get(f.code) or [] for f in fields},
        # (why, box ticked)
        "choices": {f.code: (kept.get(f"why_{f.code}", f.why), False) for f in fields},
        "restore_reasons": {
            code: kept.get(f"restore_reason_{code}", "") for code in built.originals
        },
    }
    if posted is None:
        return shown
    if "partner" in posted:
        shown["partner"] = posted.get("partner", "")
    for name in shown["typed"]:
        shown["typed"][name] = posted.get(name, "")
    for f in fields:
        if f"options_{f.code}" in posted:
            shown["options"][f.code] = posted.getlist(f"input_{f.code}")
        elif f"input_{f.code}" in posted:
            shown["inputs"][f.code] = posted.get(f"input_{f.code}", "")
        ticked = posted.get(f"include_{f.code}") in ("yes", "no")
        shown["choices"][f.code] = (posted.get(f"why_{f.code}", f.why), ticked)
        shown["restore_reasons"][f.code] = posted.get(f"restore_reason_{f.code}", "")
    return shown


@login_required
def referral_preview(request, referral_id):
    referral = get_referral_for(request, referral_id, action="previewed referral")
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
    referral = get_referral_for(request, referral_id, action="opened referral to send")
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
    try:
        sending = referrals.send(request, referral)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
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
    referral = get_referral_for(request, referral_id, action="opened referral to change")
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
    try:
        referrals.reopen(request, referral)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
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
def referral_delivery(request, referral_id):
    """A final referral on its way: the mail server's answer and Try again (email), or
    what to do and the confirmation that it was submitted (portal, phone)."""
    referral = get_referral_for(request, referral_id, action="opened referral to send")
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
    referral = get_referral_for(request, referral_id, action="confirmed referral submitted")
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
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
            for field, problems in error.message_dict.items():
                name = {"submitted_at": "submitted_on"}.get(field, field)
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
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
    referral = get_referral_for(request, referral_id)
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
    try:
        referrals.ask_approval(request, referral)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, "The data protection officer has been asked to countersign.")
    return redirect("referral_preview", referral_id=referral.pk)


@login_required
@require_POST
@stepup.confirm_it_is_you("countersign this referral")
def approve_referral(request, referral_id):
    if not request.user.has_perm("disclosures.approve_referral"):
        raise PermissionDenied
    referral = get_referral_for(request, referral_id, action="countersigned referral")
    try:
        referrals.approve(request, referral, request.POST.get("note", ""))
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, "Countersigned. The sender can now send it.")
    return redirect("referral_preview", referral_id=referral.pk)


# Disclosures ---------------------------------------------------------------------------


def get_disclosure_for(request, disclosure_id, action="viewed disclosure") -> Disclosure:
    if not request.user.has_perm("disclosures.see_disclosures"):
        raise Http404("No such disclosure")
    disclosure = (
        Disclosure.objects.visible_to(request.user)
        .select_related("person", "sent_by", "decision", "dpo_approved_by", "confirmed_by")
        .filter(pk=disclosure_id)
        .first()
    )
    if disclosure is None:
        raise Http404("No such disclosure")
    get_person_for(request, disclosure.person_id, action=action)
    return disclosure


@login_required
def disclosure_page(request, disclosure_id):
    disclosure = get_disclosure_for(request, disclosure_id)
    policy = store.validated(disclosure.policy_version)
    labels = {code: f.label for code, f in policy.fields.items()}
    minimum = set(disclosure.minimum_fields)
    return render(
        request,
        "disclosures/disclosure.html",
        {
            "nav": "people",
            "x": disclosure,
            "person": disclosure.person,
            "c": disclosure.content,
            "beyond": [labels.get(c, c) for c in disclosure.sent_fields if c not in minimum],
            "held_back": [
                labels.get(c, c)
                for c in disclosure.minimum_fields
                if c not in disclosure.sent_fields
            ],
            "justifications": [
                (labels.get(c, c), why) for c, why in disclosure.justifications.items()
            ],
        },
    )


@login_required
def disclosure_pdf(request, disclosure_id):
    disclosure = get_disclosure_for(request, disclosure_id, action="downloaded disclosure")
    throttle.check_export(request)
    response = HttpResponse(bytes(disclosure.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="disclosure-{disclosure.pk}.pdf"'
    return response


@login_required
def disclosure_log(request):
    if not request.user.has_perm("disclosures.see_log"):
        raise PermissionDenied
    found = Disclosure.objects.visible_to(request.user).select_related("person", "sent_by")
    template = request.GET.get("template", "")
    if template:
        found = found.filter(template=template)
    if request.GET.get("beyond") == "yes":
        found = found.filter(beyond_minimum__gt=0)
    since = request.GET.get("since", "")
    if since:
        try:
            found = found.filter(sent_at__date__gte=timezone.datetime.fromisoformat(since).date())
        except ValueError:
            messages.error(request, "Enter the date as YYYY-MM-DD, for example 2026-11-01")
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    trail.record_reads(
        request,
        "listed disclosures",
        sorted({d.person_id for d in page.object_list}),
        organisation_id=scope_for(request.user).organisation_id,
    )
    _, policy = store.in_force(scope_for(request.user).organisation_id, "referrals")
    return render(
        request,
        "disclosures/log.html",
        {
            "nav": "disclosures",
            "page": page,
            "templates": policy.templates,
            "chosen": template,
            "beyond": request.GET.get("beyond") == "yes",
            "since": since,
        },
    )


@login_required
def person_disclosures(request, person_id):
    """What has been shared about this person: ready for a subject access request."""
    if not request.user.has_perm("disclosures.see_disclosures"):
        raise PermissionDenied
    person = get_person_for(request, person_id, action="viewed what has been shared")
    ids = person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    return render(
        request,
        "disclosures/person.html",
        {
            "nav": "people",
            "person": person,
            "disclosures": Disclosure.objects.filter(person_id__in=ids).select_related("sent_by"),
        },
    )


# The partner directory ------------------------------------------------------------------


@login_required
def partner_list(request):
    if not request.user.has_perm("disclosures.see_partners"):
        raise PermissionDenied
    retired = request.GET.get("show") == "retired"
    return render(
        request,
        "disclosures/partners.html",
        {
            "nav": "disclosures",
            "partners": partners.directory_for(request.user, retired=retired),
            "retired": retired,
            "can_keep": request.user.has_perm("disclosures.keep_partners"),
        },
    )


def _get_partner_for(request, partner_id) -> Partner:
    if not request.user.has_perm("disclosures.keep_partners"):
        raise PermissionDenied
    partner = Partner.objects.filter(
        pk=partner_id, organisation_id=scope_for(request.user).organisation_id
    ).first()
    if partner is None:
        raise Http404("No such partner")
    return partner


@login_required
def add_partner(request):
    if not request.user.has_perm("disclosures.keep_partners"):
        raise PermissionDenied
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = partners.add(request, form.cleaned_data)
        messages.success(request, f"Added {partner} to the partner directory.")
        return redirect("partner_list")
    return render(
        request,
        "disclosures/partner_form.html",
        {"nav": "disclosures", "form": form, "title": "Add a partner", "button": "Add partner"},
    )


@login_required
def edit_partner(request, partner_id):
    partner = _get_partner_for(request, partner_id)
    form = PartnerForm(request.POST or None, instance=Partner.objects.get(pk=partner.pk))
    if request.method == "POST":
        if partner.retired_at is not None:
            raise PermissionDenied
        if form.is_valid():
            partners.change(request, partner, form.cleaned_data)
            messages.success(request, f"Saved the changes to {partner.name}.")
            return redirect("partner_list")
    return render(
        request,
        "disclosures/partner_form.html",
        {
            "nav": "disclosures",
            "form": form,
            "partner": partner,
            "title": f"Change {partner}",
            "button": "Save changes",
        },
    )


@login_required
@require_POST
def retire_partner(request, partner_id):
    partner = partners.retire(request, _get_partner_for(request, partner_id))
    messages.success(
        request,
        f"Retired {partner}: new referrals cannot go to them; past ones still name them.",
    )
    return redirect("partner_list")


@login_required
def contact_details(request):
    """The member of staff's own phone and job title, printed on their referrals."""
    contact = StaffContact.objects.filter(user=request.user).first()
    initial = {"job_title": contact.job_title, "phone": contact.phone} if contact else {}
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        partners.set_contact(request, **form.cleaned_data)
        messages.success(request, "Saved your contact details for referrals.")
        after = request.GET.get("next", "")
        if after and url_has_allowed_host_and_scheme(after, allowed_hosts={request.get_host()}):
            return redirect(after)
        return redirect("contact_details")
    return render(
        request,
        "disclosures/contact_details.html",
        {"form": form, "email": request.user.email},
    )
