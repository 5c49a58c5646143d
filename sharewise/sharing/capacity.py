"""Recording a Mental Capacity Act assessment for one decision: the four things the
person can or cannot do, whether an impairment is why, and (only when they lack
capacity) the best-interests decision."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sharewise.sharing.models import CapacityAssessment
from sharewise.sharing.writes import words, write_trail

STAGE_ONE = ("can_understand", "can_retain", "can_use_or_weigh", "can_communicate")
NEEDED = {
    "decision": "Say which decision this is about: capacity is specific to one decision",
    "help_given": "Say what was done to help the person decide (easy words, the right "
    "time, someone they trust)",
    "evidence": "Say what the person said and did that shows your conclusion",
}


def _stage_one(data: dict, errors: dict) -> dict:
    """Whether the person can understand, retain, use or weigh, and communicate."""
    stage_one = {}
    for name in STAGE_ONE:
        value = data.get(name)
        if value not in (True, False):
            errors[name] = ["Answer yes or no"]
        stage_one[name] = value
    return stage_one


def _impairment_problems(data: dict, unable: bool, errors: dict) -> None:
    impairment = data.get("impairment")
    if unable and impairment not in (True, False):
        errors["impairment"] = [
            "The person cannot do at least one of the four: say whether that is because "
            "of an impairment of, or disturbance in, the mind or brain"
        ]
    if unable and impairment is True and not (data.get("impairment_detail") or "").strip():
        errors["impairment_detail"] = ["Describe the impairment or disturbance"]


def _best_interests_problems(data: dict, lacks: bool, errors: dict) -> None:
    best = data.get("best_interests") or ""
    if not lacks and (best or (data.get("best_interests_reasons") or "").strip()):
        errors["best_interests"] = [
            "The person has capacity for this decision, so there is no best-interests "
            "decision to record: leave it blank, or check the answers above"
        ]
    if lacks:
        if best not in ("share", "do_not_share"):
            errors["best_interests"] = [
                "The person lacks capacity for this decision: record the best-interests "
                "decision (share or not)"
            ]
        if words(data.get("best_interests_reasons")) < 5:
            errors["best_interests_reasons"] = [
                "Give the reasons for the best-interests decision, with the person's "
                "wishes and who you consulted"
            ]


def _text(data: dict, name: str) -> str:
    return (data.get(name) or "").strip()


@transaction.atomic
def record_capacity(request, person, data: dict, *, via="page") -> CapacityAssessment:
    errors: dict[str, list[str]] = {}
    for name, problem in NEEDED.items():
        if not _text(data, name):
            errors[name] = [problem]
    stage_one = _stage_one(data, errors)
    unable = any(v is False for v in stage_one.values())
    _impairment_problems(data, unable, errors)
    lacks = unable and data.get("impairment") is True
    _best_interests_problems(data, lacks, errors)
    assessed_at = data.get("assessed_at") or timezone.now()
    if isinstance(assessed_at, datetime) and assessed_at > timezone.now() + timedelta(minutes=5):
        errors["assessed_at"] = ["The assessment cannot be in the future"]
    if errors:
        raise ValidationError(errors)
    assessment = CapacityAssessment.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        decision=_text(data, "decision"),
        assessed_at=assessed_at,
        assessor=request.user,
        help_given=_text(data, "help_given"),
        evidence=_text(data, "evidence"),
        impairment=data.get("impairment") if unable else None,
        impairment_detail=_text(data, "impairment_detail") if unable else "",
        lacks_capacity=lacks,
        best_interests=(data.get("best_interests") or "") if lacks else "",
        best_interests_reasons=_text(data, "best_interests_reasons") if lacks else "",
        persons_wishes=_text(data, "persons_wishes"),
        consulted=_text(data, "consulted"),
        recorded_by=request.user,
        **stage_one,
    )
    write_trail(
        request,
        "recorded capacity assessment",
        assessment,
        person,
        via,
        conclusion=assessment.conclusion,
    )
    return assessment
