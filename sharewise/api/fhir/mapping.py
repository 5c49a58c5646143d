"""Sharewise's records as FHIR R4 resources (fhir.resources.R4B classes, which validate
on construction, so a record that cannot be said in FHIR fails here, not at the
receiving end): Patient, Flag, DocumentReference and AuditEvent here, Consent in
consents. Each function takes records already fetched and scoped by
sharewise.api.fhir.records and the Export they belong to; none of them queries."""

from __future__ import annotations

import base64
import hashlib

from fhir.resources.R4B.auditevent import AuditEvent
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.patient import Patient

from sharewise.api.fhir import codes
from sharewise.api.fhir.common import CHANNELS, Export, coding, instant, narrative, staff
from sharewise.api.fhir.consents import consent_from_decision, consent_from_record

__all__ = [
    "Export",
    "audit_event",
    "consent_from_decision",
    "consent_from_record",
    "document_reference",
    "flag",
    "patient",
]

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
        name=names,
        birthDate=p.date_of_birth,
    )


# Flag -------------------------------------------------------------------------------


def flag_id(alert, export: Export) -> str:
    """An alert as it shows on one person's record: an alert can be about several
    people (one alleged source, one service), each with their own Flag."""
    return f"{alert.pk}-{export.person.pk}"


def flag(alert, export: Export) -> Flag:
    """An alert (active while it waits for a decision), in the rule's plain explanation (which names
    teams, services and dates, never a person)."""
    category = [{"coding": [coding(codes.FLAG_CATEGORY, "safety", "Safety")]}]
    if alert.category:
        label = export.category_labels.get(alert.category, alert.category)
        category.append({"coding": [coding(codes.HARM_CATEGORY, alert.category, label)]})
    status = {"acknowledged": "Acknowledged", "decided": "Decided"}.get(alert.status, "Open")
    return Flag(
        id=flag_id(alert, export),
        identifier=[{"system": codes.ALERT_ID, "value": str(alert.pk)}],
        # Decided alerts are only read by id: searches list those waiting.
        status="inactive" if alert.status == "decided" else "active",
        category=category,
        code={
            "coding": [coding(codes.ALERT_RULE, alert.rule, alert.title)],
            "text": f"{alert.title}: {alert.explanation}",
        },
        subject=export.patient,
        period={"start": instant(alert.waiting_since)},
        author={"type": "Organization", "display": f"{export.organisation_name} (Sharewise)"},
        text=narrative(f"{status}: {alert.title}.", alert.explanation),
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
            "creation": instant(disclosure.sent_at),
        }
    else:
        attachment = {"title": description, "creation": instant(disclosure.sent_at)}
    identifiers = [{"system": codes.DISCLOSURE_ID, "value": str(disclosure.pk)}]
    if disclosure.sha256:
        identifiers.append({"system": codes.SHA256, "value": disclosure.sha256})
    is_referral = bool(disclosure.referral_id)
    kind = (
        [
            coding(codes.LOINC, "57133-1", "Referral note"),
            coding(codes.TEMPLATE, disclosure.template, title),
        ]
        if is_referral and disclosure.template
        else [coding(codes.TEMPLATE, disclosure.template or "disclosure", title)]
    )
    return DocumentReference(
        id=str(disclosure.pk),
        identifier=identifiers,
        status="current",
        docStatus="final",
        type={"coding": kind, "text": title},
        subject=export.patient,
        date=instant(disclosure.sent_at),
        author=[staff(disclosure.sent_by)],
        authenticator=staff(disclosure.dpo_approved_by) if disclosure.dpo_approved_by else None,
        custodian=export.custodian,
        description=description,
        securityLabel=[
            {"coding": [coding(codes.CONFIDENTIALITY, "R", "restricted")]},
        ],
        content=[{"attachment": attachment}],
        # A subject access response rests on the person's right of access, not on a
        # decision to share.
        context=(
            {"related": [{"reference": f"Consent/decision-{disclosure.decision_id}"}]}
            if disclosure.decision_id
            else None
        ),
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
            agent["role"] = [{"coding": [coding(codes.ROLE, r, label)]} for r, label in held]
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
                    "coding": [coding(codes.ACT_REASON, "BTG", "break the glass")],
                    "text": entry.reason,
                }
            ]
    entities = [
        {
            "what": export.patient,
            "type": coding(codes.ENTITY_TYPE, "1", "Person"),
            "role": coding(codes.OBJECT_ROLE, "1", "Patient"),
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
                "type": coding(codes.ENTITY_TYPE, "2", "System Object"),
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
        type=coding(codes.DICOM, "110110", "Patient Record"),
        subtype=[coding(codes.TRAIL_ACTION, action, action)],
        action=codes.audit_action(action),
        recorded=instant(entry.at),
        outcome="4" if refused else "0",
        outcomeDesc=action if refused else None,
        agent=[agent],
        source={
            "site": export.organisation_name,
            "observer": {"type": "Device", "display": "Sharewise"},
            "type": [coding(codes.SOURCE_TYPE, "4", "Application Server")],
        },
        entity=entities,
    )
