"""What a referral would send: the value of each field from the records it rests on,
third parties redacted from free text, laid out in the template's sections."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.concerns.models import Concern, ConcernPerson, Injury, SourceKind
from sharewise.disclosures import minimum, redaction
from sharewise.disclosures.models import StaffContact
from sharewise.organisations.models import Membership, Role, staff_name
from sharewise.patterns.models import Alert
from sharewise.people.models import CareNote, Enrolment, Person
from sharewise.policy import store
from sharewise.sharing import framework
from sharewise.sharing.models import NOT_SHARING

ROLES = {"person": "another person we support", "staff": "a member of staff"}


@dataclass
class Built:
    """A referral worked out: the field selection, each included field's value (free
    text redacted), and the spans found and chosen in each free-text field."""

    selection: minimum.Selection
    values: dict[str, str]  # field -> the text as sent
    originals: dict[str, str]  # free-text field -> the text before redaction
    spans: dict[str, list[redaction.Span]] = field(default_factory=dict)
    found: dict[str, list[redaction.Span]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    template: object = None
    policy: object = None

    def content(self, referral) -> dict:
        """The structured content, as the recipient gets it (and as it is frozen)."""
        t = self.template
        sections = []
        for section in t.sections:
            shown = [
                {"field": code, "label": self.policy.fields[code].label, "value": self.values[code]}
                for code in section.fields
                if code in self.selection.included and code in self.values
            ]
            if shown:
                sections.append({"title": section.title, "fields": shown})
        return {
            "title": t.title,
            "template": t.code,
            "about": referral.person.name,
            "from": referral.organisation.name,
            "to": {
                "organisation": referral.recipient_organisation,
                "role": referral.recipient_role,
                "name": referral.recipient_name,
                "contact": referral.recipient_contact,
            },
            "channel": referral.get_channel_display() if referral.channel else "",
            "referrer": referrer_for(referral),
            "date": f"{timezone.localdate():%-d %B %Y}",
            "decision": referral.decision_id,
            "sections": sections,
        }


def referrer_for(referral) -> dict[str, str]:
    """Who the recipient calls back: the member of staff who built the referral."""
    user = referral.created_by
    contact = StaffContact.objects.filter(user=user).first()
    roles = [
        Role(r).label
        for r in Membership.objects.filter(
            user=user, organisation_id=referral.organisation_id
        ).values_list("role", flat=True)
        if r in Role.values
    ]
    return {
        "name": staff_name(user),
        "role": (contact.job_title if contact and contact.job_title else "")
        or ", ".join(dict.fromkeys(roles)),
        "phone": contact.phone if contact else "",
        "email": user.email,
        "organisation": referral.organisation.name,
    }


def referrer_problems(referral) -> dict[str, str]:
    """What the recipient would need to call the referrer back and does not have."""
    referrer = referrer_for(referral)
    problems = {}
    if not referrer["phone"]:
        problems["referrer_phone"] = (
            f"Add a work phone number for {referrer['name']} in contact details for "
            "referrals: the recipient needs it to call back"
        )
    if not referrer["email"]:
        problems["referrer_email"] = (
            f"{referrer['name']} has no work email address in Sharewise: ask an "
            "administrator to add it, as the recipient needs it to reply"
        )
    return problems


def digest(content: dict) -> str:
    return hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y at %H:%M}"


def values_for(referral, policy, category_labels) -> dict[str, str]:
    """Every field Sharewise holds a value for, whether or not the referral sends it."""
    person, decision = referral.person, referral.decision
    ids = person.record_ids()
    concerns = list(
        decision.concerns.select_related(
            "team", "service", "source_staff", "source_person"
        ).order_by("occurred_at")
    )
    values = {
        **_person_values(person, ids),
        **_concern_values(concerns, category_labels),
        "other_concerns": _other_concerns(referral, ids, concerns),
        **_decision_values(decision),
        "risk_summary": "\n".join(
            a.explanation
            for a in Alert.objects.needing_decision()
            .filter(person_id__in=ids)
            .order_by("raised_at")
        ),
        **_care_record_values(ids),
        **_sender_values(referral, policy),
    }
    return {k: v for k, v in values.items() if v}


def _person_values(person, ids) -> dict[str, str]:
    services = sorted(
        {
            f"{e.team.name}, {e.team.service.name}"
            for e in Enrolment.objects.current_or_recent()
            .filter(person_id__in=ids)
            .select_related("team__service")
        }
    )
    return {
        "person_name": person.name,
        "person_dob": f"{person.date_of_birth:%-d %B %Y}",
        "person_nhs_number": person.nhs_number,
        "person_contact": person.contact_safely,
        "person_communication": person.communication_needs,
        "where_supported": "; ".join(services),
    }


def _concern_values(concerns, category_labels) -> dict[str, str]:
    def each(text_of) -> str:
        parts = []
        for c in concerns:
            text = text_of(c)
            if text:
                parts.append(f"{timezone.localtime(c.occurred_at):%-d %B %Y}: {text}")
        return "\n".join(parts)

    return {
        "categories": ", ".join(
            dict.fromkeys(
                category_labels.get(code, code) for c in concerns for code in c.categories
            )
        ),
        "when_where": "\n".join(
            f"{_local(c.occurred_at)}, {c.team.name} at {c.service.name}" for c in concerns
        ),
        "what_happened": each(lambda c: c.facts),
        "persons_words": each(lambda c: c.persons_words),
        "persons_wishes": each(lambda c: c.persons_wishes),
        "actions_taken": each(lambda c: c.immediate_action),
        "injuries": each(
            lambda c: (
                f"{c.get_injury_display()}: {c.injury_location}".rstrip(": ")
                if c.injury != Injury.NONE
                else ""
            )
        ),
        "alleged_source": each(_source),
    }


def _other_concerns(referral, ids, concerns) -> str:
    others = (
        Concern.objects.filter(
            pk__in=ConcernPerson.objects.filter(person_id__in=ids).values("concern_id")
        )
        .exclude(pk__in=[c.pk for c in concerns])
        # Never show the sender a concern naming them as the alleged source.
        .exclude(source_staff_id=referral.created_by_id)
        .order_by("occurred_at")
    )
    return "\n".join(f"{timezone.localtime(c.occurred_at):%-d %B %Y}: {c.facts}" for c in others)


def _decision_values(decision) -> dict[str, str]:
    return {
        "consent": _consent(decision),
        "capacity": {
            "presumed": "Presumed to have capacity for this decision",
            "has_capacity": "Assessed as having capacity for this decision",
            "lacks_capacity": "Assessed as lacking capacity for this decision",
            "in_doubt": "In doubt, not yet assessed",
        }.get(decision.capacity, decision.capacity),
        "lawful_basis": _basis(decision),
    }


def _care_record_values(ids) -> dict[str, str]:
    notes = list(CareNote.objects.filter(person_id__in=ids))
    return {
        "medication": "\n".join(n.text for n in notes if n.kind == "medication"),
        "diagnoses": "\n".join(n.text for n in notes if n.kind == "diagnosis"),
        "care_notes": "\n".join(
            f"{timezone.localtime(n.written_at):%-d %B %Y}: {n.text}"
            for n in notes
            if n.kind == "note"
        ),
    }


def _sender_values(referral, policy) -> dict[str, str]:
    values = {}
    for code, spec in policy.fields.items():
        if spec.source == "sender":
            value = referral.inputs.get(code, "")
            values[code] = "\n".join(value) if isinstance(value, list) else str(value or "")
    return values


def _source(concern) -> str:
    if concern.source_staff_id:
        return f"A member of staff: {staff_name(concern.source_staff)}"
    if concern.source_person_id:
        return f"Another person we support: {concern.source_person.name}"
    if concern.source_kind in ("", SourceKind.UNKNOWN):
        return ""
    text = concern.get_source_kind_display()
    return f"{text}: {concern.source_description}" if concern.source_description else text


def _consent(decision) -> str:
    text = {
        "given": "They agreed to this sharing",
        "refused": "They refused",
        "withdrawn": "They withdrew their agreement",
        "not_sought": "They were not asked",
    }.get(decision.consent_outcome, decision.consent_outcome)
    if decision.consent_id and decision.consent.persons_words:
        text += f". In their words: \u201c{decision.consent.persons_words}\u201d"
    return text


def _basis(decision) -> str:
    _, policy = store.in_force(decision.organisation_id, "sharing")
    parts = []
    labels = policy.ground_labels()
    if decision.override_grounds:
        parts.append(
            "Shared without consent because: "
            + "; ".join(labels.get(g, g).lower() for g in decision.override_grounds)
        )
    for name in ("article_6", "article_9", "schedule_1"):
        code = getattr(decision, name)
        if code:
            parts.append(getattr(policy, name).get(code, code))
    return ". ".join(parts)


# Third parties -------------------------------------------------------------------------


def _parties(organisation_id: int) -> list[redaction.Party]:
    """Everyone the organisation knows by name, as they are named now."""
    parties = [
        redaction.Party(f"person:{pk}", given, family, preferred, ROLES["person"])
        for pk, given, family, preferred in Person.objects.filter(organisation_id=organisation_id)
        .order_by("pk")
        .values_list("pk", "given_name", "family_name", "preferred_name")
    ]
    staff = get_user_model().objects.filter(
        pk__in=Membership.objects.filter(organisation_id=organisation_id).values("user_id")
    )
    parties += [
        redaction.Party(f"staff:{pk}", first, last, "", ROLES["staff"])
        for pk, first, last in staff.order_by("pk").values_list("pk", "first_name", "last_name")
        if first or last
    ]
    return parties


# organisation -> (fingerprint of every name, index of them): building the index for
# 100,000 names takes over a second; reading and hashing the names, a tenth of that.
_KNOWN: dict[int, tuple[str, redaction.Index]] = {}


def indexes_for(referral, keep) -> list[redaction.Index]:
    """Two indexes: every known name (kept while no name has changed), and the people
    linked to this case with the kept ones, whose first names alone count."""
    parties = _parties(referral.organisation_id)
    fingerprint = hashlib.sha256(repr(parties).encode()).hexdigest()
    known = _KNOWN.get(referral.organisation_id)
    if known is None or known[0] != fingerprint:
        if len(_KNOWN) > 16:
            _KNOWN.clear()
        known = _KNOWN[referral.organisation_id] = (
            fingerprint,
            redaction.build_index(parties),
        )
    linked = linked_keys(referral)
    close = [p for p in parties if p.key in linked or p.key in keep]
    return [known[1], redaction.build_index(close, linked=linked)]


def find(text, indexes, keep) -> list[redaction.Span]:
    """Names found by any index; where two overlap, the longer (then the earlier) wins."""
    found = [span for index in indexes for span in redaction.find(text, index, keep=keep)]
    found.sort(key=lambda s: (s.start - s.end, s.start))
    chosen: list[redaction.Span] = []
    for span in found:
        if all(span.end <= c.start or span.start >= c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def linked_keys(referral) -> set[str]:
    """People and staff structurally linked to the concerns: their first names alone
    count as names in free text."""
    concerns = referral.decision.concerns.all()
    keys = {
        f"person:{pk}"
        for pk in ConcernPerson.objects.filter(concern__in=concerns).values_list(
            "person_id", flat=True
        )
    }
    for staff_id, person_id, recorder in concerns.values_list(
        "source_staff_id", "source_person_id", "recorded_by_id"
    ):
        if staff_id:
            keys.add(f"staff:{staff_id}")
        if person_id:
            keys.add(f"person:{person_id}")
        keys.add(f"staff:{recorder}")
    return keys


def kept_keys(referral, included) -> set[str]:
    """Names that stay: the person referred, the sender, and the alleged source when
    the recipient is sent who it is."""
    keep = {f"person:{referral.person_id}", f"staff:{referral.created_by_id}"}
    if "alleged_source" in included:
        for staff_id, person_id in referral.decision.concerns.values_list(
            "source_staff_id", "source_person_id"
        ):
            if staff_id:
                keep.add(f"staff:{staff_id}")
            if person_id:
                keep.add(f"person:{person_id}")
    return keep


def effective_spans(found, choices, field_code, text) -> list[redaction.Span]:
    """The spans found, less those the sender restored, plus those they added."""
    restored = {
        (c["start"], c["end"])
        for c in choices
        if c["field"] == field_code and c["action"] == "restore"
    }
    spans = [s for s in found if (s.start, s.end) not in restored]
    for c in choices:
        if c["field"] == field_code and c["action"] == "redact":
            if 0 <= c["start"] < c["end"] <= len(text):
                spans.append(redaction.Span(c["start"], c["end"], "manual", "[removed]"))
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[redaction.Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            continue  # already covered
        merged.append(span)
    return merged


def build(referral) -> Built:
    version_policy = store.validated(referral.policy_version)
    template = version_policy.template(referral.template)
    _, recording = store.in_force(referral.organisation_id, "recording")
    values = values_for(referral, version_policy, recording.category_labels())
    choices = {
        code: minimum.Choice(bool(c.get("include")), c.get("why", ""))
        for code, c in referral.choices.items()
    }
    selection = minimum.select(
        version_policy,
        template,
        referral.purpose,
        referral.categories,
        set(values),
        choices,
        recording.category_labels(),
    )
    built = Built(selection, {}, {}, template=template, policy=version_policy)
    keep = kept_keys(referral, selection.included)
    indexes = None
    for code in selection.included:
        text = values.get(code, "")
        if version_policy.fields[code].free_text or version_policy.fields[code].whole_record:
            indexes = indexes or indexes_for(referral, keep)
            found = find(text, indexes, keep)
            spans = effective_spans(found, referral.redactions, code, text)
            built.found[code], built.spans[code] = found, spans
            built.originals[code] = text
            text = redaction.apply(text, spans)
        built.values[code] = text
    for code in selection.included:
        spec = version_policy.fields[code]
        if spec.source == "sender" and not values.get(code):
            built.problems[code] = f"{spec.label}: fill this in"
    built.problems |= dict(selection.problems)
    return built


def render_html(content: dict) -> str:
    return render_to_string("disclosures/document.html", {"c": content})


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: Pango is only needed to draw PDFs

    return HTML(string=html).write_pdf()


def sharing_decision_problem(decision) -> str:
    """Why a referral cannot rest on this decision, or ""."""
    if decision.outcome in NOT_SHARING:
        return "The decision is not to share: a referral needs a decision to share"
    if decision.outcome == framework.SHARE_DEIDENTIFIED:
        return "The decision is to share without identifying the person: a referral names them"
    if decision.status != decision.Status.SIGNED:
        return "The decision to share is not signed yet (it waits for a countersignature)"
    return ""
