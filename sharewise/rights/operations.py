"""Every change to a subject access or rectification request: one function for each,
serving the pages and the API alike, with the permission check and validation once.
Each write reaches the trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns import recording
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.disclosures.models import Disclosure
from sharewise.policy import store
from sharewise.rights import deadlines, exporting
from sharewise.rights.access import require
from sharewise.rights.models import Rectification, Requester, SubjectAccessRequest
from sharewise.sharing.models import Channel

Status = SubjectAccessRequest.Status


def _trail(request, action, thing, via, **detail):
    trail.record_request(
        request,
        action,
        object_type="subject access request"
        if isinstance(thing, SubjectAccessRequest)
        else "rectification request",
        object_id=thing.pk,
        person_id=thing.person_id,
        organisation_id=thing.organisation_id,
        detail={"via": via, **detail},
    )


def _text(data, name) -> str:
    return (data.get(name) or "").strip()


def _locked(sar) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update(of=("self",)).get(pk=sar.pk)


def _must_be_open(sar) -> None:
    if not sar.is_open:
        raise ValidationError({"status": [f"This request is closed: {sar.get_status_display()}"]})


@transaction.atomic
def log_request(request, person, data: dict, *, via="page") -> SubjectAccessRequest:
    """A subject access request received: who asked, with what authority, and when.
    data: requester, requester_name, relationship, authority, contact, received_on,
    request_text."""
    require(request.user, "rights.prepare")
    errors = {}
    requester = data.get("requester") or ""
    if requester not in Requester.values:
        errors["requester"] = ["Choose who asked: the person, or someone acting for them"]
    for name, message in (
        ("requester_name", "Enter the name of who asked"),
        ("contact", "Enter where to send the response (an address or email)"),
    ):
        if not _text(data, name):
            errors[name] = [message]
    if requester == Requester.REPRESENTATIVE:
        if not _text(data, "relationship"):
            errors["relationship"] = ["Enter their relationship to the person"]
        if not _text(data, "authority"):
            errors["authority"] = [
                "Enter the evidence of their authority to act (a lasting power of "
                "attorney, a signed letter of authority)"
            ]
    received = data.get("received_on")
    if received is None:
        errors["received_on"] = ["Enter the day the request was received"]
    elif received > timezone.localdate():
        errors["received_on"] = ["The day it was received must be today or in the past"]
    if errors:
        raise ValidationError(errors)
    sar = SubjectAccessRequest.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        requester=requester,
        requester_name=_text(data, "requester_name"),
        relationship=_text(data, "relationship"),
        authority=_text(data, "authority"),
        contact=_text(data, "contact"),
        received_on=received,
        request_text=_text(data, "request_text"),
        logged_by=request.user,
        deadline=deadlines.deadline(received),
    )
    _trail(request, "logged subject access request", sar, via, deadline=sar.deadline.isoformat())
    return sar


@transaction.atomic
def check_identity(request, sar, method: str, *, via="page") -> SubjectAccessRequest:
    """Who asked is verified, and how: nothing is prepared or sent before this."""
    require(request.user, "rights.prepare")
    sar = _locked(sar)
    _must_be_open(sar)
    method = (method or "").strip()
    if not method:
        raise ValidationError(
            {"identity_method": ["Enter how their identity was verified, and with what"]}
        )
    sar.identity_method = method
    sar.identity_checked_by = request.user
    sar.identity_checked_at = timezone.now()
    if sar.status == Status.RECEIVED:
        sar.status = Status.IDENTITY_CHECKED
    sar.save()
    _trail(request, "checked identity for subject access request", sar, via)
    return sar


@transaction.atomic
def extend(request, sar, months: int, reasons: str, told_on, *, via="page"):
    """More time (up to two further months in all) for a complex or numerous request,
    with the reasons, once the person has been told within the first month."""
    require(request.user, "rights.extend")
    sar = _locked(sar)
    _must_be_open(sar)
    errors = {}
    reasons = (reasons or "").strip()
    if not reasons:
        errors["reasons"] = ["Enter why more time is needed (the request is complex or numerous)"]
    total = sar.extension_months + (months or 0)
    if not months or months < 1:
        errors["months"] = ["Choose one or two further months"]
    elif total > deadlines.MAX_EXTENSION_MONTHS:
        errors["months"] = ["The time can be extended by two further months at most"]
    first_month = deadlines.tell_of_extension_by(sar.received_on)
    if told_on is None:
        errors["told_on"] = ["Enter the day the person was told of the extension and why"]
    elif told_on > timezone.localdate():
        errors["told_on"] = ["The day they were told must be today or in the past"]
    elif told_on < sar.received_on or told_on > first_month:
        errors["told_on"] = [
            f"The person must be told within the first month, by {first_month:%-d %B %Y}"
        ]
    if errors:
        raise ValidationError(errors)
    sar.extension_months = total
    sar.extension_reasons = "\n".join(x for x in (sar.extension_reasons, reasons) if x)
    sar.extension_told_on = told_on
    sar.extended_by = request.user
    sar.extended_at = timezone.now()
    sar.deadline = deadlines.deadline(sar.received_on, total)
    sar.overdue_notified_at = sar.due_soon_notified_at = None
    sar.save()
    _trail(request, "extended subject access request", sar, via, deadline=sar.deadline.isoformat())
    return sar


@transaction.atomic
def prepare(request, sar, *, via="page") -> SubjectAccessRequest:
    """Build the response as it would be sent now (the JSON, its PDF, both digests and
    every redaction with its reason) and put it to the data protection officer. Doing
    it again replaces it, and any approval of the earlier one no longer counts."""
    require(request.user, "rights.prepare")
    sar = _locked(sar)
    _must_be_open(sar)
    if not sar.identity_verified:
        raise ValidationError(
            {"identity": ["Check who asked first: nothing is prepared before their identity is"]}
        )
    built = exporting.gather(sar)
    pdf = exporting.render_pdf(built.content)
    sar.export_json = built.content
    sar.export_pdf = pdf
    sar.export_sha256 = exporting.sha256(pdf)
    sar.export_json_sha256 = exporting.sha256(exporting.canonical(built.content))
    sar.redactions = built.redactions
    sar.prepared_by = request.user
    sar.prepared_at = timezone.now()
    sar.status = Status.WITH_DPO
    sar.dpo_approved_by = None
    sar.dpo_approved_at = None
    sar.dpo_approved_sha256 = ""
    sar.save()
    _trail(
        request,
        "prepared subject access response",
        sar,
        via,
        sha256=sar.export_sha256,
        json_sha256=sar.export_json_sha256,
        redactions=len(built.redactions),
    )
    return sar


@transaction.atomic
def approve(request, sar, note: str = "", *, via="page") -> SubjectAccessRequest:
    """The data protection officer approves the prepared response exactly as it is."""
    require(request.user, "rights.approve")
    sar = _locked(sar)
    _must_be_open(sar)
    if sar.status != Status.WITH_DPO or not sar.export_sha256:
        raise ValidationError(
            {"status": ["Prepare the response first: there is nothing to approve"]}
        )
    sar.dpo_approved_by = request.user
    sar.dpo_approved_at = timezone.now()
    sar.dpo_note = (note or "").strip()
    sar.dpo_approved_sha256 = sar.export_sha256
    sar.save()
    _trail(request, "approved subject access response", sar, via, sha256=sar.export_sha256)
    return sar


@transaction.atomic
def send(request, sar, channel: str, *, via="page") -> Disclosure:
    """Send the approved response: written as a frozen disclosure to the requester, with
    the PDF's SHA-256 (and the JSON's on the request and in the trail)."""
    require(request.user, "rights.send")
    sar = _locked(sar)
    _must_be_open(sar)
    errors = {}
    if not sar.identity_verified:
        errors["identity"] = ["Their identity is not verified: the response cannot be sent"]
    elif not sar.export_sha256:
        errors["status"] = ["Prepare the response first"]
    elif sar.dpo_approved_sha256 != sar.export_sha256:
        errors["status"] = ["The data protection officer must approve this response first"]
    if channel not in Channel.values:
        errors["channel"] = ["Choose how it is sent"]
    if errors:
        raise ValidationError(errors)
    version, _ = store.in_force(sar.organisation_id, "referrals")
    requester = (
        "The person themselves"
        if sar.requester == Requester.PERSON
        else f"{sar.requester_name}'s representative"
    )
    sections = sorted(k for k in sar.export_json if k not in exporting.UNREDACTED)
    disclosure = Disclosure.objects.create(
        organisation_id=sar.organisation_id,
        person_id=sar.person_id,
        kind=Disclosure.Kind.SUBJECT_ACCESS,
        template="subject_access",
        template_title="Subject access response",
        policy_version=version,
        content=sar.export_json,
        pdf=bytes(sar.export_pdf),
        sha256=sar.export_sha256,
        # Everything held is what the law asks for: nothing is beyond the minimum.
        minimum_fields=sections,
        sent_fields=sections,
        redactions=sar.redactions,
        recipient_organisation=requester if sar.requester == Requester.PERSON else "",
        recipient_role=sar.get_requester_display()
        if sar.requester == Requester.PERSON
        else sar.relationship,
        recipient_name=sar.requester_name,
        recipient_contact=sar.contact,
        channel=channel,
        sent_by=request.user,
        delivery=Disclosure.How.CONFIRMED,
        confirmed_by=request.user,
        dpo_approved_by=sar.dpo_approved_by,
    )
    sar.disclosure = disclosure
    sar.channel = channel
    sar.status = Status.SENT
    sar.save()
    _trail(
        request,
        "sent subject access response",
        sar,
        via,
        disclosure=disclosure.pk,
        sha256=disclosure.sha256,
        json_sha256=sar.export_json_sha256,
        # The trail vouches for the disclosure as sent, as it does for referrals.
        **{records.DETAIL_KEY: records.digests_now(disclosure)},
    )
    return disclosure


@transaction.atomic
def close(request, sar, outcome: str, reason: str, *, via="page") -> SubjectAccessRequest:
    """Refused (manifestly unfounded or excessive, say) or withdrawn, with the reason."""
    require(request.user, "rights.close")
    sar = _locked(sar)
    _must_be_open(sar)
    errors = {}
    if outcome not in (Status.REFUSED, Status.WITHDRAWN):
        errors["outcome"] = ["Choose refused or withdrawn"]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Enter the reason, as the person will be told it"]
    if errors:
        raise ValidationError(errors)
    sar.status = outcome
    sar.closed_reason = reason
    sar.closed_by = request.user
    sar.closed_at = timezone.now()
    sar.save()
    _trail(request, f"{outcome} subject access request", sar, via)
    return sar


# Rectification --------------------------------------------------------------------------


def _concern_about(person, concern_id) -> Concern | None:
    if concern_id in (None, ""):
        return None
    found = Concern.objects.filter(
        pk=concern_id,
        pk__in=ConcernPerson.objects.filter(person_id__in=person.record_ids()).values("concern_id"),
    ).first()
    if found is None:
        raise ValidationError({"concern_id": ["Choose a concern about this person"]})
    return found


@transaction.atomic
def log_rectification(request, person, data: dict, *, via="page") -> Rectification:
    """A request to correct a record: who asked, when, what they say is wrong."""
    require(request.user, "rights.prepare")
    errors = {}
    if not _text(data, "requester_name"):
        errors["requester_name"] = ["Enter the name of who asked"]
    if not _text(data, "what_is_wrong"):
        errors["what_is_wrong"] = ["Enter what they say is wrong, and what it should say"]
    received = data.get("received_on")
    if received is None:
        errors["received_on"] = ["Enter the day the request was received"]
    elif received > timezone.localdate():
        errors["received_on"] = ["The day it was received must be today or in the past"]
    try:
        concern = _concern_about(person, data.get("concern_id"))
    except ValidationError as error:
        errors |= error.message_dict
        concern = None
    if errors:
        raise ValidationError(errors)
    found = Rectification.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        requester_name=_text(data, "requester_name"),
        received_on=received,
        concern=concern,
        what_is_wrong=_text(data, "what_is_wrong"),
        logged_by=request.user,
    )
    _trail(request, "logged rectification request", found, via)
    return found


@transaction.atomic
def amend_for(request, rectification, concern_id, changes: dict, reason: str, *, via="page"):
    """Correct the record as asked: an amendment to a concern (the original stays beside
    it), made the way every amendment is, and linked to this request."""
    require(request.user, "rights.prepare")
    if rectification.status == Rectification.Status.REFUSED:
        raise ValidationError({"status": ["This request was refused"]})
    concern = _concern_about(rectification.person, concern_id or rectification.concern_id)
    if concern is None:
        raise ValidationError({"concern_id": ["Choose the concern to correct"]})
    if not request.user.has_perm("concerns.amend_concern", concern):
        raise PermissionDenied(
            "Only the recorder, the team's manager or a safeguarding lead can amend a concern."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter the reason for the correction"]})
    amendment = recording.amend(
        request, concern, changes or {}, f"Rectification request {rectification.pk}: {reason}"
    )
    rectification.amendments.add(amendment)
    Rectification.objects.filter(pk=rectification.pk).update(
        status=Rectification.Status.AMENDED,
        decided_by=request.user,
        decided_at=timezone.now(),
        outcome_reason=reason,
    )
    rectification.refresh_from_db()
    _trail(
        request,
        "corrected record for rectification request",
        rectification,
        via,
        amendment=amendment.pk,
    )
    return rectification, amendment


@transaction.atomic
def refuse_rectification(request, rectification, reason: str, *, via="page") -> Rectification:
    """Not corrected, with the reasons the person will be told (and their right to add
    a statement or complain)."""
    require(request.user, "rights.prepare")
    if rectification.status != Rectification.Status.OPEN:
        raise ValidationError({"status": ["This request has been decided"]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the record is not corrected"]})
    rectification.status = Rectification.Status.REFUSED
    rectification.outcome_reason = reason
    rectification.decided_by = request.user
    rectification.decided_at = timezone.now()
    rectification.save()
    _trail(request, "refused rectification request", rectification, via)
    return rectification
