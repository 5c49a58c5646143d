"""Recording and signing a sharing decision: what is missing or contradictory in it,
whether someone else must countersign, and the record kept (only the fields its
outcome keeps, sharing.kept)."""

from dataclasses import asdict, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import staff_name
from sharewise.patterns import notices
from sharewise.policy import store
from sharewise.sharing import framework, kept, standing
from sharewise.sharing.facts import answers_from, facts_for
from sharewise.sharing.history import history, notify_countersigners, settle_alert, settle_standing
from sharewise.sharing.models import (
    NOT_SHARING,
    AdviceRequest,
    Channel,
    ConsentRecord,
    Draft,
    Outcome,
    SharingDecision,
)
from sharewise.sharing.writes import persons_concerns, words, write_trail

FAMILY = {  # a decision "follows" the recommendation when it is in the same family
    Outcome.SHARE_WITH_CONSENT: framework.SHARE_WITH_CONSENT,
    Outcome.SHARE_WITHOUT_CONSENT: framework.SHARE_WITHOUT_CONSENT,
    Outcome.SHARE_DEIDENTIFIED: framework.SHARE_DEIDENTIFIED,
    Outcome.DO_NOT_SHARE: framework.DO_NOT_SHARE,
    Outcome.MONITOR: framework.DO_NOT_SHARE,
}
IDENTIFYING = (Outcome.SHARE_WITH_CONSENT, Outcome.SHARE_WITHOUT_CONSENT)


def departs(outcome: str, recommendation, advice_answered: bool) -> bool:
    if recommendation.outcome == framework.SEEK_ADVICE:
        return not advice_answered
    return FAMILY[outcome] != recommendation.outcome


# What is wrong with a decision -------------------------------------------------------


def _blank(data, name) -> bool:
    return not (data.get(name) or "").strip()


def _consent_and_grounds(data, answers, capacity, policy, errors) -> None:
    outcome = data["outcome"]
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


def _basis_problems(data, answers, facts, capacity, policy, errors) -> None:
    """The lawful basis of identifying sharing: chosen, and fitting the decision."""
    if data.get("article_6") not in policy.article_6:
        errors["article_6"] = ["Choose the UK GDPR Article 6 lawful basis"]
    if data.get("article_9") not in policy.article_9:
        errors["article_9"] = ["Choose the UK GDPR Article 9 condition"]
    elif data.get("article_9") == "g" and data.get("schedule_1") not in policy.schedule_1:
        errors["schedule_1"] = ["Article 9(2)(g) needs a DPA 2018 Schedule 1 condition: choose one"]
    choice = basis_choice(data, answers, facts, capacity)
    for name, problem in framework.basis_problems(choice, policy).items():
        errors.setdefault(name, [problem])


def _recipient_problems(data, errors) -> None:
    for name, message in (
        ("recipient_organisation", "Say which organisation receives the information"),
        ("recipient_role", "Say the recipient's role"),
        ("what_shared", "Say exactly what will be shared"),
    ):
        if _blank(data, name):
            errors[name] = [message]
    if data.get("channel") not in Channel.values:
        errors["channel"] = ["Choose how it will be shared"]
    if data.get("person_told") not in ("yes", "no"):
        errors["person_told"] = ["Say whether the person is told"]
    elif data.get("person_told") == "no" and _blank(data, "not_told_reason"):
        errors["not_told_reason"] = [
            "Say why the person is not being told (for example, it would increase the risk)"
        ]


def _review_problems(data, policy, today, errors) -> None:
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


def _departure_problems(data, recommendation, policy, advice_answered, errors) -> None:
    if not departs(data["outcome"], recommendation, advice_answered):
        return
    need = policy.min_rationale_words
    if words(data.get("departure_rationale")) < need:
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


def decision_problems(data, answers, facts, recommendation, policy, today, advice_answered):
    """What is missing, wrong or contradictory in a decision, by field. The person's
    capacity is the framework's: an assessment on record wins over the answer."""
    capacity = facts.assessed_capacity or answers.capacity
    errors: dict[str, list[str]] = {}
    outcome = data.get("outcome") or ""
    if _blank(data, "question"):
        errors["question"] = ["Say what question you are deciding"]
    if _blank(data, "purpose"):
        errors["purpose"] = ["Say what sharing would be for"]
    if outcome not in Outcome.values:
        errors["outcome"] = ["Choose what you decide"]
        return errors
    if words(data.get("necessity")) < 5:
        errors["necessity"] = [
            "In your own words, say why this decision is necessary and proportionate "
            "(at least 5 words)"
        ]
    _consent_and_grounds(data, answers, capacity, policy, errors)
    if outcome in IDENTIFYING:
        _basis_problems(data, answers, facts, capacity, policy, errors)
    else:
        errors |= unanswered(answers, facts, policy)
    if outcome not in NOT_SHARING:
        _recipient_problems(data, errors)
    else:
        _review_problems(data, policy, today, errors)
    _departure_problems(data, recommendation, policy, advice_answered, errors)
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


def contradiction_problem(against: standing.Decision) -> str:
    said = dict(Outcome.choices).get(against.outcome, against.outcome).lower()
    signed = timezone.localtime(against.signed_at)
    return (
        f"Say why you are deciding differently from the standing decision ({said}, "
        f"signed {signed:%-d %B %Y}): it is still within its review period"
    )


# Who must countersign ------------------------------------------------------------------


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


def _countersigning(request, person, case, outcome, departing) -> tuple[str, bool]:
    """(why, lead only) for this decision, a contradiction of the standing decision
    included: the lead countersigns it, and until then the signed decision stands."""
    is_lead = person.organisation_id in scope_for(request.user).lead_org_ids
    why, lead_only = _countersign_need(
        outcome, case.recommendation, departing, is_lead, case.facts, case.policy
    )
    if case.against is not None and not is_lead:
        why = "; ".join(
            [*filter(None, [why]), f"it contradicts standing decision {case.against.id}"]
        )
        lead_only = True
    return why, lead_only


# Recording ----------------------------------------------------------------------------


class _Case:
    """Everything a decision is checked against and recorded with."""

    def __init__(self, request, person, answers, data, draft, now):
        self.version, self.policy = store.in_force(person.organisation_id, "sharing")
        self.answers = answers_from(answers)
        if found := framework.problems(self.answers, self.policy):
            raise ValidationError({k: [v] for k, v in found.items()})
        self.errors: dict[str, list[str]] = {}
        self.concern_ids = persons_concerns(person, data.get("concern_ids"), self.errors)
        self.facts, self.assessment = facts_for(person, self.concern_ids, now, viewer=request.user)
        self.recommendation = framework.recommend(self.answers, self.facts, self.policy)
        self.advice = list(draft.advice.all()) if draft else []
        if data.get("advice_ids"):  # questions asked outside a draft (the API)
            self.advice += AdviceRequest.objects.filter(
                pk__in=data["advice_ids"], person=person, draft__isnull=True, decision__isnull=True
            )
        self.advice_answered = any(a.answered for a in self.advice)
        # Never silently against the decision signed and standing within its review period.
        self.against = standing.contradicted(
            history(person.pk),
            data.get("outcome") or "",
            timezone.localdate(now),
            self.policy.review_days,
        )

    def check(self, person, data, alert, today) -> None:
        errors = self.errors | decision_problems(
            data,
            self.answers,
            self.facts,
            self.recommendation,
            self.policy,
            today,
            self.advice_answered,
        )
        if alert is not None and alert.person_id not in person.record_ids():
            errors["alert"] = ["That alert is not about this person"]
        if self.against is not None and _blank(data, "contradiction_reason"):
            errors["contradiction_reason"] = [contradiction_problem(self.against)]
        if errors:
            raise ValidationError(errors)

    def advisers(self, data) -> str:
        names = sorted({staff_name(a.answered_by) for a in self.advice if a.answered_by})
        if not _blank(data, "advised_by"):
            names.append(data["advised_by"].strip())
        return "; ".join(names)


def _framework_record(case) -> dict:
    """What the framework was told and said, kept with the decision."""
    answers, policy = case.answers, case.policy
    return {
        "consent_outcome": answers.consent,
        "not_sought_reason": answers.not_sought_reason if answers.consent == "not_sought" else "",
        "capacity": case.facts.assessed_capacity or answers.capacity,
        "capacity_assessment": case.assessment,
        "answers": {
            k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(answers).items()
        },
        "facts": asdict(case.facts),
        "recommendation": case.recommendation.outcome,
        "recommendation_reasons": [vars(r) for r in case.recommendation.reasons],
        "recommended_bases": [
            {**vars(b), "words": framework.describe_basis(b, policy)}
            for b in case.recommendation.bases
        ],
        "lead_review_reason": case.recommendation.lead_review,
        "policy_version": case.version,
    }


def _create(request, person, case, data, alert, now) -> SharingDecision:
    outcome = data["outcome"]
    departing = departs(outcome, case.recommendation, case.advice_answered)
    why, lead_only = _countersigning(request, person, case, outcome, departing)
    info_version, _ = store.in_force(person.organisation_id, "information_sharing")
    apd_version, _ = store.in_force(person.organisation_id, "appropriate_policy")
    against = case.against
    return SharingDecision.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        alert=alert,
        # The consent record behind the answer: the latest that says the same.
        consent=ConsentRecord.objects.filter(person=person, outcome=case.answers.consent).first(),
        **_framework_record(case),
        outcome=outcome,
        **kept.kept_fields(outcome, data, departing=departing),
        departs=departing,
        decided_by=request.user,
        decided_at=now,
        advised_by=case.advisers(data),
        information_policy=info_version,
        appropriate_policy=apd_version,
        status=SharingDecision.Status.AWAITING_COUNTERSIGN
        if why
        else SharingDecision.Status.SIGNED,
        countersign_because=why,
        countersign_needs_lead=lead_only,
        contradicts_id=against.id if against is not None else None,
        contradiction_reason=(data.get("contradiction_reason") or "").strip()
        if against is not None
        else "",
    )


def _after_recording(request, decision, case) -> None:
    """Tell whoever must countersign; or, signed, settle the alert it was made from and
    tell the other leads of a lead's own contradiction."""
    if decision.status == SharingDecision.Status.AWAITING_COUNTERSIGN:
        notify_countersigners(decision)
        return
    settle_alert(decision)
    if case.against is not None:
        notices.tell_safeguarding_leads(
            decision.organisation_id,
            f"Sharing decision {decision.pk} contradicts standing decision {case.against.id}",
            reverse("sharing_decision", args=[decision.pk]),
            leave_out=request.user.pk,
        )


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
    case = _Case(request, person, answers, data, draft, now)
    case.check(person, data, alert, timezone.localdate(now))
    decision = _create(request, person, case, data, alert, now)
    decision.concerns.set(case.concern_ids)
    stands = settle_standing(person.pk)
    decision.standing = stands is not None and stands.pk == decision.pk
    if draft is not None:
        draft.decision = decision
        draft.save(update_fields=["decision"])
    AdviceRequest.objects.filter(pk__in=[a.pk for a in case.advice]).update(decision=decision)
    write_trail(
        request,
        "recorded sharing decision",
        decision,
        person,
        via,
        outcome=decision.outcome,
        recommendation=case.recommendation.outcome,
        departs=decision.departs,
        policy_version=case.version.version,
    )
    _after_recording(request, decision, case)
    return decision
