"""Policy read receipts: when a lead saves a new version of a policy that staff must
know (applies.py says which, and for whom), each member of staff it applies to is
asked to read what changed and confirm. A version is "to confirm" while it is in force
and they hold no receipt for it; the first, shipped version asks nobody, unless a lead
has assigned the policy to read."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership
from sharewise.patterns.notices import notify
from sharewise.policy import store
from sharewise.policy.documents import WRITTEN
from sharewise.policy.editing.differences import changes
from sharewise.policy.models import PolicyVersion
from sharewise.training import applies
from sharewise.training.assignments import mark_done
from sharewise.training.models import Assigned, Assignment, Receipt

NOT_YOURS = "This policy does not ask you to confirm it: it is for other roles."


@dataclass
class ToConfirm:
    kind: str
    title: str
    policy: PolicyVersion  # the version in force
    since: int | None  # the version the summary compares with, if any
    summary: list[str]

    @property
    def version(self) -> int:
        return self.policy.version


def staff_for(organisation_id: int, kind: str) -> set[int]:
    """The active staff of the organisation a policy asks to confirm."""
    return set(
        Membership.objects.filter(
            organisation_id=organisation_id,
            role__in=applies.roles_for(kind),
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )


def announce(version: PolicyVersion) -> list[int]:
    """Tell everyone a newly saved version applies to that it changed and asks them to
    confirm. Returns who was told."""
    if version.kind not in applies.KINDS or version.version < 2:
        return []
    told = staff_for(version.organisation_id, version.kind)
    notify(
        told,
        f"The {applies.TITLES[version.kind].lower()} has changed (version {version.version}): "
        "read what changed and confirm you have read it",
        reverse("confirm_policy", args=[version.kind]),
    )
    return sorted(told)


def _organisation_id(user) -> int | None:
    return scope_for(user).organisation_id


def kinds_for(user) -> list[str]:
    return applies.kinds_for(scope_for(user).roles)


def _assigned_kinds(user) -> set[str]:
    return set(
        Assigned.objects.filter(
            staff=user,
            completed_at__isnull=True,
            assignment__withdrawn_at__isnull=True,
            assignment__what=Assignment.What.POLICY,
        ).values_list("assignment__policy_kind", flat=True)
    )


def summary(user, version: PolicyVersion) -> tuple[int | None, list[str]]:
    """(the version compared with, what changed in words) since the version this member
    of staff last confirmed, or else the version before."""
    last = (
        Receipt.objects.filter(staff=user, kind=version.kind, version__lt=version.version)
        .select_related("policy")
        .order_by("-version")
        .first()
    )
    before = (
        last.policy
        if last
        else PolicyVersion.objects.filter(
            organisation_id=version.organisation_id,
            kind=version.kind,
            version__lt=version.version,
        )
        .order_by("-version")
        .first()
    )
    if before is None:
        return None, []
    if version.kind in WRITTEN:
        return before.version, applies.written_changes(before.document, version.document)
    return before.version, [
        str(c) for c in changes(version.kind, before.document, version.document)
    ]


def to_confirm(user) -> list[ToConfirm]:
    """The policy versions this member of staff is asked to confirm now."""
    organisation_id = _organisation_id(user)
    kinds = kinds_for(user)
    if organisation_id is None or not kinds:
        return []
    assigned = _assigned_kinds(user)
    held = set(
        Receipt.objects.filter(staff=user, kind__in=kinds).values_list("policy_id", flat=True)
    )
    found = []
    for kind in kinds:
        version, _ = store.in_force(organisation_id, kind)
        if version.pk in held or (version.version < 2 and kind not in assigned):
            continue
        since, said = summary(user, version)
        found.append(ToConfirm(kind, applies.TITLES[kind], version, since, said))
    return found


def waiting_count_query(user):
    """The policy versions this member of staff has still to confirm and has not been
    assigned to read, as a queryset of ids (for the header's count, unioned with open
    assignments in one query)."""
    organisation_id = _organisation_id(user)
    kinds = kinds_for(user)
    newer = PolicyVersion.objects.filter(
        organisation_id=OuterRef("organisation_id"),
        kind=OuterRef("kind"),
        version__gt=OuterRef("version"),
    )
    return (
        PolicyVersion.objects.filter(organisation_id=organisation_id, kind__in=kinds, version__gt=1)
        .exclude(Exists(newer))
        .exclude(Exists(Receipt.objects.filter(staff=user, policy=OuterRef("pk"))))
        .exclude(
            kind__in=Assigned.objects.filter(
                staff=user,
                completed_at__isnull=True,
                assignment__withdrawn_at__isnull=True,
                assignment__what=Assignment.What.POLICY,
            ).values("assignment__policy_kind")
        )
        .values_list("pk")
    )


def current(user, kind: str) -> ToConfirm:
    """The version in force of a policy this member of staff confirms, with what
    changed; PermissionDenied for a policy that is not for their roles."""
    if kind not in applies.KINDS:
        raise Http404("There is no such policy to confirm")
    if not user.has_perm("training.practise") or kind not in kinds_for(user):
        raise PermissionDenied(NOT_YOURS)
    version, _ = store.in_force(_organisation_id(user), kind)
    since, said = summary(user, version)
    return ToConfirm(kind, applies.TITLES[kind], version, since, said)


def confirm(request, kind: str, version_number: int, *, via: str = "page") -> Receipt:
    """Keep this member of staff's confirmation that they read the version in force,
    with the summary they were shown, and mark done their open assignments to read it.
    PermissionDenied for a policy not for their roles; ValidationError for a version
    that is not the one in force, one already confirmed, or the shipped version when
    nobody asked."""
    user = request.user
    if kind not in applies.KINDS:
        raise ValidationError(
            {
                "kind": f"There is no policy to confirm called {kind!r}: use one of "
                + ", ".join(applies.KINDS)
            }
        )
    shown = current(user, kind)
    version = shown.policy
    if version_number != version.version:
        if PolicyVersion.objects.filter(
            organisation_id=version.organisation_id, kind=kind, version=version_number
        ).exists():
            raise ValidationError(
                {
                    "version": f"Version {version_number} of the {shown.title.lower()} is no "
                    f"longer in force: read and confirm version {version.version} instead"
                }
            )
        raise ValidationError(
            {"version": f"The {shown.title.lower()} has no version {version_number}"}
        )
    if Receipt.objects.filter(staff=user, policy=version).exists():
        raise ValidationError({"version": f"You have already confirmed version {version.version}"})
    if version.version < 2 and kind not in _assigned_kinds(user):
        raise ValidationError(
            {"version": "The shipped version needs no confirmation: nothing has changed yet"}
        )
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                organisation_id=version.organisation_id,
                staff=user,
                policy=version,
                kind=kind,
                version=version.version,
                summary=shown.summary,
                confirmed_at=timezone.now(),
            )
            done = mark_done(user, policy_kind=kind, receipt=receipt)
            trail.record_request(
                request,
                "confirmed reading policy",
                object_type="policy",
                object_id=version.pk,
                organisation_id=version.organisation_id,
                detail={"kind": kind, "version": version.version, "assignments": done}
                | ({"via": via} if via != "page" else {}),
            )
    except IntegrityError:  # confirmed at the same moment elsewhere
        raise ValidationError(
            {"version": f"You have already confirmed version {version.version}"}
        ) from None
    return receipt
