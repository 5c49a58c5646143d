"""Consent resources: a consent record (what the person said when asked) and a sharing
decision (share or not, to whom, on which lawful basis; sharing without consent shown
as such)."""

from __future__ import annotations

from fhir.resources.R4B.consent import Consent

from sharewise.api.fhir import codes
from sharewise.api.fhir.common import CHANNELS, Export, coding, day, instant, narrative, staff

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

# Consent: consent records ------------------------------------------------------------


def consent_id(record) -> str:
    return f"consent-{record.pk}"


def decision_id(decision) -> str:
    return f"decision-{decision.pk}"


COMMON_LAW = {
    "coding": [
        coding(
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
        "purpose": [coding(codes.SHARING_PURPOSE, "safeguarding", "Safeguarding")],
        "action": [_disclose()],
    }
    if outcome == "given":
        provision["type"] = "permit"
    elif outcome in ("refused", "withdrawn"):
        provision["type"] = "deny"
    return Consent(
        id=consent_id(record),
        identifier=[{"system": codes.CONSENT_RECORD_ID, "value": str(record.pk)}],
        text=narrative(
            f"Consent {outcome_text.lower()} on {day(record.asked_at)}.",
            f"Purpose: {record.purpose}",
            f"Capacity: {capacity}.",
        ),
        extension=[
            {
                "url": codes.EXT_CONSENT_OUTCOME,
                "valueCodeableConcept": {
                    "coding": [
                        coding(codes.CONSENT_OUTCOME, outcome, CONSENT_OUTCOMES.get(outcome))
                    ],
                    "text": outcome_text,
                },
            },
            {
                "url": codes.EXT_CAPACITY,
                "valueCoding": coding(codes.CAPACITY, record.capacity, capacity),
            },
        ],
        status="active",
        scope=_scope(),
        category=[
            {"coding": [coding(codes.LOINC, "59284-0", "Patient Consent")]},
            {"coding": [coding(codes.CONSENT_KIND, "consent-record", "Consent record")]},
        ],
        patient=export.patient,
        dateTime=instant(record.asked_at),
        performer=[export.patient],
        organization=[export.custodian],
        policyRule=COMMON_LAW,
        provision=provision,
    )


def _scope() -> dict:
    return {"coding": [coding(codes.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")]}


def _disclose() -> dict:
    return {
        "coding": [
            coding("http://terminology.hl7.org/CodeSystem/consentaction", "disclose", "Disclose")
        ]
    }


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
        codings.append(coding(codes.LAWFUL_BASIS, f"art6-1-{decision.article_6}", text))
        policies.append({"authority": codes.LEGISLATION, "uri": codes.UK_GDPR_ARTICLE.format(6)})
        words.append(text)
    if decision.article_9:
        text = labels["article_9"].get(decision.article_9) or (
            f"UK GDPR Article 9(2)({decision.article_9})"
        )
        codings.append(coding(codes.LAWFUL_BASIS, f"art9-2-{decision.article_9}", text))
        policies.append({"authority": codes.LEGISLATION, "uri": codes.UK_GDPR_ARTICLE.format(9)})
        words.append(text)
    if decision.schedule_1:
        paragraph = decision.schedule_1.removeprefix("para_")
        text = labels["schedule_1"].get(decision.schedule_1) or (
            f"DPA 2018 Schedule 1 paragraph {paragraph}"
        )
        codings.append(coding(codes.LAWFUL_BASIS, f"dpa2018-sch1-para{paragraph}", text))
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
    return {"coding": [coding(codes.LAWFUL_BASIS, "none-needed", "No basis needed")], "text": why}


def decision_status(decision) -> str:
    if decision.status == "signed":
        return "active" if decision.standing else "inactive"
    return DECISION_STATUS.get(decision.status, "inactive")


def _recipient(decision) -> str:
    parts = (decision.recipient_organisation, decision.recipient_role, decision.recipient_name)
    return ", ".join(p for p in parts if p)


def _decision_provision(decision) -> dict:
    """Permit or deny disclosure for safeguarding, to the recipient; a decision not to
    share holds until its review date."""
    sharing = decision.outcome not in NOT_SHARING
    provision = {
        "type": "permit" if sharing else "deny",
        "purpose": [coding(codes.SHARING_PURPOSE, "safeguarding", "Safeguarding")],
        "action": [_disclose()],
    }
    if recipient := _recipient(decision):
        provision["actor"] = [
            {
                "role": {"coding": [coding(codes.PARTICIPATION, "IRCP", "information recipient")]},
                "reference": {"type": "Organization", "display": recipient},
            }
        ]
    if decision.review_date and not sharing:
        provision["period"] = {"end": decision.review_date.isoformat()}
    return provision


def _decision_extensions(decision, labels) -> list[dict]:
    """The outcome (share without consent among them), each override ground, and the
    consent and capacity the decision rested on."""
    outcome = decision.outcome
    return [
        {
            "url": codes.EXT_SHARING_OUTCOME,
            "valueCoding": coding(
                codes.SHARING_OUTCOME, outcome, SHARING_OUTCOMES.get(outcome, outcome)
            ),
        },
        *(
            {
                "url": codes.EXT_OVERRIDE_GROUND,
                "valueCoding": coding(codes.OVERRIDE_GROUND, g, labels["grounds"].get(g)),
            }
            for g in decision.override_grounds or []
        ),
        {
            "url": codes.EXT_CONSENT_OUTCOME,
            "valueCodeableConcept": {
                "coding": [
                    coding(
                        codes.CONSENT_OUTCOME,
                        decision.consent_outcome,
                        CONSENT_OUTCOMES.get(decision.consent_outcome),
                    )
                ]
            },
        },
        {
            "url": codes.EXT_CAPACITY,
            "valueCoding": coding(
                codes.CAPACITY, decision.capacity, CAPACITIES.get(decision.capacity)
            ),
        },
    ]


def _decision_words(decision, labels, rule) -> list[str]:
    """The decision in words, for the narrative: sharing without consent said plainly."""
    outcome = decision.outcome
    consent = CONSENT_OUTCOMES.get(decision.consent_outcome, decision.consent_outcome)
    lines = [
        f"Sharing decision on {day(decision.decided_at)}: "
        f"{SHARING_OUTCOMES.get(outcome, outcome).lower()}.",
        f"Question: {decision.question}",
        f"Purpose: {decision.purpose}",
        f"Consent: {consent}.",
    ]
    if outcome == "share_without_consent":
        grounds = [labels["grounds"].get(g) or g for g in decision.override_grounds or []]
        lines.append(
            "Shared WITHOUT the person's consent, on these grounds: "
            + ("; ".join(grounds) or "none recorded")
            + "."
        )
    if rule:
        lines.append(f"Lawful basis: {rule['text']}.")
    if recipient := _recipient(decision):
        channel = CHANNELS.get(decision.channel, decision.channel)
        lines.append(f"Recipient: {recipient}{f', by {channel}' if channel else ''}.")
    return lines


def consent_from_decision(decision, export: Export) -> Consent:
    """A sharing decision: share (permit) or not (deny), to whom, for what, on which
    lawful basis. A decision to share without consent says so in its sharing-outcome
    extension, in one override-ground extension per ground, and in its narrative."""
    labels = _labels(decision)
    rule, policies = lawful_basis(decision, labels)
    return Consent(
        id=decision_id(decision),
        identifier=[{"system": codes.DECISION_ID, "value": str(decision.pk)}],
        text=narrative(*_decision_words(decision, labels, rule)),
        extension=_decision_extensions(decision, labels),
        status=decision_status(decision),
        scope=_scope(),
        category=[{"coding": [coding(codes.CONSENT_KIND, "sharing-decision", "Sharing decision")]}],
        patient=export.patient,
        dateTime=instant(decision.decided_at),
        performer=[staff(decision.decided_by)],
        organization=[export.custodian],
        policy=policies or None,
        policyRule=rule or _no_basis(decision),
        sourceReference=(
            {"reference": f"Consent/consent-{decision.consent_id}"} if decision.consent_id else None
        ),
        provision=_decision_provision(decision),
    )
