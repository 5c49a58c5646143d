"""The sharing decision wizard's working: where its answers start, the form of each
step, the answers as typed, and the decision's own fields and errors from them."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from sharewise.concerns.models import Concern
from sharewise.forms import add_errors
from sharewise.patterns.models import Alert, AlertConcern
from sharewise.policy import store
from sharewise.sharing import decisions, framework
from sharewise.sharing import forms as f
from sharewise.sharing.models import ConsentRecord


def _case_answers(user, alert) -> dict:
    """Every concern of the case for decision the alert waits in (its rules decided
    together), and the question the case asks."""
    links = (
        AlertConcern.objects.filter(alert__case_id=alert.case_id)
        if alert.case_id
        else AlertConcern.objects.filter(alert=alert)
    )
    visible = Concern.objects.visible_to(user).filter(pk__in=links.values("concern_id"))
    titles = [alert.title]
    if alert.case_id:
        titles = list(
            dict.fromkeys(
                a.title
                for a in Alert.objects.visible_to(user)
                .filter(case_id=alert.case_id)
                .order_by("raised_at", "id")
            )
        )
    return {
        "concern_ids": [str(pk) for pk in visible.values_list("pk", flat=True)],
        "question": (
            f"Case for decision {alert.case_id or alert.pk} ({', '.join(titles).lower()}): "
            "should we share what we know, and with whom?"
        ),
    }


def initial_answers(person, user, alert=None) -> dict:
    """Start from what is known: the latest consent record and capacity assessment,
    and the alert's concerns."""
    answers: dict = {}
    consent = ConsentRecord.objects.filter(person=person).first()
    if consent:
        answers["consent"] = consent.outcome
        answers["not_sought_reason"] = consent.not_sought_reason
        answers["capacity"] = consent.capacity
    _, policy = store.in_force(person.organisation_id, "sharing")
    if assessment := decisions.current_assessment(person, policy):
        answers["capacity"] = assessment.conclusion
        if assessment.best_interests:
            answers["best_interests"] = assessment.best_interests
    if alert is not None:
        answers |= _case_answers(user, alert)
    return answers


def prompts(facts, policy) -> list[tuple[str, str, str, bool, str]]:
    """(key, question, evidence, is a cue, its ground in words) for each ground the
    record proposes and each question its words raise, as the risk step asks them."""
    found = [
        (p.key, policy.ground(p.ground).label, "; ".join(p.evidence), False, "")
        for p in framework.proposed(facts)
    ]
    for cue in facts.cues:
        said = ", ".join(f"“{w}”" for w in cue.words)
        evidence = f"{said} ({'; '.join(cue.evidence)})"
        found.append((cue.key, cue.question, evidence, True, policy.ground(cue.ground).label))
    return found


def step_form(step, draft, data=None, facts=None):
    person = draft.person
    _, policy = store.in_force(person.organisation_id, "sharing")
    form_class = {name: cls for name, _, cls in f.STEPS}[step]
    kwargs = {}
    if step == "purpose":
        kwargs["concerns"] = draft.concerns
    if step == "risk":
        kwargs["policy"] = policy
        kwargs["prompts"] = prompts(facts, policy)
    return form_class(data, initial=dict(draft.answers), **kwargs), policy


def raw(form) -> dict:
    """The step's answers as typed, unchecked: saved when going back or pausing."""
    found = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        if value not in (None, "", []):
            found[name] = value
    return found


def their_words(draft) -> list:
    """What the person said in the chosen concerns: the heart of a refusal, and often
    the sign of fear or pressure behind it."""
    chosen = {int(i) for i in draft.answers.get("concern_ids") or ()}
    return [
        (timezone.localtime(c.occurred_at), c.persons_words)
        for c in sorted(draft.concerns, key=lambda c: c.occurred_at)
        if c.pk in chosen and c.persons_words
    ]


def steps(current):
    labels = [(name, label) for name, label, _ in f.STEPS] + [("recommendation", "Recommendation")]
    return [(name, label, name == current) for name, label in labels]


def step_of(field) -> str:
    """The wizard step where this answer was given (the first, if none)."""
    return next((name for name, _, cls in f.STEPS if field in cls.base_fields), f.STEP_NAMES[0])


def decision_initial(recommendation, answers, policy) -> dict:
    """The decision form as the recommendation suggests it, with what was chosen
    before going back."""
    initial = {
        "outcome": recommendation.outcome
        if recommendation.outcome in framework.SHARING
        or recommendation.outcome == framework.DO_NOT_SHARE
        else None,
        "override_grounds": list(recommendation.grounds),
        "necessity": answers.get("proportionality", ""),
        "review_date": timezone.localdate() + timedelta(days=policy.review_days),
    }
    if recommendation.bases and recommendation.outcome != framework.SHARE_DEIDENTIFIED:
        first = recommendation.bases[0]
        initial |= {
            "article_6": first.article_6[0],
            "article_9": first.article_9[0],
            "schedule_1": first.schedule_1[0] if first.schedule_1 else "",
        }
    return initial | (answers.get("decision") or {})


# Where a decision's own field is answered in the wizard.
FIELD_STEPS = {
    "question": "purpose",
    "purpose": "purpose",
    "concern_ids": "purpose",
    "recipient_organisation": "recipient",
    "recipient_role": "recipient",
    "recipient_name": "recipient",
    "what_shared": "recipient",
    "channel": "recipient",
    "person_told": "telling",
    "not_told_reason": "telling",
    "answers.accepted": "risk",
    "answers.rebuttals": "risk",
}


def add_errors_by_step(form, error: ValidationError) -> list[tuple[str, str]]:
    """Errors on the decision form (add_errors); those for answers given on earlier
    steps go at its top, naming the step, which is returned (name, label) to go back to."""
    labels = {name: label for name, label, _ in f.STEPS}
    add_errors(
        form, ValidationError({k: v for k, v in error.message_dict.items() if k in form.fields})
    )
    found = []
    for field, problems in error.message_dict.items():
        if field in form.fields:
            continue
        step = FIELD_STEPS.get(field) or next(
            (name for name, _, cls in f.STEPS if field in cls.base_fields), None
        )
        under = labels.get(step, "earlier")
        add_errors(form, ValidationError([f"{p} (under '{under}')" for p in problems]))
        if step and (step, labels[step]) not in found:
            found.append((step, labels[step]))
    return found


def as_record(draft, cleaned) -> dict:
    """The decision's own fields, from the wizard's answers and the decision form.
    (The framework's purpose answer is yes/no/unsure; the record's purpose is words.)"""
    a = draft.answers
    return {
        "concern_ids": a.get("concern_ids") or [],
        "question": a.get("question", ""),
        "purpose": a.get("purpose_text", ""),
        "recipient_organisation": a.get("recipient", ""),
        "recipient_role": a.get("recipient_role", ""),
        "recipient_name": a.get("recipient_name", ""),
        "what_shared": a.get("content", ""),
        "channel": a.get("channel", ""),
        "person_told": a.get("tell_person", ""),
        "not_told_reason": a.get("not_told_reason", ""),
        **cleaned,
    }
