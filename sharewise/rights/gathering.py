"""Reading everything held about one person from every app's records (and the records
merged into theirs), as plain data for the subject access response. Alleged sources who
are not staff, other people linked as sources and staff named as alleged sources are
withheld whole here, each with its reason; names in free text are taken out after, by
rights.exporting."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.concerns.models import Concern, ConcernPerson, Injury, SourceKind
from sharewise.disclosures.models import Disclosure
from sharewise.organisations.models import Membership, Role, staff_name
from sharewise.patterns.models import Alert
from sharewise.people.models import CareNote, Enrolment
from sharewise.policy import store
from sharewise.sharing.models import CapacityAssessment, ConsentRecord, SharingDecision

REASONS = {
    "person": "The name of another person we support",
    "staff_source": "A member of staff named as the alleged source of harm",
    "third_party": "Information about a third party (the alleged source of harm)",
}
LABELS = {
    "person": "[another person]",
    "staff_source": "[a member of staff]",
    "third_party": "[withheld: third party]",
}
SECTIONS = {
    "person": "About you",
    "care_record": "Care record",
    "concerns": "Concern",
    "amendments": "Amendment",
    "consent": "Consent",
    "capacity": "Capacity assessment",
    "sharing_decisions": "Sharing decision",
    "disclosures": "Disclosure",
    "alerts": "Alert",
    "record_reads": "Record read",
    "chronology": "Chronology",
}


def where(section: str, record, path: str) -> str:
    """Where a redaction is, in words: "Concern 4: what happened"."""
    place = SECTIONS.get(section, section)
    if record is not None:
        place += f" {record}"
    words = path.replace("_", " ").replace(".", ", ")
    return f"{place}: {words}" if words else place


def _iso(moment) -> str | None:
    if moment is None:
        return None
    if hasattr(moment, "hour"):
        return timezone.localtime(moment).isoformat()
    return moment.isoformat()


class Gatherer:
    def __init__(self, sar):
        self.sar = sar
        self.person = sar.person
        self.ids = self.person.record_ids()
        self.org_id = sar.organisation_id
        self.redactions: list[dict] = []
        self.source_staff: set[int] = set()
        # Others in the same concerns (named in them, or as the alleged source): their
        # first names alone count as names, as they do for a referral.
        self.linked: set[str] = set()
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
                "where": where(section, record, field_name),
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
        ids = [c.pk for c in found]
        self.linked |= {
            f"person:{pk}"
            for pk in ConcernPerson.objects.filter(concern_id__in=ids).values_list(
                "person_id", flat=True
            )
        }
        self.linked |= {f"person:{c.source_person_id}" for c in found if c.source_person_id}
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
