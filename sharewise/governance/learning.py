"""The learning log: lessons from reviews, complaints and audits, the failure pattern
they fit, the policy versions they changed, and a measure before and after."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.audittrail import trail
from sharewise.governance import measures
from sharewise.governance.models import Finding, Lesson
from sharewise.policy.models import PolicyVersion


def record(request, organisation_id: int, data: dict) -> Lesson:
    """Raises ValidationError({field: message}) and saves nothing when something is
    missing or wrong."""
    found = {}
    title = (data.get("title") or "").strip()
    if len(title) < 5:
        found["title"] = "Give the lesson a short title (at least 5 characters)"
    if data.get("source") not in Lesson.Source.values:
        found["source"] = "Choose where the lesson came from"
    if len((data.get("what_happened") or "").split()) < 5:
        found["what_happened"] = "Say what happened, in at least 5 words"
    if data.get("failure_pattern") not in Lesson.Pattern.values:
        found["failure_pattern"] = "Choose the failure pattern it fits"
    if data.get("measure") not in measures.MEASURES:
        found["measure"] = "Choose the measure that will show whether the change worked"
    changed_on = data.get("changed_on")
    if not isinstance(changed_on, date):
        found["changed_on"] = "Give the date the change took effect, for example 1 3 2026"
    elif changed_on > timezone.localdate():
        found["changed_on"] = "The change must already have taken effect"
    try:
        window = int(data.get("window_days") or 90)
    except (TypeError, ValueError):
        window = 0
    if not 7 <= window <= 365:
        found["window_days"] = "Compare between 7 and 365 days either side of the change"
    given = data.get("policy_versions", [])
    version_ids = [int(v) for v in given if str(v).isdigit()]
    versions = list(
        PolicyVersion.objects.filter(organisation_id=organisation_id, pk__in=version_ids)
    )
    if len(versions) != len(set(version_ids)) or len(version_ids) != len(given):
        found["policy_versions"] = "Choose policy versions of your own organisation"
    finding = None
    if data.get("finding"):
        finding = Finding.objects.filter(
            organisation_id=organisation_id, pk=data.get("finding")
        ).first()
        if finding is None:
            found["finding"] = "That audit finding is not one of your organisation's"
    if found:
        raise ValidationError(found)
    with transaction.atomic():
        lesson = Lesson.objects.create(
            organisation_id=organisation_id,
            title=title,
            source=data["source"],
            what_happened=data["what_happened"].strip(),
            failure_pattern=data["failure_pattern"],
            measure=data["measure"],
            changed_on=changed_on,
            window_days=window,
            finding=finding,
            recorded_by=request.user,
        )
        lesson.policy_versions.set(versions)
        trail.record_request(
            request,
            "lesson.record",
            object_type="lesson",
            object_id=lesson.pk,
            organisation_id=organisation_id,
        )
    return lesson


def versions_to_choose(organisation_id: int):
    return PolicyVersion.objects.filter(organisation_id=organisation_id).order_by(
        "kind", "-version"
    )
