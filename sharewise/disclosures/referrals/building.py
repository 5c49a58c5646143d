"""Starting a referral from a decision to share, and previewing it: what is sent is
the last preview, byte for byte. The helpers every step shares live here too."""

from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.disclosures import content as contentlib
from sharewise.disclosures.models import Partner, Referral
from sharewise.policy import store


def write_trail(request, action, referral, via, **detail):
    trail.record_request(
        request,
        action,
        object_type="referral",
        object_id=referral.pk,
        person_id=referral.person_id,
        organisation_id=referral.organisation_id,
        detail={"via": via, **detail},
    )


@transaction.atomic
def start(request, decision, template_code: str, purpose: str = "", *, via="page") -> Referral:
    version, policy = store.in_force(decision.organisation_id, "referrals")
    errors = {}
    if problem := contentlib.sharing_decision_problem(decision):
        errors["decision"] = [problem]
    if decision.concerns.filter(source_staff=request.user).exists():
        errors["decision"] = [
            "A concern this decision rests on names you as the alleged source of harm: "
            "the safeguarding lead sends this referral"
        ]
    template = policy.template(template_code)
    if template is None:
        errors["template"] = ["Choose a referral template"]
    elif purpose and purpose not in template.purposes:
        errors["purpose"] = ["Choose one of: " + ", ".join(template.purposes)]
    if errors:
        raise ValidationError(errors)
    categories = sorted({c for concern in decision.concerns.all() for c in concern.categories})
    referral = Referral.objects.create(
        organisation_id=decision.organisation_id,
        person_id=decision.person_id,
        decision=decision,
        template=template.code,
        purpose=purpose or template.purposes[0],
        categories=categories,
        policy_version=version,
        recipient_organisation=decision.recipient_organisation,
        recipient_role=decision.recipient_role or template.recipient,
        recipient_name=decision.recipient_name,
        channel=decision.channel,
        created_by=request.user,
    )
    if partner := _partner_named_by(decision):
        choose_partner(referral, partner)
        referral.save()
    write_trail(request, "started referral", referral, via, template=template.code)
    return referral


def choose_partner(referral, partner) -> None:
    referral.partner = partner
    referral.recipient_organisation = partner.name
    referral.recipient_role = partner.team
    referral.recipient_name = partner.contact_name
    referral.recipient_contact = partner.address
    referral.channel = partner.channel


def _partner_named_by(decision):
    """The one current partner the decision to share names (by organisation, then by
    channel when the organisation has several), or None: the sender chooses."""
    if not decision.recipient_organisation:
        return None
    named = list(
        Partner.objects.filter(
            organisation_id=decision.organisation_id,
            retired_at__isnull=True,
            name__iexact=decision.recipient_organisation.strip(),
        )
    )
    if len(named) > 1:
        named = [p for p in named if p.channel == decision.channel]
    return named[0] if len(named) == 1 else None


@transaction.atomic
def preview(request, referral, *, via="page"):
    """Build what the recipient would get, as structured content and a PDF, and keep
    both: this is what Send sends."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    built = contentlib.build(referral)
    if referral.is_final:
        return referral, built  # what is sent stays what was previewed
    content = built.content(referral)
    if referral.preview_json != content or not referral.preview_pdf:
        html = contentlib.render_html(content)
        pdf = contentlib.render_pdf(html)
        referral.preview_json = content
        referral.preview_pdf = pdf
        referral.preview_sha256 = hashlib.sha256(pdf).hexdigest()
        referral.previewed_at = timezone.now()
        referral.save(
            update_fields=["preview_json", "preview_pdf", "preview_sha256", "previewed_at"]
        )
    write_trail(request, "previewed referral", referral, via, sha256=referral.preview_sha256)
    return referral, built


def refuse_if_final(referral) -> None:
    if referral.status == Referral.Status.SENT:
        raise ValidationError({"status": ["This referral has been sent: it cannot change"]})
    if referral.status == Referral.Status.FINAL:
        raise ValidationError(
            {"status": ["This referral is final and waiting to be sent: it cannot change"]}
        )
