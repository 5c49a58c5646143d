"""Everything held about one person, for a subject access response: gathered from every
app's records (and the records merged into theirs), other people's names taken out by
the same redaction referrals use, every redaction kept with its reason, and laid out as
a documented JSON structure and a PDF.

The JSON structure (FORMAT, VERSION 1): request, organisation, produced_at, notes,
person, care_record, concerns (each with amendments and review), chronology, consent,
capacity, sharing_decisions, disclosures, alerts, record_reads, redactions. Times are
ISO 8601 with their offset; every record carries its id in Sharewise."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.concerns.models import Concern, ConcernPerson, Injury, SourceKind
from sharewise.disclosures import content as referral_content
from sharewise.disclosures import redaction
from sharewise.disclosures.models import Disclosure
from sharewise.organisations.models import Membership, Role, staff_name
from sharewise.patterns.models import Alert
from sharewise.people.models import CareNote, Enrolment
from sharewise.policy import store
from sharewise.sharing.models import CapacityAssessment, ConsentRecord, SharingDecision

FORMAT = "sharewise-subject-access"
VERSION = 1

NOTES = [
    "This is everything Sharewise holds about you, including records merged into yours.",
    "The names of other people (other people we support, family members, witnesses and "
    "anyone else named) are removed and replaced by a label in square brackets. Each "
    "removal is listed under redactions with its reason.",
    "The names of our staff acting in their professional role are included, as is usual "
    "in a response to a subject access request. A member of staff named as the alleged "
    "source of harm is not named.",
    "The record reads list who has looked at or changed your record, when, and in what "
    "role, from our audit trail.",
]

REASONS = {
    "person": "The name of another person we support",
    "staff_source": "A member of staff named as the alleged source of harm",
    "third_party": "Information about a third party (the alleged source of harm)",
    "manual": "Removed by hand when the response was prepared",
}
LABELS = {
    "person": "[another person]",
    "staff_source": "[a member of staff]",
    "third_party": "[withheld: third party]",
}
# Left as they are: what the response says about itself.
UNREDACTED = frozenset(
    {"format", "version", "notes", "redactions", "request", "produced_at", "organisation"}
)


@dataclass
class Export:
    content: dict
    redactions: list = field(default_factory=list)  # as kept on the request (with party)


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if hasattr(moment, "hour"):
        return timezone.localtime(moment).isoformat()
    return moment.isoformat()


class _Gatherer:
    def __init__(self, sar):
        self.sar = sar
        self.person = sar.person
        self.ids = self.person.record_ids()
        self.org_id = sar.organisation_id
        self.redactions: list[dict] = []
        self.source_staff: set[int] = set()
        self._names: dict[int, str] = {}
        _, recording = store.in_force(self.org_id, "recording")
        self.categories = recording.category_labels()

    def structural(self, section, record, field_name, kind, party="") -> str:
        """A value withheld whole (not found in text): the label, with the reason kept."""
        self.redactions.append(
            {
                "section": section,
                "record": record,
                "field": field_name,
                "label": LABELS[kind],
                "reason": REASONS[kind],
                "party": party,
            }
        )
        return LABELS[kind]

    def staff(self, user_id) -> str:
        if user_id is None:
            return ""
        if user_id not in self._names:
            user = get_user_model().objects.filter(pk=user_id).first()
            self._names[user_id] = staff_name(user) if user else ""
        return self._names[user_id]

    # Sections ------------------------------------------------------------------------

    def person_section(self) -> dict:
        p = self.person
        where = sorted(
            {
                f"{e.team.name}, {e.team.service.name}"
                for e in Enrolment.objects.filter(person_id__in=self.ids).select_related(
                    "team__service"
                )
            }
        )
        return {
            "id": p.pk,
            "records": self.ids,
            "given_name": p.given_name,
            "family_name": p.family_name,
            "preferred_name": p.preferred_name,
            "date_of_birth": _iso(p.date_of_birth),
            "nhs_number": p.nhs_number,
            "communication_needs": p.communication_needs,
            "contact_safely": p.contact_safely,
            "where_supported": where,
        }

    def care_record(self) -> list:
        return [
            {
                "id": n.pk,
                "kind": n.get_kind_display(),
                "written_at": _iso(n.written_at),
                "written_by": n.written_by,
                "text": n.text,
            }
            for n in CareNote.objects.filter(person_id__in=self.ids).order_by("written_at", "pk")
        ]

    def concerns(self) -> list:
        about = set(
            ConcernPerson.objects.filter(person_id__in=self.ids).values_list(
                "concern_id", flat=True
            )
        )
        found = (
            Concern.objects.filter(Q(pk__in=about) | Q(source_person_id__in=self.ids))
            .select_related("service", "team", "recorded_by", "review__reviewed_by")
            .prefetch_related("amendments__amended_by")
            .order_by("occurred_at", "pk")
        )
        found = list(found)
        self.source_staff |= {c.source_staff_id for c in found if c.source_staff_id}
        for c in found:
            for a in c.amendments.all():
                to = a.changes.get("source_staff", {}).get("to")
                if to:
                    self.source_staff.add(int(to))
        return [self._concern(c, "about" if c.pk in about else "alleged_source") for c in found]

    def _source(self, c) -> str:
        if c.source_staff_id:
            return self.structural("concerns", c.pk, "alleged_source", "staff_source", "staff")
        if c.source_person_id:
            if c.source_person_id in self.ids:
                return "You"
            return self.structural(
                "concerns", c.pk, "alleged_source", "person", f"person:{c.source_person_id}"
            )
        if c.source_kind in ("", SourceKind.UNKNOWN):
            return c.get_source_kind_display() if c.source_kind else ""
        text = c.get_source_kind_display()
        if c.source_description:
            text += ": " + self.structural("concerns", c.pk, "alleged_source", "third_party")
        return text

    def _change(self, concern_id, amendment_id, name, value) -> str:
        if name == "source_staff" and value:
            return self.structural("amendments", amendment_id, name, "staff_source", "staff")
        if name == "source_person" and value:
            if int(value) in self.ids:
                return "You"
            return self.structural("amendments", amendment_id, name, "person", f"person:{value}")
        if isinstance(value, list):
            return ", ".join(self.categories.get(v, str(v)) for v in value)
        return "" if value is None else str(value)

    def _concern(self, c, role) -> dict:
        review = getattr(c, "review", None)
        return {
            "id": c.pk,
            "role": role,
            "occurred_at": _iso(c.occurred_at),
            "recorded_at": _iso(c.recorded_at),
            "recorded_by": staff_name(c.recorded_by),
            "service": c.service.name,
            "team": c.team.name,
            "shift": c.shift,
            "categories": [self.categories.get(code, code) for code in c.categories],
            "severity": c.get_severity_display(),
            "what_happened": c.facts,
            "persons_words": c.persons_words,
            "persons_wishes": c.persons_wishes,
            "immediate_action": c.immediate_action,
            "who_was_told": c.who_was_told,
            "sharing_view": c.get_sharing_view_display(),
            "sharing_view_reason": c.sharing_view_reason,
            "injury": c.get_injury_display() if c.injury != Injury.NONE else "",
            "injury_location": c.injury_location,
            "information_source": c.get_information_source_display(),
            "reported_by": c.reported_by,
            "alleged_source": self._source(c),
            "amendments": [
                {
                    "id": a.pk,
                    "at": _iso(a.amended_at),
                    "by": staff_name(a.amended_by),
                    "reason": a.reason,
                    "changes": {
                        name: {
                            "from": self._change(c.pk, a.pk, name, change.get("from")),
                            "to": self._change(c.pk, a.pk, name, change.get("to")),
                        }
                        for name, change in sorted(a.changes.items())
                    },
                }
                for a in c.amendments.all()
            ],
            "review": {
                "at": _iso(review.reviewed_at),
                "by": staff_name(review.reviewed_by),
                "outcome": review.get_outcome_display(),
                "rationale": review.rationale,
            }
            if review
            else None,
        }

    def consent(self) -> list:
        return [
            {
                "id": r.pk,
                "purpose": r.purpose,
                "asked_at": _iso(r.asked_at),
                "asked_by": self.staff(r.asked_by_id),
                "explained_how": r.explained_how,
                "outcome": r.get_outcome_display(),
                "not_sought_reason": r.get_not_sought_reason_display()
                if r.not_sought_reason
                else "",
                "persons_words": r.persons_words,
                "capacity": r.get_capacity_display(),
                "recorded_at": _iso(r.recorded_at),
            }
            for r in ConsentRecord.objects.filter(person_id__in=self.ids).order_by("asked_at", "pk")
        ]

    def capacity(self) -> list:
        return [
            {
                "id": a.pk,
                "decision": a.decision,
                "assessed_at": _iso(a.assessed_at),
                "assessor": self.staff(a.assessor_id),
                "help_given": a.help_given,
                "can_understand": a.can_understand,
                "can_retain": a.can_retain,
                "can_use_or_weigh": a.can_use_or_weigh,
                "can_communicate": a.can_communicate,
                "impairment": a.impairment,
                "impairment_detail": a.impairment_detail,
                "evidence": a.evidence,
                "lacks_capacity": a.lacks_capacity,
                "best_interests_reasons": a.best_interests_reasons,
                "persons_wishes": a.persons_wishes,
                "consulted": a.consulted,
            }
            for a in CapacityAssessment.objects.filter(person_id__in=self.ids).order_by(
                "assessed_at", "pk"
            )
        ]

    def decisions(self) -> list:
        found = (
            SharingDecision.objects.filter(person_id__in=self.ids)
            .prefetch_related("concerns")
            .order_by("decided_at", "pk")
        )
        return [
            {
                "id": d.pk,
                "decided_at": _iso(d.decided_at),
                "decided_by": self.staff(d.decided_by_id),
                "question": d.question,
                "purpose": d.purpose,
                "concerns": sorted(c.pk for c in d.concerns.all()),
                "consent": d.get_consent_outcome_display(),
                "capacity": d.capacity,
                "outcome": d.get_outcome_display(),
                "override_grounds": list(d.override_grounds),
                "lawful_basis": {
                    "article_6": d.article_6,
                    "article_9": d.article_9,
                    "schedule_1": d.schedule_1,
                },
                "necessity": d.necessity,
                "recipient": ", ".join(
                    x for x in (d.recipient_organisation, d.recipient_role, d.recipient_name) if x
                ),
                "what_shared": d.what_shared,
                "channel": d.get_channel_display() if d.channel else "",
                "person_told": d.person_told,
                "not_told_reason": d.not_told_reason,
                "status": d.get_status_display(),
                "countersigned_by": self.staff(d.countersigned_by_id),
            }
            for d in found
        ]

    def disclosures(self) -> list:
        found = Disclosure.objects.filter(person_id__in=self.ids).order_by("sent_at", "pk")
        return [
            {
                "id": x.pk,
                "kind": x.get_kind_display(),
                "sent_at": _iso(x.sent_at),
                "sent_by": self.staff(x.sent_by_id),
                "title": x.template_title,
                "to": ", ".join(
                    v for v in (x.recipient_organisation, x.recipient_role, x.recipient_name) if v
                ),
                "channel": x.get_channel_display(),
                "sha256": x.sha256,
                "content": x.content,
            }
            for x in found
        ]

    def alerts(self, concern_ids) -> list:
        found = (
            Alert.objects.filter(
                Q(person_id__in=self.ids) | Q(concerns__pk__in=concern_ids),
                organisation_id=self.org_id,
            )
            .distinct()
            .order_by("raised_at", "pk")
        )
        found = list(found)
        self.source_staff |= {a.source_staff_id for a in found if a.source_staff_id}
        return [
            {
                "id": a.pk,
                "raised_at": _iso(a.raised_at),
                "status": a.get_status_display(),
                "explanation": a.explanation,
            }
            for a in found
        ]

    def reads(self) -> list:
        entries = list(
            Entry.objects.filter(person_id__in=self.ids, organisation_id=self.org_id).order_by(
                "at", "id"
            )
        )
        actors = {e.actor_id for e in entries if e.actor_id}
        roles: dict[int, list[str]] = {}
        for user_id, role in Membership.objects.filter(
            user_id__in=actors, organisation_id=self.org_id
        ).values_list("user_id", "role"):
            if role in Role.values:
                roles.setdefault(user_id, []).append(Role(role).label)
        names = {u.pk: staff_name(u) for u in get_user_model().objects.filter(pk__in=actors)}
        return [
            {
                "id": e.pk,
                "at": _iso(e.at),
                "staff": names.get(e.actor_id, e.actor),
                "role": ", ".join(sorted(set(roles.get(e.actor_id, [])))),
                "what": e.action,
                "via": (e.detail or {}).get("via", "page") if isinstance(e.detail, dict) else "",
                "reason": e.reason,
            }
            for e in entries
        ]


def chronology(content: dict) -> list:
    events = []
    for c in content["concerns"]:
        events.append((c["occurred_at"], "concern", c["id"], ", ".join(c["categories"])))
        for a in c["amendments"]:
            events.append((a["at"], "amendment", a["id"], f"Concern {c['id']}: {a['reason']}"))
        if c["review"]:
            events.append((c["review"]["at"], "review", c["id"], c["review"]["outcome"]))
    for r in content["consent"]:
        events.append((r["asked_at"], "consent", r["id"], r["outcome"]))
    for a in content["capacity"]:
        events.append((a["assessed_at"], "capacity assessment", a["id"], a["decision"]))
    for d in content["sharing_decisions"]:
        events.append((d["decided_at"], "sharing decision", d["id"], d["outcome"]))
    for x in content["disclosures"]:
        events.append((x["sent_at"], "disclosure", x["id"], f"{x['kind']} to {x['to']}"))
    for a in content["alerts"]:
        events.append((a["raised_at"], "alert", a["id"], a["status"]))
    events.sort(key=lambda e: (e[0] or "", e[1], e[2]))
    return [{"at": at, "kind": kind, "record": pk, "summary": s} for at, kind, pk, s in events]


# Other people's names -----------------------------------------------------------------


def _parties(sar, source_staff) -> tuple[list[redaction.Party], set[str], set[str]]:
    """Everyone whose name comes out: every other person on the organisation's records
    and the staff named as alleged sources; and the subject, whose names stay. A family
    name alone counts as a name here (a response goes to the person, who may know who
    is meant), so each also appears as a single-name party, always linked."""
    parties = [
        p for p in referral_content._parties(sar.organisation_id) if p.key.startswith("person:")
    ]
    staff = get_user_model().objects.filter(pk__in=source_staff)
    parties += [
        redaction.Party(f"staff:{u.pk}", u.first_name, u.last_name, "", "a member of staff")
        for u in staff
        if u.first_name or u.last_name
    ]
    keep = {f"person:{pk}" for pk in sar.person.record_ids()}
    surnames = [
        redaction.Party(f"{p.key}:family", p.family, "", "", p.role)
        for p in parties
        if p.family and p.given
    ]
    return parties + surnames, keep | {f"{k}:family" for k in keep}, {s.key for s in surnames}


def _reason(key: str) -> str:
    if key.startswith("staff:"):
        return REASONS["staff_source"]
    return REASONS["person"]


def redact(gatherer, content: dict, source_staff) -> None:
    """Take other people's names out of every text of the response, in place."""
    parties, keep, linked = _parties(gatherer.sar, source_staff)
    staff_keys = {f"staff:{pk}" for pk in source_staff}
    labels = {
        p.key: (
            "[a member of staff]" if p.key.split(":family")[0] in staff_keys else "[another person]"
        )
        for p in parties
    }
    parties = [
        redaction.Party(p.key, p.given, p.family, p.preferred, labels[p.key].strip("[]"))
        for p in parties
    ]
    index = redaction.build_index(parties, linked=linked)

    def walk(value, section, record, path):
        if isinstance(value, str):
            spans = redaction.find(value, index, keep=keep)
            for span in spans:
                key = span.key.removesuffix(":family")
                gatherer.redactions.append(
                    {
                        "section": section,
                        "record": record,
                        "field": path,
                        "label": span.label,
                        "reason": _reason(key),
                        "party": key,
                    }
                )
            return redaction.apply(value, spans) if spans else value
        if isinstance(value, list):
            return [walk(v, section, record, path) for v in value]
        if isinstance(value, dict):
            record = value.get("id", record) if isinstance(value.get("id"), int) else record
            return {
                k: walk(v, section, record, f"{path}.{k}" if path else k) for k, v in value.items()
            }
        return value

    for section in list(content):
        if section not in UNREDACTED:
            content[section] = walk(content[section], section, None, "")


def gather(sar) -> Export:
    """The response to a subject access request, as it would be sent now."""
    g = _Gatherer(sar)
    concerns = g.concerns()
    content = {
        "format": FORMAT,
        "version": VERSION,
        "request": {
            "id": sar.pk,
            "received_on": _iso(sar.received_on),
            "deadline": _iso(sar.deadline),
        },
        "organisation": sar.organisation.name,
        "produced_at": _iso(timezone.now()),
        "notes": NOTES,
        "person": g.person_section(),
        "care_record": g.care_record(),
        "concerns": concerns,
        "consent": g.consent(),
        "capacity": g.capacity(),
        "sharing_decisions": g.decisions(),
        "disclosures": g.disclosures(),
        "alerts": g.alerts([c["id"] for c in concerns]),
        "record_reads": g.reads(),
    }
    content["chronology"] = chronology(content)
    redact(g, content, g.source_staff)
    content["redactions"] = [{k: v for k, v in r.items() if k != "party"} for r in g.redactions]
    return Export(content, g.redactions)


def canonical(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, indent=1).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_html(content: dict) -> str:
    return render_to_string("rights/export_document.html", {"c": content})


def render_pdf(content: dict) -> bytes:
    return referral_content.render_pdf(render_html(content))
