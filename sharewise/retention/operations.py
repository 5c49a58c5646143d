"""Retention's writes: placing and lifting legal holds, proposing a destruction, and the
data protection officer's approval, which carries it out. One function each, for the
pages and the API alike, with the permission check and validation once."""

from __future__ import annotations

import hashlib
import json
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.audittrail.declared import app_modules
from sharewise.people.destroying import words_naming
from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.retention import review
from sharewise.retention.models import Destruction, LegalHold

HOLDS = "Only the safeguarding lead and the data protection officer place or lift legal holds."
PROPOSES = "Only the safeguarding lead and the data protection officer propose destruction."
APPROVES = "Only the data protection officer approves destruction."
MODULE = "destroying"


def check_may_hold(user) -> None:
    if not user.has_perm("retention.hold"):
        raise PermissionDenied(HOLDS)


def check_may_approve(user) -> None:
    if not user.has_perm("retention.approve"):
        raise PermissionDenied(APPROVES)


def _held_message(hold: LegalHold) -> str:
    return (
        f"Record {hold.person_id} is under a legal hold placed on "
        f"{timezone.localtime(hold.placed_at):%-d %B %Y}: nothing about them can be "
        "destroyed until the hold is lifted"
    )


def place_hold(request, person: Person, reason: str, via: str = "page") -> LegalHold:
    """Hold a person's records (a person fetched through people.access, so in scope)."""
    check_may_hold(request.user)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why the records must be kept, such as the review"})
    if LegalHold.objects.filter(person=person, lifted_at__isnull=True).exists():
        raise ValidationError({"reason": "These records are already under a legal hold"})
    hold = LegalHold.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        reason=reason[:2000],
        placed_by=request.user,
    )
    trail.record_request(
        request,
        "placed legal hold",
        object_type="legalhold",
        object_id=hold.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        reason=hold.reason,
        detail={"via": via},
    )
    return hold


def lift_hold(request, hold: LegalHold, reason: str, via: str = "page") -> LegalHold:
    check_may_hold(request.user)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": "Say why the hold can be lifted"})
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
        if hold.lifted_at is not None:
            raise ValidationError({"reason": "This legal hold has been lifted already"})
        hold.lifted_by, hold.lifted_at, hold.lift_reason = request.user, timezone.now(), reason
        hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        trail.record_request(
            request,
            "lifted legal hold",
            object_type="legalhold",
            object_id=hold.pk,
            person_id=hold.person_id,
            organisation_id=hold.organisation_id,
            reason=reason,
            detail={"via": via},
        )
    return hold


def _check_due(organisation_id: int, people: list[Person]) -> list[review.Row]:
    """Each person's row; ValidationError naming any not due or held (by id)."""
    if not people:
        raise ValidationError({"people": "Choose at least one person from the review list"})
    rows = review.rows_for(organisation_id, people)
    problems = []
    destroyed = review.destroyed_ids(organisation_id)
    for row in rows:
        pid = row.person.pk
        if pid in destroyed:
            problems.append(f"Record {pid} has been destroyed already")
        elif row.hold is not None:
            problems.append(_held_message(row.hold))
        elif row.on is None:
            problems.append(f"Record {pid} is not due: the person is still in our care")
        elif row.on > review.today():
            problems.append(f"Record {pid} is not due until {row.on:%-d %B %Y}")
    if problems:
        raise ValidationError({"people": problems})
    return rows


def _people(organisation_id: int, person_ids) -> list[Person]:
    ids = sorted({int(i) for i in person_ids or ()})
    people = list(
        Person.objects.filter(organisation_id=organisation_id, pk__in=ids, merged_into__isnull=True)
    )
    if len(people) != len(ids):
        missing = sorted(set(ids) - {p.pk for p in people})
        raise ValidationError({"people": [f"There is no record {i} to destroy" for i in missing]})
    return people


def propose(request, person_ids, via: str = "page") -> Destruction:
    """Propose destroying these people's records: each must be due and not held."""
    if not request.user.has_perm("retention.propose"):
        raise PermissionDenied(PROPOSES)
    from sharewise.retention.access import organisation_of

    org = organisation_of(request.user)
    with transaction.atomic():
        people = _people(org, person_ids)
        rows = _check_due(org, people)
        pending = Destruction.people.through.objects.filter(
            person_id__in=[p.pk for p in people], destruction__status=Destruction.Status.PROPOSED
        ).values_list("person_id", flat=True)
        if pending:
            raise ValidationError(
                {"people": [f"Record {i} is already waiting for approval" for i in pending]}
            )
        version, _ = store.in_force(org, "retention")
        destruction = Destruction.objects.create(
            organisation_id=org,
            proposed_by=request.user,
            policy_version=version,
            dues={str(r.person.pk): r.as_json() for r in rows},
        )
        destruction.people.set(people)
        trail.record_request(
            request,
            "proposed destruction",
            object_type="destruction",
            object_id=destruction.pk,
            organisation_id=org,
            detail={"people": [p.pk for p in people], "via": via},
        )
    return destruction


def approve(request, destruction: Destruction, note: str, via: str = "page") -> Destruction:
    """The data protection officer's approval, which carries the destruction out: every
    app's destroying module, then the trail's text about the people, then the
    certificate. Refused while anyone in it is held or not due."""
    check_may_approve(request.user)
    note = (note or "").strip()
    if len(note) < 5:
        raise ValidationError({"note": "Say what you checked before approving"})
    with transaction.atomic():
        destruction = Destruction.objects.select_for_update().get(pk=destruction.pk)
        if destruction.status != Destruction.Status.PROPOSED:
            raise ValidationError({"note": "This destruction is not waiting for approval"})
        people = list(destruction.people.all())
        _check_due(destruction.organisation_id, people)
        now = timezone.now()
        destruction.approved_by, destruction.approved_at = request.user, now
        destruction.approval_note = note[:2000]
        counts = carry_out([p.pk for p in people])
        destruction.counts = counts
        destruction.carried_out_at = timezone.now()
        destruction.status = Destruction.Status.DONE
        destruction.certificate = certificate(destruction, people)
        destruction.certificate_sha256 = hashlib.sha256(
            destruction.certificate.encode()
        ).hexdigest()
        destruction.save()
        trail.record_request(
            request,
            "destroyed records",
            object_type="destruction",
            object_id=destruction.pk,
            organisation_id=destruction.organisation_id,
            detail={
                "people": [p.pk for p in people],
                "counts": counts,
                "certificate_sha256": destruction.certificate_sha256,
                "via": via,
                # The destroyed records' new digests, so verify_trail --records holds.
                records.DETAIL_KEY: records.take_rewritten(),
            },
        )
    return destruction


def carry_out(person_ids: list[int]) -> dict[str, int]:
    """Destroy the personal content of everything about these people (and records
    merged into theirs) in every app, keeping rows, ids, dates and categories. Apps
    are visited from the top of the order down, so each can still read the names it
    must take out of others' records before the people app blanks them."""
    ids = sorted(
        set(person_ids)
        | set(Person.objects.filter(merged_into_id__in=person_ids).values_list("pk", flat=True))
    )
    words = words_naming(ids)
    counts: dict[str, int] = {}
    records.take_rewritten()  # nothing left over from elsewhere
    for module in reversed(list(app_modules(MODULE))):
        counts.update(module.destroy(ids))
    counts.update(trail.erase(ids, words))
    counts.update(_background_tasks(words))
    counts.update(_sessions(words))
    return {k: v for k, v in counts.items() if v}


def _sessions(words) -> dict[str, int]:
    """Answers kept in a signed-in session (a form waiting for "confirm it's you")
    that name them: the session is kept, the answers dropped. Sessions are encoded, so
    each live one is read."""
    from django.contrib.sessions.models import Session

    if not words:
        return {}
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    dropped = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        data = session.get_decoded()
        naming = [k for k, v in data.items() if pattern.search(json.dumps(v, default=str))]
        if naming:
            for key in naming:
                del data[key]
            Session.objects.filter(pk=session.pk).update(session_data=Session.objects.encode(data))
            dropped += 1
    return {"session answers naming them": dropped}


def _background_tasks(words) -> dict[str, int]:
    """Finished background tasks whose arguments name them (the scheduler prunes them
    after a week anyway); running ones are left to finish."""
    from django_tasks_db.models import DBTaskResult

    if not words:
        return {}
    naming = Q(pk__in=[])
    for word in words:
        naming |= Q(args_kwargs__icontains=word)
    finished = DBTaskResult.objects.filter(naming).exclude(status__in=["READY", "RUNNING"])
    return {"finished background tasks naming them": finished.delete()[0]}


def certificate(destruction: Destruction, people: list[Person]) -> str:
    """The certificate's HTML: ids, counts by kind of record, the rules and policy
    version that made each due, and the approval. It names no one."""
    return render_to_string(
        "retention/certificate.html",
        {
            "d": destruction,
            "person_ids": [p.pk for p in people],
            "counts": sorted(destruction.counts.items()),
            "approver": destruction.approved_by,
        },
    )
