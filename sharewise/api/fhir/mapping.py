"""Sharewise's records as FHIR R4 resources (fhir.resources.R4B classes, which validate
on construction, so a record that cannot be said in FHIR fails here, not at the
receiving end). Each function takes records already fetched and scoped by
sharewise.api.fhir.records and the Export they belong to; none of them queries."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from html import escape

from django.utils import timezone
from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.patient import Patient

from sharewise.api.fhir import codes

NOT_SOUGHT = {
    "unsafe": "Asking would put someone at risk",
    "prejudice": "Asking would prejudice protecting the person",
    "cannot_obtain": "Consent cannot reasonably be obtained",
    "emergency": "An emergency: no time to ask",
}
CONSENT_OUTCOMES = {
    "given": "Given",
    "refused": "Refused",
    "withdrawn": "Withdrawn",
    "not_sought": "Not sought",
}
CAPACITIES = {
    "presumed": "Presumed to have capacity",
    "has_capacity": "Assessed as having capacity",
    "lacks_capacity": "Assessed as lacking capacity",
    "in_doubt": "Capacity in doubt",
}
SHARING_OUTCOMES = {
    "share_with_consent": "Share with consent",
    "share_without_consent": "Share without consent",
    "share_deidentified": "Share without identifying the person",
    "do_not_share": "Do not share",
    "monitor": "Do not share yet: monitor and review",
}
NOT_SHARING = ("do_not_share", "monitor")
# A decision's FHIR status, from whether it was signed and whether it stands.
DECISION_STATUS = {
    "awaiting_countersign": "proposed",
    "declined": "rejected",
    "superseded": "inactive",
}
CHANNELS = {
    "secure_email": "secure email",
    "portal": "an online portal or form",
    "phone": "phone",
    "letter": "letter",
    "in_person": "in person or at a meeting",
}


@dataclass
class Export:
    """What every resource about one person needs: who they are (the kept record), the
    address resources are found at, and the labels of the organisation's codes."""

    person: object  # people.models.Person, the kept record
    base: str  # absolute address of /api/v1/fhir, no trailing slash
    organisation_name: str
    category_labels: dict[str, str] = field(default_factory=dict)

    @property
    def patient(self) -> dict:
        return {"reference": f"Patient/{self.person.pk}", "display": self.person.name}

    @property
    def custodian(self) -> dict:
        return {"type": "Organization", "display": self.organisation_name}

    def url(self, resource) -> str:
        return f"{self.base}/{resource.get_resource_type()}/{resource.id}"


def _instant(moment: datetime) -> datetime:
    """FHIR instants carry their zone: stored moments are aware, in UTC."""
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _staff(user, role: str = "") -> dict:
    """A member of staff named on a record, as a Reference without an address (staff
    are not exported as Practitioner resources)."""
    if user is None:
        return {"display": "Sharewise"}
    name = user.get_full_name() or user.username
    return {
        "type": "Practitioner",
        "identifier": {"system": codes.STAFF_ID, "value": str(user.pk)},
        "display": f"{name} ({role})" if role else name,
    }


def _narrative(*lines: str) -> dict:
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in lines if line)
    return {
        "status": "generated",
        "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{paragraphs}</div>',
    }


def _coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


# Patient ------------------------------------------------------------------------------


def patient(export: Export) -> Patient:
    """Minimal, by design: who the person is and nothing about their care. Sharewise
    holds no gender, so none is sent."""
    p = export.person
    identifiers = [{"system": codes.LOCAL_ID, "value": str(p.pk)}]
    if p.nhs_number:
        identifiers.insert(0, {"system": codes.NHS_NUMBER, "value": p.nhs_number})
    name = {"use": "official", "family": p.family_name, "given": [p.given_name]}
    names = [name]
    if p.preferred_name and p.preferred_name != p.given_name:
        names.append({"use": "usual", "family": p.family_name, "given": [p.preferred_name]})
    return Patient(
        id=str(p.pk),
        identifier=identifiers,
        active=True,
        name=names,
        birthDate=p.date_of_birth,
        managingOrganization=export.custodian,
    )


# Consent: consent records ------------------------------------------------------------


def consent_id(record) -> str:
    return f"consent-{record.pk}"


def decision_id(decision) -> str:
    return f"decision-{decision.pk}"


COMMON_LAW = {
    "coding": [
        _coding(
            codes.LAWFUL_BASIS,
            "common-law-confidentiality",
            "Agreement under the common law duty of confidentiality",
        )
    ],
    "text": "Agreement to share under the common law duty of confidentiality: not the "
    "UK GDPR lawful basis, which the sharing decision records",
}


def consent_from_record(record, export: Export) -> Consent:
    """What the person said when asked (or why they were not asked), for a purpose.
    Given permits; refused and withdrawn deny; not sought neither permits nor denies."""
    outcome = record.outcome
    outcome_text = CONSENT_OUTCOMES.get(outcome, outcome)
    if outcome == "not_sought" and record.not_sought_reason:
        outcome_text += f": {NOT_SOUGHT.get(record.not_sought_reason, record.not_sought_reason)}"
    capacity = CAPACITIES.get(record.capacity, record.capacity)
    provision = {
        "purpose": [_coding(codes.SHARING_PURPOSE, "safeguarding", "Safeguarding")],
        "action": [_disclose()],
    }
    if outcome == "given":
        provision["type"] = "permit"
    elif outcome in ("refused", "withdrawn"):
        provision["type"] = "deny"
    return Consent(
        id=consent_id(record),
        identifier=[{"system": "urn:sharewise:consent-record", "value": str(record.pk)}],
        text=_narrative(
            f"Consent {outcome_text.lower()} on {_day(record.asked_at)}.",
            f"Purpose: {record.purpose}",
            f"Capacity: {capacity}.",
        ),
        extension=[
            {
                "url": codes.EXT_CONSENT_OUTCOME,
                "valueCodeableConcept": {
                    "coding": [
                        _coding(codes.CONSENT_OUTCOME, outcome, CONSENT_OUTCOMES.get(outcome))
                    ],
                    "text": outcome_text,
                },
            },
            {
                "url": codes.EXT_CAPACITY,
                "valueCoding": _coding(codes.CAPACITY, record.capacity, capacity),
            },
        ],
        status="active",
        scope=_scope(),
        category=[
            {"coding": [_coding(codes.LOINC, "59284-0", "Patient Consent")]},
            {"coding": [_coding(codes.CONSENT_KIND, "consent-record", "Consent record")]},
        ],
        patient=export.patient,
        dateTime=_instant(record.asked_at),
        performer=[export.patient],
        organization=[export.custodian],
        policyRule=COMMON_LAW,
        provision=provision,
    )


def _scope() -> dict:
    return {"coding": [_coding(codes.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")]}


def _disclose() -> dict:
    return {
        "coding": [
            _coding("http://terminology.hl7.org/CodeSystem/consentaction", "disclose", "Disclose")
        ]
    }


def _day(moment: datetime) -> str:
    return f"{timezone.localtime(_instant(moment)):%-d %B %Y}"


# Consent: sharing decisions -----------------------------------------------------------


def _labels(decision) -> dict:
    """The lawful bases' and grounds' words in the policy version the decision was made
    under (each decision records it), so an export says what the decider read."""
    document = getattr(decision.policy_version, "document", None) or {}
    grounds = {g.get("code"): g.get("label") for g in document.get("override_grounds") or []}
    return {
        "article_6": document.get("article_6") or {},
        "article_9": document.get("article_9") or {},
        "schedule_1": document.get("schedule_1") or {},
        "grounds": grounds,
    }


def lawful_basis(decision, labels: dict | None = None) -> tuple[dict | None, list[dict]]:
    """(policyRule, policy) for a decision: the UK GDPR Article 6 basis, the Article 9
    condition and the DPA 2018 Schedule 1 condition it relied on, each coded and each
    pointing at its legislation. None and [] when it named none (not sharing, or
    de-identified sharing, need no basis)."""
    labels = labels or _labels(decision)
    codings, policies, words = [], [], []
    if decision.article_6:
        text = labels["article_6"].get(decision.article_6) or (
            f"UK GDPR Article 6(1)({decision.article_6})"
        )
        codings.append(_coding(codes.LAWFUL_BASIS, f"art6-1-{decision.article_6}", text))
        policies.append({"authority": codes.LEGISLATION, "uri": codes.UK_GDPR_ARTICLE.format(6)})
        words.append(text)
    if decision.article_9:
        text = labels["article_9"].get(decision.article_9) or (
            f"UK GDPR Article 9(2)({decision.article_9})"
        )
        codings.append(_coding(codes.LAWFUL_BASIS, f"art9-2-{decision.article_9}", text))
        policies.append({"authority": codes.LEGISLATION, "uri": codes.UK_GDPR_ARTICLE.format(9)})
        words.append(text)
    if decision.schedule_1:
        paragraph = decision.schedule_1.removeprefix("para_")
        text = labels["schedule_1"].get(decision.schedule_1) or (
            f"DPA 2018 Schedule 1 paragraph {paragraph}"
        )
        codings.append(_coding(codes.LAWFUL_BASIS, f"dpa2018-sch1-para{paragraph}", text))
        if paragraph.isdigit():
            policies.append(
                {
                    "authority": codes.LEGISLATION,
                    "uri": codes.DPA_2018_SCHEDULE_1.format(paragraph),
                }
            )
        words.append(text)
    if not codings:
        return None, []
    return {"coding": codings, "text": "; ".join(words)}, policies


def _no_basis(decision) -> dict:
    if decision.outcome == "share_deidentified":
        why = "No lawful basis needed: de-identified information is not personal data"
    else:
        why = "No lawful basis needed: nothing shared"
    return {"coding": [_coding(codes.LAWFUL_BASIS, "none-needed", "No basis needed")], "text": why}


def decision_status(decision) -> str:
    if decision.status == "signed":
        return "active" if decision.standing else "inactive"
    return DECISION_STATUS.get(decision.status, "inactive")


def consent_from_decision(decision, export: Export) -> Consent:
    """A sharing decision: share (permit) or not (deny), to whom, for what, on which
    lawful basis. A decision to share without consent says so in its sharing-outcome
    extension, in one override-ground extension per ground, and in its narrative."""
    labels = _labels(decision)
    outcome = decision.outcome
    outcome_label = SHARING_OUTCOMES.get(outcome, outcome)
    rule, policies = lawful_basis(decision, labels)
    sharing = outcome not in NOT_SHARING
    provision = {
        "type": "permit" if sharing else "deny",
        "purpose": [_coding(codes.SHARING_PURPOSE, "safeguarding", "Safeguarding")],
        "action": [_disclose()],
    }
    recipient = ", ".join(
        part
        for part in (
            decision.recipient_organisation,
            decision.recipient_role,
            decision.recipient_name,
        )
        if part
    )
    if recipient:
        provision["actor"] = [
            {
                "role": {"coding": [_coding(codes.PARTICIPATION, "IRCP", "information recipient")]},
                "reference": {"type": "Organization", "display": recipient},
            }
        ]
    if decision.review_date and not sharing:
        provision["period"] = {"end": decision.review_date.isoformat()}
    grounds = [
        {
            "url": codes.EXT_OVERRIDE_GROUND,
            "valueCoding": _coding(codes.OVERRIDE_GROUND, g, labels["grounds"].get(g)),
        }
        for g in decision.override_grounds or []
    ]
    ground_words = [labels["grounds"].get(g) or g for g in decision.override_grounds or []]
    lines = [
        f"Sharing decision on {_day(decision.decided_at)}: {outcome_label.lower()}.",
        f"Question: {decision.question}",
        f"Purpose: {decision.purpose}",
        f"Consent: {CONSENT_OUTCOMES.get(decision.consent_outcome, decision.consent_outcome)}.",
    ]
    if outcome == "share_without_consent":
        lines.append(
            "Shared WITHOUT the person's consent, on these grounds: "
            + ("; ".join(ground_words) or "none recorded")
            + "."
        )
    if rule:
        lines.append(f"Lawful basis: {rule['text']}.")
    if recipient:
        channel = CHANNELS.get(decision.channel, decision.channel)
        lines.append(f"Recipient: {recipient}{f', by {channel}' if channel else ''}.")
    decided_by = _staff(decision.decided_by)
    return Consent(
        id=decision_id(decision),
        identifier=[{"system": "urn:sharewise:sharing-decision", "value": str(decision.pk)}],
        text=_narrative(*lines),
        extension=[
            {
                "url": codes.EXT_SHARING_OUTCOME,
                "valueCoding": _coding(codes.SHARING_OUTCOME, outcome, outcome_label),
            },
            *grounds,
            {
                "url": codes.EXT_CONSENT_OUTCOME,
                "valueCodeableConcept": {
                    "coding": [
                        _coding(
                            codes.CONSENT_OUTCOME,
                            decision.consent_outcome,
                            CONSENT_OUTCOMES.get(decision.consent_outcome),
                        )
                    ]
                },
            },
            {
                "url": codes.EXT_CAPACITY,
                "valueCoding": _coding(
                    codes.CAPACITY, decision.capacity, CAPACITIES.get(decision.capacity)
                ),
            },
        ],
        status=decision_status(decision),
        scope=_scope(),
        category=[
            {"coding": [_coding(codes.CONSENT_KIND, "sharing-decision", "Sharing decision")]}
        ],
        patient=export.patient,
        dateTime=_instant(decision.decided_at),
        performer=[decided_by],
        organization=[export.custodian],
        policy=policies or None,
        policyRule=rule or _no_basis(decision),
        sourceReference=(
            {"reference": f"Consent/consent-{decision.consent_id}"} if decision.consent_id else None
        ),
        provision=provision,
    )


# Flag -------------------------------------------------------------------------------


def flag_id(alert, export: Export) -> str:
    """An alert as it shows on one person's record: an alert can be about several
    people (one alleged source, one service), each with their own Flag."""
    return f"{alert.pk}-{export.person.pk}"


def flag(alert, export: Export) -> Flag:
    """An alert (active while it waits for a decision), in the rule's plain explanation (which names
    teams, services and dates, never a person)."""
    category = [{"coding": [_coding(codes.FLAG_CATEGORY, "safety", "Safety")]}]
    if alert.category:
        label = export.category_labels.get(alert.category, alert.category)
        category.append({"coding": [_coding(codes.HARM_CATEGORY, alert.category, label)]})
    status = {"acknowledged": "Acknowledged", "decided": "Decided"}.get(alert.status, "Open")
    return Flag(
        id=flag_id(alert, export),
        identifier=[{"system": "urn:sharewise:alert", "value": str(alert.pk)}],
        # Decided alerts are only read by id: searches list those waiting.
        status="inactive" if alert.status == "decided" else "active",
        category=category,
        code={
            "coding": [_coding(codes.ALERT_RULE, alert.rule, alert.title)],
            "text": f"{alert.title}: {alert.explanation}",
        },
        subject=export.patient,
        period={"start": _instant(alert.waiting_since)},
        author={"type": "Organization", "display": f"{export.organisation_name} (Sharewise)"},
        text=_narrative(f"{status}: {alert.title}.", alert.explanation),
    )


# DocumentReference ------------------------------------------------------------------


def document_reference(disclosure, export: Export, pdf_url: str) -> DocumentReference:
    """A disclosure: what left the organisation, frozen. The PDF is linked, never
    embedded; its stored SHA-256 is an identifier, and Attachment.hash (SHA-1, as FHIR
    R4 defines it) is worked out from the same bytes. A disclosure without a PDF
    (told by phone, say) is described from its content instead."""
    pdf = bytes(disclosure.pdf or b"")
    recipient = ", ".join(
        p for p in (disclosure.recipient_organisation, disclosure.recipient_role) if p
    )
    content = disclosure.content if isinstance(disclosure.content, dict) else {}
    title = disclosure.template_title or content.get("title") or "Disclosure"
    channel = CHANNELS.get(disclosure.channel, disclosure.channel)
    description = content.get("description") or (
        f"{title} to {recipient or 'a partner'}{f', by {channel}' if channel else ''}"
    )
    if pdf:
        attachment = {
            "contentType": "application/pdf",
            "url": pdf_url,
            "size": len(pdf),
            "hash": base64.b64encode(hashlib.sha1(pdf).digest()).decode(),  # noqa: S324
            "title": f"{title} (disclosure {disclosure.pk})",
            "creation": _instant(disclosure.sent_at),
        }
    else:
        attachment = {"title": description, "creation": _instant(disclosure.sent_at)}
    identifiers = [{"system": codes.DISCLOSURE_ID, "value": str(disclosure.pk)}]
    if disclosure.sha256:
        identifiers.append({"system": codes.SHA256, "value": disclosure.sha256})
    is_referral = bool(disclosure.referral_id)
    kind = (
        [
            _coding(codes.LOINC, "57133-1", "Referral note"),
            _coding(codes.TEMPLATE, disclosure.template, title),
        ]
        if is_referral and disclosure.template
        else [_coding(codes.TEMPLATE, disclosure.template or "disclosure", title)]
    )
    return DocumentReference(
        id=str(disclosure.pk),
        identifier=identifiers,
        status="current",
        docStatus="final",
        type={"coding": kind, "text": title},
        subject=export.patient,
        date=_instant(disclosure.sent_at),
        author=[_staff(disclosure.sent_by)],
        authenticator=_staff(disclosure.dpo_approved_by) if disclosure.dpo_approved_by else None,
        custodian=export.custodian,
        description=description,
        securityLabel=[
            {"coding": [_coding(codes.CONFIDENTIALITY, "R", "restricted")]},
        ],
        content=[{"attachment": attachment}],
        context={"related": [{"reference": f"Consent/decision-{disclosure.decision_id}"}]},
    )


# AuditEvent -------------------------------------------------------------------------


def audit_event(entry, export: Export, names: dict, roles: dict) -> AuditEvent:
    """One entry of the trail about the person, reads included: who (staff id, name,
    roles held now), what they did to which record, when, from where, and its place in
    the hash chain once sealed."""
    action = entry.action or "recorded"
    refused = action.startswith("refused")
    agent = {"requestor": entry.actor_id is not None}
    if entry.actor_id is not None:
        name = names.get(entry.actor_id) or entry.actor or f"staff {entry.actor_id}"
        agent["who"] = {
            "type": "Practitioner",
            "identifier": {"system": codes.STAFF_ID, "value": str(entry.actor_id)},
            "display": name,
        }
        agent["name"] = name
        if entry.actor:
            agent["altId"] = entry.actor
        held = roles.get(entry.actor_id) or []
        if held:
            agent["role"] = [{"coding": [_coding(codes.ROLE, r, label)]} for r, label in held]
    else:
        agent["who"] = {"display": "Sharewise"}
        agent["name"] = "Sharewise"
    if entry.client_address:
        agent["network"] = {"address": entry.client_address, "type": "2"}
    if entry.reason:
        agent["purposeOfUse"] = [{"text": entry.reason}]
        detail = entry.detail if isinstance(entry.detail, dict) else {}
        if "break_glass" in detail:
            agent["purposeOfUse"] = [
                {
                    "coding": [_coding(codes.ACT_REASON, "BTG", "break the glass")],
                    "text": entry.reason,
                }
            ]
    entities = [
        {
            "what": export.patient,
            "type": _coding(codes.ENTITY_TYPE, "1", "Person"),
            "role": _coding(codes.OBJECT_ROLE, "1", "Patient"),
        }
    ]
    if entry.object_type and entry.object_type != "person":
        entities.append(
            {
                "what": {
                    "identifier": {
                        "system": f"{codes.OBJECT_TYPE}:{entry.object_type.replace(' ', '-')}",
                        "value": entry.object_id or "-",
                    },
                    "display": f"{entry.object_type} {entry.object_id}".strip(),
                },
                "type": _coding(codes.ENTITY_TYPE, "2", "System Object"),
            }
        )
    extensions = []
    seal = getattr(entry, "seal_found", None)
    if seal is not None:
        extensions = [
            {"url": codes.EXT_SEAL_HASH, "valueString": seal.hash},
            {"url": codes.EXT_SEAL_POSITION, "valueUnsignedInt": seal.position},
        ]
    return AuditEvent(
        id=str(entry.pk),
        extension=extensions or None,
        type=_coding(codes.DICOM, "110110", "Patient Record"),
        subtype=[_coding(codes.TRAIL_ACTION, " ".join(action.split()), action)],
        action=codes.audit_action(action),
        recorded=_instant(entry.at),
        outcome="4" if refused else "0",
        outcomeDesc=action if refused else None,
        agent=[agent],
        source={
            "site": export.organisation_name,
            "observer": {"type": "Device", "display": "Sharewise"},
            "type": [_coding(codes.SOURCE_TYPE, "4", "Application Server")],
        },
        entity=entities,
    )
