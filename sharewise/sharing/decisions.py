"""Recording consent, capacity, advice and sharing decisions: validation, the facts
the framework needs, countersigning, amendments, and the reviews that stop a refusal
being the end of the matter. Views and the API call these; each raises
ValidationError naming what to fix and writes nothing when the input is wrong."""

from __future__ import annotations

import math
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sharewise.audittrail import records, trail
from sharewise.concerns.access import who_may_see
from sharewise.concerns.models import Concern, ConcernPerson
from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Membership, Role, staff_name
from sharewise.patterns import notices, scores
from sharewise.patterns import operations as alertlib
from sharewise.patterns.models import Alert, AlertConcern, Notification
from sharewise.patterns.models import Outcome as AlertOutcome
from sharewise.people.models import age_on
from sharewise.policy import store
from sharewise.sharing import framework, proposals, standing
from sharewise.sharing.models import (
    NOT_SHARING,
    AdviceRequest,
    CapacityAssessment,
    Channel,
    ConsentCapacity,
    ConsentOutcome,
    ConsentRecord,
    DecisionAmendment,
    Draft,
    NotSoughtReason,
    Outcome,
    SharingDecision,
)

FAMILY = {  # a decision "follows" the recommendation when it is in the same family
    Outcome.SHARE_WITH_CONSENT: framework.SHARE_WITH_CONSENT,
    Outcome.SHARE_WITHOUT_CONSENT: framework.SHARE_WITHOUT_CONSENT,
    Outcome.SHARE_DEIDENTIFIED: framework.SHARE_DEIDENTIFIED,
    Outcome.DO_NOT_SHARE: framework.DO_NOT_SHARE,
    Outcome.MONITOR: framework.DO_NOT_SHARE,
}
AMENDABLE = (  # a subset of SharingDecision.CHANGEABLE
    "recipient_organisation",
    "recipient_role",
    "recipient_name",
    "what_shared",
    "channel",
    "person_told",
    "not_told_reason",
    "review_date",
)


def _words(text) -> int:
    return len((text or "").split())


# What Sharewise already knows -----------------------------------------------------


def current_assessment(person, policy, at=None) -> CapacityAssessment | None:
    """The latest capacity assessment about sharing, while it still counts."""
    at = at or timezone.now()
    since = at - timedelta(days=policy.capacity_current_days)
    return (
        CapacityAssessment.objects.filter(person=person, assessed_at__gte=since)
        .order_by("-assessed_at", "-id")
        .first()
    )


def facts_for(person, concern_ids=(), at=None, viewer=None):
    """(framework.Facts, capacity assessment used or None) for this person now. Concerns
    and alerts naming the viewer as the alleged source are left out, so nobody learns
    of an allegation against them from the framework."""
    at = at or timezone.now()
    org = person.organisation_id
    _, policy = store.in_force(org, "sharing")
    _, patterns = store.in_force(org, "patterns")
    _, appropriate = store.in_force(org, "appropriate_policy")
    _, recording_policy = store.in_force(org, "recording")
    ids = person.record_ids()
    assessment = current_assessment(person, policy, at)
    concerns = Concern.objects.filter(
        pk__in=ConcernPerson.objects.filter(person_id__in=ids).values("concern_id")
    )
    alerts = Alert.objects.needing_decision()
    if viewer is not None:
        concerns = concerns.exclude(source_staff=viewer)
        alerts = alerts.exclude(source_staff=viewer).exclude(
            pk__in=AlertConcern.objects.filter(concern__source_staff=viewer).values("alert_id")
        )
    record = proposals.read(
        concerns,
        alerts,
        chosen=concern_ids,
        at=at,
        sharing=policy,
        recording=recording_policy,
    )
    consent = (
        ConsentRecord.objects.filter(person_id__in=ids)
        .order_by("-asked_at", "-id")
        .values_list("outcome", flat=True)
        .first()
    )
    facts = framework.Facts(
        is_child=age_on(person.date_of_birth, timezone.localdate(at)) < 18,
        assessed_capacity=assessment.conclusion if assessment else "",
        best_interests=assessment.best_interests
        if assessment and assessment.lacks_capacity
        else "",
        open_alerts=alerts.filter(person_id__in=ids).count(),
        # As the viewer may see it, and down to one decimal, so a score shown as 5.9 is
        # never judged "at" 6.
        risk_score=math.floor(scores.risk_score_seen_by(person, viewer, at) * 10) / 10,
        risk_threshold=patterns.risk_score.threshold,
        staff_implicated=record.staff_implicated,
        appropriate_policy_adopted=appropriate.adopted,
        standing=SharingDecision.objects.filter(person_id__in=ids, standing=True)
        .values_list("outcome", flat=True)
        .first()
        or "",
        consent_recorded=consent == ConsentOutcome.GIVEN,
        categories=record.categories,
        proposals=record.proposals,
        cues=record.cues,
    )
    return facts, assessment


def answers_from(data: dict) -> framework.Answers:
    """The framework's answers from a draft or API body (missing answers: defaults)."""
    known = framework.Answers.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in known and v is not None}
    for key, value in values.items():
        if key in ("grounds", "accepted"):
            values[key] = frozenset(value)
        elif key == "rebuttals":
            values[key] = {str(k): str(v) for k, v in dict(value).items()}
        else:
            values[key] = str(value)
    return framework.Answers(**values)


def assess(person, data: dict, concern_ids=(), viewer=None):
    """(recommendation, facts, policy version) for these answers; records nothing.
    Raises ValidationError for answers outside the allowed values."""
    version, policy = store.in_force(person.organisation_id, "sharing")
    answers = answers_from(data)
    if found := framework.problems(answers, policy):
        raise ValidationError({k: [v] for k, v in found.items()})
    facts, _ = facts_for(person, concern_ids, viewer=viewer)
    return framework.recommend(answers, facts, policy), facts, version


# Consent and capacity ---------------------------------------------------------------


def _persons_concerns(person, concern_ids, errors, field="concern_ids") -> list[int]:
    ids = sorted({int(i) for i in concern_ids or ()})
    if not ids:
        return []
    record_ids = person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    found = set(
        ConcernPerson.objects.filter(person_id__in=record_ids, concern_id__in=ids).values_list(
            "concern_id", flat=True
        )
    )
    if missing := [i for i in ids if i not in found]:
        errors[field] = [
            "These are not concerns about this person: " + ", ".join(map(str, missing))
        ]
    return ids


@transaction.atomic
def record_consent(request, person, data: dict, *, via="page") -> ConsentRecord:
    errors: dict[str, list[str]] = {}
    purpose = (data.get("purpose") or "").strip()
    outcome = data.get("outcome") or ""
    reason = data.get("not_sought_reason") or ""
    capacity = data.get("capacity") or ""
    asked_at = data.get("asked_at") or timezone.now()
    if not purpose:
        errors["purpose"] = ["Say what the information would be shared for, and with whom"]
    if outcome not in ConsentOutcome.values:
        errors["outcome"] = ["Choose whether consent was given, refused, withdrawn or not sought"]
    if outcome == ConsentOutcome.NOT_SOUGHT and reason not in NotSoughtReason.values:
        errors["not_sought_reason"] = ["Say why consent was not sought"]
    elif outcome in ConsentOutcome.values and outcome != ConsentOutcome.NOT_SOUGHT and reason:
        errors["not_sought_reason"] = [
            "The person was asked: leave 'why they were not asked' blank, or choose 'not sought'"
        ]
    if outcome in (ConsentOutcome.GIVEN, ConsentOutcome.REFUSED, ConsentOutcome.WITHDRAWN):
        if not (data.get("explained_how") or "").strip():
            errors["explained_how"] = [
                "Say how it was explained: what would be shared, with whom and why"
            ]
    if capacity not in ConsentCapacity.values:
        errors["capacity"] = ["Choose the person's capacity for this decision"]
    assessment = None
    if data.get("capacity_assessment_id"):
        assessment = CapacityAssessment.objects.filter(
            person=person, pk=data["capacity_assessment_id"]
        ).first()
        if assessment is None:
            errors["capacity_assessment_id"] = ["Not a capacity assessment of this person"]
        elif capacity == ConsentCapacity.PRESUMED:
            errors["capacity"] = [
                "You named a capacity assessment: choose what it found, not 'presumed'"
            ]
    elif capacity in (ConsentCapacity.HAS_CAPACITY, ConsentCapacity.LACKS_CAPACITY):
        _, policy = store.in_force(person.organisation_id, "sharing")
        assessment = current_assessment(person, policy)
    if capacity in (
        ConsentCapacity.HAS_CAPACITY,
        ConsentCapacity.LACKS_CAPACITY,
    ) and not errors.get("capacity_assessment_id"):
        if assessment is None:
            errors["capacity"] = [
                "There is no current capacity assessment for this person: record one "
                "first, or choose 'presumed to have capacity'"
            ]
        elif assessment.conclusion != capacity:
            errors["capacity"] = [
                f"The capacity assessment of {assessment.assessed_at:%-d %B %Y} found the "
                f"person {assessment.conclusion_label.lower()}: choose that, or record a "
                "new assessment"
            ]
    if isinstance(asked_at, datetime) and asked_at > timezone.now() + timedelta(minutes=5):
        errors["asked_at"] = ["When consent was asked cannot be in the future"]
    concern_ids = _persons_concerns(person, data.get("concern_ids"), errors)
    if errors:
        raise ValidationError(errors)
    consent = ConsentRecord.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        purpose=purpose,
        asked_by=request.user if outcome != ConsentOutcome.NOT_SOUGHT else None,
        asked_at=asked_at,
        explained_how=(data.get("explained_how") or "").strip(),
        outcome=outcome,
        not_sought_reason=reason if outcome == ConsentOutcome.NOT_SOUGHT else "",
        persons_words=(data.get("persons_words") or "").strip(),
        capacity=capacity,
        capacity_assessment=assessment,
        recorded_by=request.user,
    )
    consent.concerns.set(concern_ids)
    _trail(request, "recorded consent", consent, person, via, outcome=outcome)
    return consent


STAGE_ONE = ("can_understand", "can_retain", "can_use_or_weigh", "can_communicate")


@transaction.atomic
def record_capacity(request, person, data: dict, *, via="page") -> CapacityAssessment:
    errors: dict[str, list[str]] = {}
    decision = (data.get("decision") or "").strip()
    if not decision:
        errors["decision"] = [
            "Say which decision this is about: capacity is specific to one decision"
        ]
    for name in ("help_given", "evidence"):
        if not (data.get(name) or "").strip():
            errors[name] = {
                "help_given": [
                    "Say what was done to help the person decide (easy words, the right "
                    "time, someone they trust)"
                ],
                "evidence": ["Say what the person said and did that shows your conclusion"],
            }[name]
    stage_one = {}
    for name in STAGE_ONE:
        value = data.get(name)
        if value not in (True, False):
            errors[name] = ["Answer yes or no"]
        stage_one[name] = value
    unable = any(v is False for v in stage_one.values())
    impairment = data.get("impairment")
    if unable and impairment not in (True, False):
        errors["impairment"] = [
            "The person cannot do at least one of the four: say whether that is because "
            "of an impairment of, or disturbance in, the mind or brain"
        ]
    if unable and impairment is True and not (data.get("impairment_detail") or "").strip():
        errors["impairment_detail"] = ["Describe the impairment or disturbance"]
    lacks = unable and impairment is True
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
        if _words(data.get("best_interests_reasons")) < 5:
            errors["best_interests_reasons"] = [
                "Give the reasons for the best-interests decision, with the person's "
                "wishes and who you consulted"
            ]
    assessed_at = data.get("assessed_at") or timezone.now()
    if isinstance(assessed_at, datetime) and assessed_at > timezone.now() + timedelta(minutes=5):
        errors["assessed_at"] = ["The assessment cannot be in the future"]
    if errors:
        raise ValidationError(errors)
    assessment = CapacityAssessment.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        decision=decision,
        assessed_at=assessed_at,
        assessor=request.user,
        help_given=data["help_given"].strip(),
        evidence=data["evidence"].strip(),
        impairment=impairment if unable else None,
        impairment_detail=(data.get("impairment_detail") or "").strip() if unable else "",
        lacks_capacity=lacks,
        best_interests=best if lacks else "",
        best_interests_reasons=(data.get("best_interests_reasons") or "").strip() if lacks else "",
        persons_wishes=(data.get("persons_wishes") or "").strip(),
        consulted=(data.get("consulted") or "").strip(),
        recorded_by=request.user,
        **stage_one,
    )
    _trail(
        request,
        "recorded capacity assessment",
        assessment,
        person,
        via,
        conclusion=assessment.conclusion,
    )
    return assessment


def _trail(request, action, obj, person, via, **detail):
    """The trail entry for a write, carrying the record's digest as it now stands (with
    its amendments), so verify_trail --records notices a later change made elsewhere."""
    trail.record_request(
        request,
        action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        detail={"via": via, **detail, **_digests(obj)},
    )


def _digests(obj) -> dict:
    found = records.digests_now(obj)
    return {records.DETAIL_KEY: found} if found else {}


# Sharing decisions -------------------------------------------------------------------


def departs(outcome: str, recommendation, advice_answered: bool) -> bool:
    if recommendation.outcome == framework.SEEK_ADVICE:
        return not advice_answered
    return FAMILY[outcome] != recommendation.outcome


def decision_problems(data, answers, facts, recommendation, policy, today, advice_answered):
    """What is missing, wrong or contradictory in a decision, by field. The person's
    capacity is the framework's: an assessment on record wins over the answer."""
    capacity = facts.assessed_capacity or answers.capacity
    errors: dict[str, list[str]] = {}
    outcome = data.get("outcome") or ""
    if not (data.get("question") or "").strip():
        errors["question"] = ["Say what question you are deciding"]
    if not (data.get("purpose") or "").strip():
        errors["purpose"] = ["Say what sharing would be for"]
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose what you decide"]
        return errors
    if _words(data.get("necessity")) < 5:
        errors["necessity"] = [
            "In your own words, say why this decision is necessary and proportionate "
            "(at least 5 words)"
        ]
    sharing = outcome not in NOT_SHARING
    if outcome == Outcome.SHARE_WITH_CONSENT and not (
        answers.consent == "given" and capacity in ("presumed", "has_capacity")
    ):
        errors["outcome"] = [
            "Consent was not given by someone with capacity for this decision: choose "
            "share without consent (with a ground and lawful basis), or do not share"
        ]
    if outcome == Outcome.SHARE_WITHOUT_CONSENT:
        grounds = data.get("override_grounds") or []
        codes = {g.code for g in policy.override_grounds}
        if not grounds:
            errors["override_grounds"] = ["Choose at least one ground for sharing without consent"]
        elif unknown := set(grounds) - codes:
            errors["override_grounds"] = [
                "Not grounds in the policy: " + ", ".join(sorted(unknown))
            ]
    if outcome in (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT):
        if data.get("article_6") not in policy.article_6:
            errors["article_6"] = ["Choose the UK GDPR Article 6 lawful basis"]
        if data.get("article_9") not in policy.article_9:
            errors["article_9"] = ["Choose the UK GDPR Article 9 condition"]
        elif data.get("article_9") == "g" and data.get("schedule_1") not in policy.schedule_1:
            errors["schedule_1"] = [
                "Article 9(2)(g) needs a DPA 2018 Schedule 1 condition: choose one"
            ]
        for name, problem in framework.basis_problems(
            basis_choice(data, answers, facts, capacity), policy
        ).items():
            errors.setdefault(name, [problem])
    if outcome not in (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT):
        errors |= unanswered(answers, facts, policy)
    if sharing:
        for name, message in (
            ("recipient_organisation", "Say which organisation receives the information"),
            ("recipient_role", "Say the recipient's role"),
            ("what_shared", "Say exactly what will be shared"),
        ):
            if not (data.get(name) or "").strip():
                errors[name] = [message]
        if data.get("channel") not in Channel.values:
            errors["channel"] = ["Choose how it will be shared"]
        if data.get("person_told") not in ("yes", "no"):
            errors["person_told"] = ["Say whether the person is told"]
        elif data.get("person_told") == "no" and not (data.get("not_told_reason") or "").strip():
            errors["not_told_reason"] = [
                "Say why the person is not being told (for example, it would increase the risk)"
            ]
    else:
        review = data.get("review_date")
        latest = today + timedelta(days=policy.max_review_days)
        if not isinstance(review, date):
            errors["review_date"] = ["Enter the date this decision will be looked at again"]
        elif review <= today:
            errors["review_date"] = ["The review date must be in the future"]
        elif review > latest:
            errors["review_date"] = [
                f"Review within {policy.max_review_days} days: choose a date on or before "
                f"{latest:%-d %B %Y}"
            ]
    if departs(outcome, recommendation, advice_answered):
        need = policy.min_rationale_words
        if _words(data.get("departure_rationale")) < need:
            what = (
                "seek advice first"
                if recommendation.outcome == framework.SEEK_ADVICE
                else recommendation.label.lower()
            )
            errors["departure_rationale"] = [
                f"The framework recommends '{what}'. To decide otherwise, give your "
                f"reasons in at least {need} words; a lead or the data protection "
                "officer will countersign"
            ]
    return errors


def basis_choice(data, answers, facts, capacity) -> framework.Choice:
    """The decision's lawful bases and what they must fit, from its fields."""
    outcome = data.get("outcome") or ""
    grounds = set(data.get("override_grounds") or ())
    if outcome != Outcome.SHARE_WITHOUT_CONSENT:
        grounds |= set(answers.grounds) | {
            p.ground for p in framework.proposed(facts) if not answers.rebutted(p.key)
        }
    return replace(
        framework.choice_for(outcome, grounds, answers, facts, capacity),
        article_6=data.get("article_6") or "",
        article_9=data.get("article_9") or "",
        schedule_1=data.get("schedule_1") or "",
    )


def unanswered(answers, facts, policy) -> dict[str, list[str]]:
    """Grounds the record proposes and cues in its words that the decider has neither
    accepted nor rebutted with a reason: a decision not to share the person's details
    answers every one."""
    errors = {}
    open_grounds = [
        policy.ground(p.ground).label
        for p in framework.proposed(facts)
        if p.key not in answers.accepted and not answers.rebutted(p.key)
    ]
    if open_grounds:
        errors["answers.accepted"] = [
            "Before deciding not to share, accept or say why it does not apply, each ground "
            "the record proposes (under 'Risk and grounds'): " + "; ".join(open_grounds)
        ]
    open_cues = [
        c.question
        for c in facts.cues
        if c.key not in answers.accepted and not answers.rebutted(c.key)
    ]
    if open_cues:
        errors["answers.rebuttals"] = [
            "Before deciding not to share, answer the questions the concerns raise (under "
            "'Risk and grounds'): " + " ".join(open_cues)
        ]
    return errors


def _countersign_need(decision_outcome, recommendation, departing, is_lead, facts, policy):
    """(why, lead only) when someone else must countersign, else ("", False)."""
    building = framework.risk_building(facts, policy)
    why, lead_only = [], False
    if building and decision_outcome in NOT_SHARING and not is_lead:
        why.append(f"not sharing while risk is building ({building})")
        lead_only = True
    rebutted = [r.rule for r in recommendation.reasons if r.rule.endswith(".rebutted")]
    if building and rebutted and not is_lead:
        why.append(
            f"a ground the record proposes was set aside while risk is building ({building})"
        )
        lead_only = True
    if departing:
        why.append(f"it departs from the recommendation ({recommendation.label.lower()})")
    return "; ".join(why), lead_only


@transaction.atomic
def record_decision(
    request,
    person,
    answers: dict,
    data: dict,
    *,
    draft: Draft | None = None,
    alert=None,
    via="page",
):
    """Record and sign a decision. answers: the framework's answers; data: the
    decision's own fields. Raises ValidationError naming every problem."""
    now = timezone.now()
    version, policy = store.in_force(person.organisation_id, "sharing")
    answers = answers_from(answers)
    if found := framework.problems(answers, policy):
        raise ValidationError({k: [v] for k, v in found.items()})
    errors: dict[str, list[str]] = {}
    concern_ids = _persons_concerns(person, data.get("concern_ids"), errors)
    facts, assessment = facts_for(person, concern_ids, now, viewer=request.user)
    recommendation = framework.recommend(answers, facts, policy)
    advice = list(draft.advice.all()) if draft else []
    if data.get("advice_ids"):  # questions asked outside a draft (the API)
        advice += AdviceRequest.objects.filter(
            pk__in=data["advice_ids"], person=person, draft__isnull=True, decision__isnull=True
        )
    advice_answered = any(a.answered for a in advice)
    errors |= decision_problems(
        data,
        answers,
        facts,
        recommendation,
        policy,
        timezone.localdate(now),
        advice_answered,
    )
    if alert is not None and alert.person_id not in (
        person.record_ids() if hasattr(person, "record_ids") else [person.pk]
    ):
        errors["alert"] = ["That alert is not about this person"]
    # Never silently against the decision signed and standing within its review period.
    against = standing.contradicted(
        history(person.pk), data.get("outcome") or "", timezone.localdate(now), policy.review_days
    )
    reason = (data.get("contradiction_reason") or "").strip()
    if against is not None and not reason:
        errors["contradiction_reason"] = [contradiction_problem(against)]
    if errors:
        raise ValidationError(errors)
    outcome = data["outcome"]
    departing = departs(outcome, recommendation, advice_answered)
    is_lead = person.organisation_id in scope_for(request.user).lead_org_ids
    why, lead_only = _countersign_need(
        outcome,
        recommendation,
        departing,
        is_lead,
        facts,
        policy,
    )
    if against is not None and not is_lead:
        # The lead countersigns it; until then the signed decision stands.
        why = "; ".join([*filter(None, [why]), f"it contradicts standing decision {against.id}"])
        lead_only = True
    info_version, _ = store.in_force(person.organisation_id, "information_sharing")
    apd_version, _ = store.in_force(person.organisation_id, "appropriate_policy")
    # The consent record behind the answer: the latest that says the same.
    consent = ConsentRecord.objects.filter(person=person, outcome=answers.consent).first()
    sharing = outcome not in NOT_SHARING
    identifying = outcome in (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT)
    signed = not why
    advisers = sorted({staff_name(a.answered_by) for a in advice if a.answered_by})
    if (data.get("advised_by") or "").strip():
        advisers.append(data["advised_by"].strip())
    decision = SharingDecision.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        alert=alert,
        question=data["question"].strip(),
        purpose=data["purpose"].strip(),
        consent=consent,
        consent_outcome=answers.consent,
        not_sought_reason=answers.not_sought_reason if answers.consent == "not_sought" else "",
        capacity=facts.assessed_capacity or answers.capacity,
        capacity_assessment=assessment,
        answers={
            k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(answers).items()
        },
        facts=asdict(facts),
        recommendation=recommendation.outcome,
        recommendation_reasons=[vars(r) for r in recommendation.reasons],
        recommended_bases=[
            {**vars(b), "words": framework.describe_basis(b, policy)} for b in recommendation.bases
        ],
        lead_review_reason=recommendation.lead_review,
        outcome=outcome,
        override_grounds=sorted(data.get("override_grounds") or [])
        if outcome == Outcome.SHARE_WITHOUT_CONSENT
        else [],
        article_6=(data.get("article_6") or "") if identifying else "",
        article_9=(data.get("article_9") or "") if identifying else "",
        schedule_1=(data.get("schedule_1") or "")
        if identifying and data.get("article_9") == "g"
        else "",
        necessity=data["necessity"].strip(),
        recipient_organisation=(data.get("recipient_organisation") or "").strip()
        if sharing
        else "",
        recipient_role=(data.get("recipient_role") or "").strip() if sharing else "",
        recipient_name=(data.get("recipient_name") or "").strip() if sharing else "",
        what_shared=(data.get("what_shared") or "").strip() if sharing else "",
        channel=(data.get("channel") or "") if sharing else "",
        person_told=(data.get("person_told") or "") if sharing else "",
        not_told_reason=(data.get("not_told_reason") or "").strip()
        if data.get("person_told") == "no"
        else "",
        departs=departing,
        departure_rationale=(data.get("departure_rationale") or "").strip() if departing else "",
        review_date=data.get("review_date") if not sharing else None,
        decided_by=request.user,
        decided_at=now,
        advised_by="; ".join(advisers),
        policy_version=version,
        information_policy=info_version,
        appropriate_policy=apd_version,
        status=SharingDecision.Status.SIGNED
        if signed
        else SharingDecision.Status.AWAITING_COUNTERSIGN,
        countersign_because=why,
        countersign_needs_lead=lead_only,
        contradicts_id=against.id if against is not None else None,
        contradiction_reason=reason if against is not None else "",
    )
    decision.concerns.set(concern_ids)
    stands = settle_standing(person.pk)
    decision.standing = stands is not None and stands.pk == decision.pk
    if draft is not None:
        draft.decision = decision
        draft.save(update_fields=["decision"])
    AdviceRequest.objects.filter(pk__in=[a.pk for a in advice]).update(decision=decision)
    _trail(
        request,
        "recorded sharing decision",
        decision,
        person,
        via,
        outcome=outcome,
        recommendation=recommendation.outcome,
        departs=departing,
        policy_version=version.version,
    )
    if why:
        _notify_countersigners(decision)
    else:
        _settle_alert(decision)
        if against is not None:  # a lead's own: the other leads hear of it
            notices.tell_safeguarding_leads(
                decision.organisation_id,
                f"Sharing decision {decision.pk} contradicts standing decision {against.id}",
                reverse("sharing_decision", args=[decision.pk]),
                leave_out=request.user.pk,
            )
    return decision


def contradiction_problem(against: standing.Decision) -> str:
    said = dict(Outcome.choices).get(against.outcome, against.outcome).lower()
    signed = timezone.localtime(against.signed_at)
    return (
        f"Say why you are deciding differently from the standing decision ({said}, "
        f"signed {signed:%-d %B %Y}): it is still within its review period"
    )


def standing_and_waiting(person) -> tuple[SharingDecision | None, list[SharingDecision]]:
    """The person's standing (signed) decision, and those waiting for a countersignature."""
    about = SharingDecision.objects.filter(person=person).select_related("decided_by")
    return (
        about.filter(standing=True).first(),
        list(about.filter(status=SharingDecision.Status.AWAITING_COUNTERSIGN)),
    )


def history(person_id: int) -> list[standing.Decision]:
    """The person's decisions as sharing.standing reads them."""
    return [
        standing.Decision(*row)
        for row in SharingDecision.objects.filter(person_id=person_id).values_list(
            "id", "decided_at", "outcome", "status", "countersigned_at", "review_date"
        )
    ]


def settle_standing(person_id: int) -> SharingDecision | None:
    """Mark the person's standing decision as sharing.standing works it out, and mark
    as superseded any decision still waiting for a countersignature that a later signed
    decision has replaced. Call after every change to a decision's history."""
    past = history(person_id)
    stands = standing.standing(past)
    stale = [
        d.id
        for d in past
        if d.status == standing.AWAITING and standing.superseded_by(past, d.id) is not None
    ]
    if stale:
        SharingDecision.objects.filter(pk__in=stale).update(
            status=SharingDecision.Status.SUPERSEDED
        )
        for decision in SharingDecision.objects.filter(pk__in=stale):
            trail.record(
                action="sharing decision superseded",
                object_type="sharingdecision",
                object_id=decision.pk,
                person_id=decision.person_id,
                organisation_id=decision.organisation_id,
                detail={"by_decision": stands.id if stands else None, **_digests(decision)},
            )
    decisions = SharingDecision.objects.filter(person_id=person_id)
    decisions.filter(standing=True).exclude(pk=getattr(stands, "id", None)).update(standing=False)
    if stands is None:
        return None
    decisions.filter(pk=stands.id, standing=False).update(standing=True)
    return SharingDecision.objects.get(pk=stands.id)


def _notify_countersigners(decision) -> None:
    roles = (
        [Role.SAFEGUARDING_LEAD]
        if decision.countersign_needs_lead
        else [Role.SAFEGUARDING_LEAD, Role.DATA_PROTECTION_OFFICER]
    )
    to = set(
        Membership.objects.filter(
            organisation_id=decision.organisation_id, role__in=roles, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {decision.decided_by_id}
    # Nobody hears of a decision about concerns they may not see (naming them, say).
    to = who_may_see(to, decision.concerns.values_list("pk", flat=True))
    link = reverse("sharing_decision", args=[decision.pk])
    message = f"A sharing decision waits for your countersignature ({decision.pk})"
    if decision.contradicts_id:
        message = (
            f"A sharing decision contradicting standing decision {decision.contradicts_id} "
            f"waits for your countersignature ({decision.pk})"
        )
    Notification.objects.bulk_create(
        Notification(
            recipient_id=user_id,
            message=message,
            link=link,
        )
        for user_id in sorted(to)
    )


def _settle_alert(decision) -> None:
    """The alert the decision was made from is decided by it, with every alert waiting
    with it in its case for decision."""
    if decision.alert_id is None:
        return
    alert = Alert.objects.filter(pk=decision.alert_id).first()
    if alert is None or not alert.is_waiting:
        return
    reasons = (
        f"Escalated to sharing decision {decision.pk}, decided by "
        f"{staff_name(decision.decided_by)}: {decision.get_outcome_display().lower()}. "
        f"{decision.necessity}"
    )
    waiting = Alert.objects.needing_decision().filter(
        Q(pk=alert.pk) | Q(case_id=alert.case_id) if alert.case_id else Q(pk=alert.pk)
    )
    for each in waiting.order_by("id"):
        alertlib.decide(None, each, AlertOutcome.ESCALATE, reasons, actor=decision.decided_by)


@transaction.atomic
def countersign(request, decision, agree: bool, note: str, *, via="page") -> SharingDecision:
    decision = SharingDecision.objects.select_for_update().get(pk=decision.pk)
    errors = {}
    if decision.status != SharingDecision.Status.AWAITING_COUNTERSIGN:
        errors["status"] = ["This decision is not waiting for a countersignature"]
    elif agree and (later := standing.superseded_by(history(decision.person_id), decision.pk)):
        errors["status"] = [
            f"Sharing decision {later.id}, made after this one, already stands: this one "
            "can no longer be countersigned. Decline it, or record a new decision"
        ]
    if not agree and _words(note) < 5:
        errors["note"] = [
            "Say why you do not agree (at least 5 words), so the decider knows what to do next"
        ]
    if errors:
        raise ValidationError(errors)
    decision.countersigned_by = request.user
    decision.countersigned_at = timezone.now()
    decision.countersign_note = (note or "").strip()
    decision.status = SharingDecision.Status.SIGNED if agree else SharingDecision.Status.DECLINED
    decision.save(
        update_fields=["countersigned_by", "countersigned_at", "countersign_note", "status"]
    )
    stands = settle_standing(decision.person_id)
    decision.standing = stands is not None and stands.pk == decision.pk
    _trail(
        request,
        "countersigned sharing decision" if agree else "declined to countersign sharing decision",
        decision,
        decision.person,
        via,
    )
    Notification.objects.create(
        recipient=decision.decided_by,
        message=(
            f"Your sharing decision {decision.pk} was countersigned"
            if agree
            else f"Your sharing decision {decision.pk} was not countersigned: a new decision is needed"
        ),
        link=reverse("sharing_decision", args=[decision.pk]),
    )
    if agree:
        _settle_alert(decision)
        if not decision.is_sharing:
            # Concerns recorded while it waited challenge it as any later ones would.
            since = list(
                Concern.objects.filter(
                    pk__in=ConcernPerson.objects.filter(person_id=decision.person_id).values(
                        "concern_id"
                    ),
                    recorded_at__gt=decision.decided_at,
                ).values_list("pk", flat=True)
            )
            if since:
                concerns_after_refusal(since, [decision.person_id], decision.organisation_id)
    return decision


@transaction.atomic
def amend(request, decision, changes: dict, reason: str, *, via="page") -> DecisionAmendment:
    """Correct a decision's details (recipient, what was shared, telling the person, the
    review date). What was decided, and why, is never changed: that needs a new decision."""
    decision = SharingDecision.objects.select_for_update().get(pk=decision.pk)
    errors = {}
    if _words(reason) < 3:
        errors["reason"] = ["Say why you are amending the decision"]
    if bad := set(changes) - set(AMENDABLE):
        errors["changes"] = [
            "These cannot be amended (record a new decision instead): " + ", ".join(sorted(bad))
        ]
    if "channel" in changes and changes["channel"] not in Channel.values:
        errors["channel"] = ["Choose how it was shared"]
    if "person_told" in changes and changes["person_told"] not in ("yes", "no"):
        errors["person_told"] = ["Say yes or no"]
    if "review_date" in changes:
        _, policy = store.in_force(decision.organisation_id, "sharing")
        today = timezone.localdate()
        review = changes["review_date"]
        if decision.is_sharing:
            errors["review_date"] = ["Only a decision not to share has a review date"]
        elif not isinstance(review, date) or review <= today:
            errors["review_date"] = ["The review date must be in the future"]
        elif review > today + timedelta(days=policy.max_review_days):
            errors["review_date"] = [f"Review within {policy.max_review_days} days"]
    diff = {}
    for name, value in changes.items():
        old = getattr(decision, name)
        if old != value:
            diff[name] = {"from": str(old or ""), "to": str(value or "")}
    if not diff and not errors:
        errors["changes"] = ["Nothing has changed"]
    if errors:
        raise ValidationError(errors)
    for name in diff:
        setattr(decision, name, changes[name])
    if "review_date" in diff:
        decision.review_alerted_at = None
    decision.save(update_fields=[*diff, "review_alerted_at"])
    amendment = DecisionAmendment.objects.create(
        decision=decision, amended_by=request.user, reason=reason.strip(), changes=diff
    )
    _trail(request, "amended sharing decision", decision, decision.person, via, fields=sorted(diff))
    return amendment


# Advice ------------------------------------------------------------------------------


@transaction.atomic
def ask_advice(request, organisation_id, question, *, person=None, draft=None, step="", via="page"):
    if _words(question) < 4:
        raise ValidationError({"question": ["Write your question (at least 4 words)"]})
    advice = AdviceRequest.objects.create(
        organisation_id=organisation_id,
        person=person,
        draft=draft,
        step=step,
        question=question.strip(),
        name_withheld=person is None,
        asked_by=request.user,
    )
    to = set(
        Membership.objects.filter(
            organisation_id=organisation_id, role=Role.SAFEGUARDING_LEAD, user__is_active=True
        ).values_list("user_id", flat=True)
    ) - {request.user.pk}
    link = reverse("advice", args=[advice.pk])
    Notification.objects.bulk_create(
        Notification(recipient_id=u, message="A colleague asks for safeguarding advice", link=link)
        for u in sorted(to)
    )
    trail.record_request(
        request,
        "asked for advice",
        object_type="advicerequest",
        object_id=advice.pk,
        person_id=person.pk if person else None,
        organisation_id=organisation_id,
        detail={"via": via, "step": step},
    )
    return advice


@transaction.atomic
def answer_advice(request, advice, answer: str, *, via="page") -> AdviceRequest:
    advice = AdviceRequest.objects.select_for_update().get(pk=advice.pk)
    if advice.answered:
        raise ValidationError({"answer": ["This question has already been answered"]})
    if _words(answer) < 4:
        raise ValidationError({"answer": ["Write your advice (at least 4 words)"]})
    advice.answer = answer.strip()
    advice.answered_by = request.user
    advice.answered_at = timezone.now()
    advice.save(update_fields=["answer", "answered_by", "answered_at"])
    Notification.objects.create(
        recipient=advice.asked_by,
        message="Your question has been answered",
        link=reverse("advice", args=[advice.pk]),
    )
    trail.record_request(
        request,
        "answered advice",
        object_type="advicerequest",
        object_id=advice.pk,
        person_id=advice.person_id,
        organisation_id=advice.organisation_id,
        detail={"via": via},
    )
    return advice


# Reviews -----------------------------------------------------------------------------


def _review_words(decision, new_ids=(), due=False) -> str:
    when = f"{timezone.localtime(decision.decided_at):%-d %B %Y}"
    what = decision.get_outcome_display().lower()
    text = f"Sharing decision {decision.pk} ({what}, {when}) "
    if due:
        text += f"was due for review on {decision.review_date:%-d %B %Y}."
    else:
        n = len(new_ids)
        text += (
            f"is challenged by {n} new concern{'s' if n != 1 else ''} recorded since: "
            "look again at whether to share."
        )
    return text


def concerns_after_refusal(concern_ids, person_ids, organisation_id, at=None) -> int:
    """New concerns about someone whose standing decision is not to share raise the
    review at once, not on the review date. Returns the number of alerts flagged."""
    standing = list(
        SharingDecision.objects.standing_refusals()
        .filter(person_id__in=person_ids)
        .only("pk", "person_id", "decided_at", "outcome")  # on every concern recorded
    )
    for decision in standing:
        alertlib.flag(
            organisation_id,
            "decision_review",
            decision.person_id,
            concern_ids,
            _review_words(decision, concern_ids),
            at=at,
            note=f"New concerns after sharing decision {decision.pk}",
        )
    return len(standing)


def reviews_due(organisation_id: int, now: datetime | None = None) -> int:
    """For `sweep`: a decision not to share whose review date has come raises its
    review alert, once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    made = 0
    with transaction.atomic():
        due = list(
            SharingDecision.objects.standing_refusals()
            .select_for_update()
            .filter(
                organisation_id=organisation_id,
                review_alerted_at__isnull=True,
                review_date__lte=today,
            )
        )
        for decision in due:
            alertlib.flag(
                organisation_id,
                "decision_review",
                decision.person_id,
                list(decision.concerns.values_list("pk", flat=True)),
                _review_words(decision, due=True),
                at=now,
                note=f"Review date of sharing decision {decision.pk}",
            )
            decision.review_alerted_at = now
            decision.save(update_fields=["review_alerted_at"])
            made += 1
    return made


def review_settled(alert, alert_decision) -> SharingDecision | None:
    """A decision about a refusal's review alert is a review of the standing refusal: it
    stays, and comes back on its next review date (the end of monitoring, or the
    policy's days from now), so no refusal is ever left without one. A decision made
    from the alert after it was raised is a new decision and needs nothing here."""
    if alert.rule != "decision_review" or alert.person_id is None:
        return None
    refusal = (
        SharingDecision.objects.standing_refusals()
        .select_for_update()
        .filter(person_id=alert.person_id, decided_at__lt=alert.waiting_since)
        .first()
    )
    if refusal is None:
        return None
    _, policy = store.in_force(refusal.organisation_id, "sharing")
    today = timezone.localdate(alert_decision.decided_at)
    latest = today + timedelta(days=policy.max_review_days)
    after = alert_decision.monitor_until or today + timedelta(days=policy.review_days)
    after = min(after, latest)
    by = alert_decision.decided_by
    changes = {}
    if refusal.review_date != after:
        changes["review_date"] = {
            "from": str(refusal.review_date or ""),
            "to": after.isoformat(),
        }
    refusal.review_date = after
    refusal.review_alerted_at = None
    refusal.save(update_fields=["review_date", "review_alerted_at"])
    DecisionAmendment.objects.create(
        decision=refusal,
        amended_by=by,
        amended_at=alert_decision.decided_at,
        reason=(
            f"Reviewed on alert {alert.pk} by {staff_name(by)} "
            f"({alert_decision.get_outcome_display().lower()}): {alert_decision.rationale} "
            f"The decision stands until a new one is signed; next review {after:%-d %B %Y}."
        ),
        changes=changes,
    )
    trail.record(
        actor=by,
        action="reviewed sharing decision",
        object_type="sharingdecision",
        object_id=refusal.pk,
        person_id=refusal.person_id,
        organisation_id=refusal.organisation_id,
        detail={"alert": alert.pk, "next_review": after.isoformat(), **_digests(refusal)},
    )
    return refusal
