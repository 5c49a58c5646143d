"""What one member of staff may export about one person, fetched through each app's
own rules (the person through people.access, which answers 404 outside scope and
writes the read to the trail) and in bounded queries: a count per kind of record, and
one query per page of each, never one per entry.

A record merged into the person's is part of their history here, as on their
chronology; a resource read by its own id resolves to the kept record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from sharewise.api.fhir import mapping
from sharewise.audittrail.models import Entry
from sharewise.audittrail.searching import staff_names
from sharewise.disclosures.models import Disclosure
from sharewise.organisations.models import Membership, Role
from sharewise.patterns.models import Alert, AlertConcern
from sharewise.people.access import get_person_for
from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.sharing.models import ConsentRecord, SharingDecision


@dataclass
class Section:
    """One kind of resource in a Bundle: how many there are and how to build a slice."""

    queryset: object
    build: Callable[[list], list]

    def count(self) -> int:
        return self.queryset.count()

    def slice(self, offset: int, limit: int) -> list:
        return self.build(list(self.queryset[offset : offset + limit]))


def page(sections: list[Section], offset: int, count: int) -> tuple[list, int]:
    """(the resources from offset, at most count of them, in section order; the total),
    fetching only the slices of the sections the page reaches."""
    sizes = [s.count() for s in sections]
    found: list = []
    skip, wanted = offset, count
    for section, size in zip(sections, sizes, strict=True):
        if wanted <= 0:
            break
        if skip >= size:
            skip -= size
            continue
        take = min(wanted, size - skip)
        found += section.slice(skip, take)
        wanted -= take
        skip = 0
    return found, sum(sizes)


# The person ---------------------------------------------------------------------------


def person_for(request, person_id, action: str) -> Person:
    """The person (their kept record) if this user may see them, the read on the trail;
    otherwise Http404, the same whether or not they exist. person_id: an id, or
    Patient/<id> as FHIR references say it."""
    number = _number(str(person_id).removeprefix("Patient/"))
    return get_person_for(request, number, action=action, via="api")


def kept_record_of(person_id) -> int | None:
    """The id the person's history is kept under (the record it was merged into)."""
    row = Person.objects.filter(pk=person_id).values_list("pk", "merged_into_id").first()
    if row is None:
        return None
    return row[1] or row[0]


def export_for(person: Person, base: str) -> mapping.Export:
    _, recording = store.in_force(person.organisation_id, "recording")
    return mapping.Export(
        person=person,
        base=base,
        organisation_name=person.organisation.name,
        category_labels=recording.category_labels(),
    )


# Each kind of record, for one person, as the user may see it --------------------------


def consent_records(user, ids):
    return ConsentRecord.objects.filter(person_id__in=ids).order_by("-asked_at", "-id")


def sees_every_decision(user) -> bool:
    return user.has_perm("sharing.see_decisions")


def sharing_decisions(user, ids):
    """All of them for those who see decisions; otherwise the user's own (as
    sharing.access.decisions_visible_to)."""
    found = SharingDecision.objects.filter(person_id__in=ids)
    if not sees_every_decision(user):
        found = found.filter(decided_by=user)
    return found.select_related("decided_by", "policy_version").order_by("-decided_at", "-id")


def sees_alerts(user) -> bool:
    return user.has_perm("patterns.see_oversight")


def alerts_about(user, ids, *, waiting: bool = True):
    """Alerts this user may see about the person or with a concern about them (as the
    person's risk panel finds them); Alert.objects.visible_to leaves out any alert
    naming the user as the alleged source."""
    linked = AlertConcern.objects.filter(concern__links__person_id__in=ids).values("alert_id")
    found = Alert.objects.visible_to(user).filter(Q(person_id__in=ids) | Q(pk__in=linked))
    if waiting:
        found = found.needing_decision()
    return found.order_by("waiting_since", "id")


def sees_disclosures(user) -> bool:
    return user.has_perm("disclosures.see_disclosures")


def disclosures_about(user, ids):
    if not sees_disclosures(user):
        return Disclosure.objects.none()
    return (
        Disclosure.objects.filter(person_id__in=ids)
        .select_related("sent_by", "dpo_approved_by")
        .order_by("-sent_at", "-id")
    )


def reads_trail(user) -> bool:
    return user.has_perm("audittrail.search_trail")


def trail_about(user, ids):
    """The trail's entries about the person, reads included, newest first: for those
    who may read the trail."""
    if not reads_trail(user):
        return Entry.objects.none()
    return Entry.objects.filter(person_id__in=ids).select_related("seal").order_by("-at", "-id")


# Building resources from a slice ------------------------------------------------------


def pdf_url(request, disclosure_id) -> str:
    return request.build_absolute_uri(
        reverse("api:disclosure_pdf_file", kwargs={"disclosure_id": disclosure_id})
    )


def audit_events(entries, export: mapping.Export) -> list:
    """Entries as AuditEvents, with their authors' names and the roles they hold in the
    person's organisation, each fetched once for the whole slice."""
    actors = {e.actor_id for e in entries if e.actor_id is not None}
    names = staff_names(actors) if actors else {}
    roles: dict[int, list] = {}
    if actors:
        for user_id, role in Membership.objects.filter(
            user_id__in=actors, organisation_id=export.person.organisation_id
        ).values_list("user_id", "role"):
            label = Role(role).label if role in Role.values else role
            if (role, label) not in roles.setdefault(user_id, []):
                roles[user_id].append((role, label))
    for entry in entries:
        try:
            entry.seal_found = entry.seal
        except Entry.seal.RelatedObjectDoesNotExist:
            entry.seal_found = None
    return [mapping.audit_event(e, export, names, roles) for e in entries]


def patient_section(person, export) -> Section:
    """The Patient, first in $everything."""
    return Section(Person.objects.filter(pk=person.pk), lambda rows: [mapping.patient(export)])


def sections_for(request, person, export, kinds) -> list[Section]:
    """The sections of a Bundle about the person, in this order, for the kinds asked."""
    user = request.user
    ids = person.record_ids()  # the person's records: theirs and any merged into it
    sections = []
    if "Consent" in kinds:
        sections.append(
            Section(
                consent_records(user, ids),
                lambda rows: [mapping.consent_from_record(r, export) for r in rows],
            )
        )
        sections.append(
            Section(
                sharing_decisions(user, ids),
                lambda rows: [mapping.consent_from_decision(d, export) for d in rows],
            )
        )
    if "Flag" in kinds:
        sections.append(
            Section(alerts_about(user, ids), lambda rows: [mapping.flag(a, export) for a in rows])
        )
    if "DocumentReference" in kinds:
        sections.append(
            Section(
                disclosures_about(user, ids),
                lambda rows: [
                    mapping.document_reference(d, export, pdf_url(request, d.pk)) for d in rows
                ],
            )
        )
    if "AuditEvent" in kinds:
        sections.append(Section(trail_about(user, ids), lambda rows: audit_events(rows, export)))
    return sections


def unseen(user, kinds) -> list[str]:
    """Why kinds of record are left out for this user's role: told once in a Bundle."""
    notes = []
    if "Consent" in kinds and not sees_every_decision(user):
        notes.append("Sharing decisions: only those you made (your role does not see others).")
    if "Flag" in kinds and not sees_alerts(user):
        notes.append("Flags: alerts are seen by safeguarding leads and team managers only.")
    if "DocumentReference" in kinds and not sees_disclosures(user):
        notes.append(
            "Document references: disclosures are seen by team managers, safeguarding "
            "leads and the data protection officer only."
        )
    if "AuditEvent" in kinds and not reads_trail(user):
        notes.append(
            "Audit events: the trail is read by safeguarding leads and data protection "
            "officers only."
        )
    return notes


# One resource by its id ---------------------------------------------------------------


def _number(text: str, prefix: str = "") -> int:
    """The record id in a resource id, or Http404 for anything that is not one."""
    rest = text.removeprefix(prefix) if prefix else text
    if (prefix and not text.startswith(prefix)) or not rest.isdigit() or len(rest) > 18:
        raise Http404("No such resource")
    return int(rest)


def _person_of(request, record_person_id, action) -> Person:
    kept = kept_record_of(record_person_id)
    if kept is None:
        raise Http404("No such record")
    return person_for(request, kept, action)


def consent_by_id(request, resource_id: str):
    """(person, record, is_decision) for a Consent id: consent-N or decision-N."""
    if resource_id.startswith("decision-"):
        pk = _number(resource_id, "decision-")
        decision = SharingDecision.objects.filter(pk=pk)
        if not sees_every_decision(request.user):
            decision = decision.filter(decided_by=request.user)
        decision = decision.select_related("decided_by", "policy_version").first()
        if decision is None:
            raise Http404("No such decision")
        person = _person_of(request, decision.person_id, "viewed sharing decision (FHIR)")
        return person, decision, True
    record = ConsentRecord.objects.filter(pk=_number(resource_id, "consent-")).first()
    if record is None:
        raise Http404("No such consent record")
    person = _person_of(request, record.person_id, "viewed consent record (FHIR)")
    return person, record, False


def flag_by_id(request, resource_id: str):
    """(person, alert) for a Flag id, alert-person: an alert this user may see that is
    about that person, whether or not it still waits."""
    alert_part, _, person_part = resource_id.partition("-")
    alert_pk, person_pk = _number(alert_part), _number(person_part)
    if not sees_alerts(request.user):
        raise Http404("No such alert")
    if not Alert.objects.visible_to(request.user).filter(pk=alert_pk).exists():
        raise Http404("No such alert")
    person = person_for(request, person_pk, "viewed alert (FHIR)")
    alert = (
        alerts_about(request.user, person.record_ids(), waiting=False).filter(pk=alert_pk).first()
    )
    if alert is None:
        raise Http404("No such alert")
    return person, alert


def disclosure_by_id(request, resource_id: str):
    pk = _number(resource_id)
    if not sees_disclosures(request.user):
        raise Http404("No such disclosure")
    disclosure = Disclosure.objects.filter(pk=pk).select_related("sent_by", "dpo_approved_by")
    disclosure = disclosure.first()
    if disclosure is None:
        raise Http404("No such disclosure")
    return _person_of(request, disclosure.person_id, "viewed disclosure (FHIR)"), disclosure


def entry_by_id(request, resource_id: str):
    pk = _number(resource_id)
    if not reads_trail(request.user):
        raise Http404("No such entry")
    entry = Entry.objects.filter(pk=pk, person_id__isnull=False).select_related("seal").first()
    if entry is None:
        raise Http404("No such entry")
    return _person_of(request, entry.person_id, "viewed audit trail entry (FHIR)"), entry
