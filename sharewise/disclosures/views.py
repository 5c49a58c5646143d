"""Building a referral from a decision to share, previewing and sending it, and the
disclosure log. Every page fetches the person through get_person_for (scope checked,
read written to the trail)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sharewise.audittrail import trail
from sharewise.disclosures import content as contentlib
from sharewise.disclosures import referrals
from sharewise.disclosures.models import Disclosure, Referral, referrals_for
from sharewise.organisations import stepup
from sharewise.organisations.access import scope_for
from sharewise.people.access import get_person_for
from sharewise.policy import store
from sharewise.security import throttle
from sharewise.sharing.models import Channel
from sharewise.sharing.views import get_decision_for


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


def _changes_from(post, built) -> dict:
    """The builder page's form as referrals.change takes it."""
    choices, inputs, redactions = {}, {}, []
    for f in built.selection.fields:
        wanted = post.get(f"include_{f.code}")
        if wanted in ("yes", "no") and f.available:
            # The same as the default is no change (and needs no reason).
            choices[f.code] = {"include": wanted == "yes", "why": post.get(f"why_{f.code}", "")}
        if built.policy.fields[f.code].options and f"options_{f.code}" in post:
            inputs[f.code] = [
                o
                for o in post.getlist(f"input_{f.code}")
                if o in built.policy.fields[f.code].options
            ]
        elif f"input_{f.code}" in post:
            inputs[f.code] = post.get(f"input_{f.code}", "").strip()
    if restore := post.get("restore"):
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
    if (words := post.get("redact_text", "").strip()) and (code := post.get("redact_field")):
        text = built.originals.get(code, "")
        start = text.find(words)
        redactions.append(
            {
                "field": code,
                "start": start,
                "end": start + len(words) if start >= 0 else -1,
                "action": "redact",
                "reason": post.get("redact_reason", ""),
            }
        )
    recipient = {name: post.get(name, "") for name in referrals.RECIPIENT_FIELDS if name in post}
    return {"choices": choices, "inputs": inputs, "redactions": redactions, "recipient": recipient}


@login_required
def referral_page(request, referral_id):
    referral = get_referral_for(request, referral_id)
    built = contentlib.build(referral)
    problems, posted = [], None
    if request.method == "POST":
        if referral.status == Referral.Status.SENT or not request.user.has_perm(
            "disclosures.build_referral"
        ):
            raise PermissionDenied
        try:
            referrals.change(request, referral, **_changes_from(request.POST, built))
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
            "recipient": shown["recipient"],
            "typed": shown["typed"],
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
            "channels": Channel.choices,
            "problems": problems,
        },
    )


def _as_typed(posted, referral, built) -> dict:
    """What the builder's form shows: the referral as saved, or, when a change was
    refused, what the sender typed, so nothing they wrote is lost."""
    fields = built.selection.fields
    shown = {
        "recipient": {name: getattr(referral, name) for name in referrals.RECIPIENT_FIELDS},
        "typed": {"redact_field": "", "redact_text": "", "redact_reason": ""},
        "inputs": {},
        "options": {f.code: referral.inputs.get(f.code) or [] for f in fields},
        "choices": {f.code: (f.why, False) for f in fields},  # (why, box ticked)
        "restore_reasons": {},
    }
    if posted is None:
        return shown
    for name in referrals.RECIPIENT_FIELDS:
        if name in posted:
            shown["recipient"][name] = posted.get(name, "")
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
    return render(
        request,
        "disclosures/preview.html",
        {
            "nav": "people",
            "r": referral,
            "person": referral.person,
            "c": referral.preview_json,
            "problems": referrals.send_problems(referral, built),
            "needs_dpo": built.selection.needs_dpo,
            "can_approve": request.user.has_perm("disclosures.approve_referral")
            and referral.created_by_id != request.user.pk,
        },
    )


@login_required
@require_POST
@stepup.confirm_it_is_you("send this referral")
def send_referral(request, referral_id):
    referral = get_referral_for(request, referral_id, action="sent referral")
    if not request.user.has_perm("disclosures.build_referral"):
        raise PermissionDenied
    try:
        disclosure = referrals.send(request, referral)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("referral_preview", referral_id=referral.pk)
    messages.success(request, "Sent. This is exactly what left the organisation.")
    return redirect("disclosure", disclosure_id=disclosure.pk)


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
        .select_related("person", "sent_by", "decision", "dpo_approved_by")
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
