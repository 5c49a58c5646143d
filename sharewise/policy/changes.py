"""Changing a policy: every change is a new version, written to the trail. The policy
pages and the API both save through `save`, so the same checks and versioning apply."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.dispatch import Signal
from pydantic import ValidationError as PolicyError

from sharewise.audittrail import trail
from sharewise.policy import documents, editing, store

# Sent with `version` (the PolicyVersion saved) whenever a lead saves a new version,
# by page, file or API, so apps above this one (training's read receipts) can act.
version_saved = Signal()

ONLY_LEADS = "Only safeguarding leads read and change the organisation's policies."


def check_may_change(user, kind: str) -> None:
    """Raise PermissionDenied unless this user changes policies; ValidationError for a
    kind of policy there is not."""
    if not user.has_perm("policy.change_policy"):
        raise PermissionDenied(ONLY_LEADS)
    if kind not in documents.KINDS:
        raise ValidationError({"kind": f"There is no policy called {kind!r}"})


def problems(kind: str, error: PolicyError, document) -> ValidationError:
    """A policy's faults as one ValidationError, each message naming the setting in the
    words the policy page uses, keyed by its place in the document ("document.x.y")."""
    found: dict[str, list[str]] = {}
    said = editing.problems(kind, error, document if isinstance(document, dict) else {})
    for fault, problem in zip(error.errors(), said, strict=True):
        field = ".".join(["document", *(str(p) for p in fault["loc"])])
        found.setdefault(field, []).append(problem.message)
    return ValidationError(found)


MAX_FILE = 256 * 1024


def read_file(kind: str, data: bytes | str) -> dict:
    """A policy file's document, checked as saving would check it; ValidationError
    naming the file (or its settings) otherwise."""
    if len(data) > MAX_FILE:
        raise ValidationError({"file": "The policy file must be smaller than 256 KB"})
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "The policy file must be plain text (YAML), saved as UTF-8"}
        ) from None
    try:
        document = editing.read_yaml(text)
    except editing.Unreadable as error:
        raise ValidationError({"file": str(error)}) from None
    try:
        return store.check(kind, document)
    except PolicyError as error:
        said = editing.problems(kind, error, document)
        raise ValidationError({"file": [p.message for p in said]}) from None


def save(request, organisation_id: int, kind: str, document, note: str = "", via: str = "page"):
    """Save `document` as the next version of the organisation's policy of this kind.
    Returns (version in force, whether it changed): a document the same as the one in
    force saves nothing. Raises PermissionDenied for anyone but a lead and
    ValidationError naming each setting to fix."""
    check_may_change(request.user, kind)
    note = (note or "").strip()[:500]
    try:
        checked = store.check(kind, document)
    except PolicyError as error:
        raise problems(kind, error, document) from None
    with transaction.atomic():
        current, _ = store.in_force(organisation_id, kind)
        if checked == current.document:
            return current, False
        saved = store.save_version(organisation_id, kind, checked, request.user, note)
        record_change(request, saved, note, via=via)
    return saved, True


def record_change(request, saved, note, via="page"):
    trail.record_request(
        request,
        "changed policy",
        object_type="policy",
        object_id=saved.pk,
        organisation_id=saved.organisation_id,
        reason=note,
        detail={"kind": saved.kind, "version": saved.version, "via": via},
    )
    version_saved.send(sender=type(saved), version=saved, request=request)
