"""The standing decision: one rule, worked out from the history, that every part of
Sharewise agrees on. A refusal countersigned by the lead stands and comes back; random
histories of decisions, countersignatures, amendments, concerns, sweeps and reviews
leave every consumer (review alerts, the sweep, the agenda, the framework's facts, the
person's page) giving the same answer."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from conftest import record_concern
from sharewise.audittrail import records
from sharewise.governance import meetings
from sharewise.governance.models import Meeting
from sharewise.organisations.models import Service, Team
from sharewise.patterns import operations as alerts
from sharewise.patterns import sweep
from sharewise.patterns.models import Alert
from sharewise.people.models import Enrolment, Person
from sharewise.sharing import decisions, standing
from sharewise.sharing.models import SharingDecision
from sharewise.sharing.tests.stories import (
    GROUNDS,
    REFUSED,
    WHY,
    by,
    do_not_share,
    share_without_consent,
)

# The rule itself, as plain data ------------------------------------------------------

T0 = datetime(2026, 1, 1, 9, 0)
decision_rows = st.lists(
    st.tuples(
        st.integers(0, 50),  # hours after T0 it was decided
        st.sampled_from(["do_not_share", "monitor", "share_without_consent"]),
        st.sampled_from([standing.SIGNED, standing.AWAITING, standing.DECLINED]),
        st.one_of(st.none(), st.integers(0, 60)),  # hours after deciding it was countersigned
    ),
    max_size=8,
)


def _history(rows):
    return [
        standing.Decision(
            id=i + 1,
            decided_at=T0 + timedelta(hours=h),
            outcome=outcome,
            status=status,
            countersigned_at=T0 + timedelta(hours=h + c) if c is not None else None,
            review_date=date(2026, 2, 1),
        )
        for i, (h, outcome, status, c) in enumerate(rows)
    ]


@given(decision_rows)
def test_only_a_signed_decision_stands_and_it_is_the_last_decided(rows):
    past = _history(rows)
    stands = standing.standing(past)
    signed = [d for d in past if d.status == standing.SIGNED]
    if not signed:
        assert stands is None
    else:
        assert stands.status == standing.SIGNED
        assert all((d.decided_at, d.id) <= (stands.decided_at, stands.id) for d in signed)


@given(decision_rows)
def test_periods_never_overlap_and_only_the_standing_one_is_open(rows):
    past = _history(rows)
    periods = standing.stood(past)
    stands = standing.standing(past)
    open_ = [pk for pk, (_, until) in periods.items() if until is None]
    assert open_ == ([stands.id] if stands else [])
    spans = sorted(periods.values(), key=lambda p: p[0])
    for (_, until), (start, _) in zip(spans, spans[1:], strict=False):
        assert until is not None and until <= start


def test_a_decision_countersigned_after_a_later_one_was_signed_never_stands():
    refusal = standing.Decision(1, T0, "do_not_share", standing.SIGNED, T0 + timedelta(hours=5))
    share = standing.Decision(2, T0 + timedelta(hours=1), "share_without_consent", "signed")
    assert standing.standing([refusal, share]) == share
    assert 1 not in standing.stood([refusal, share])
    waiting = standing.Decision(1, T0, "do_not_share", standing.AWAITING)
    assert standing.superseded_by([waiting, share], 1) == share


# The seed's Example 1 ----------------------------------------------------------------


def test_a_refusal_countersigned_by_the_lead_stands_and_comes_back(cast):
    # Helen, a manager, decides not to share against the framework: the lead countersigns.
    refusal = decisions.record_decision(
        by(cast.helen), cast.alice, GROUNDS, do_not_share(departure_rationale=WHY)
    )
    assert refusal.status == "awaiting_countersign" and not refusal.standing
    decisions.countersign(by(cast.sarah), refusal, True, "Agreed for now")
    refusal.refresh_from_db()
    assert refusal.standing

    # A new concern brings it back at once...
    concern = record_concern(cast, days_ago=0)
    alert = Alert.objects.get(rule="decision_review", person=cast.alice)
    assert f"Sharing decision {refusal.pk}" in alert.explanation
    assert concern in alert.concerns.all()

    # ...and so does its review date, in the sweep and on the meeting agenda.
    alerts.decide(by(cast.sarah), alert, "no_further_action", "Seen; she still says no " * 3)
    refusal.refresh_from_db()
    assert refusal.review_date == timezone.localdate() + timedelta(days=28)
    meeting = _meeting(cast, days=30)
    items = _agenda_reviews(meeting, cast.sarah, cast.alice)
    assert items == [refusal.pk]
    swept = sweep.run(timezone.now() + timedelta(days=29))
    assert swept.more["sharing decision review(s) due"] == 1
    alert.refresh_from_db()
    assert alert.status == "open" and "was due for review" in alert.explanation


def test_countersigning_a_decision_a_later_one_replaced_is_refused(cast):
    waiting = decisions.record_decision(
        by(cast.helen), cast.alice, GROUNDS, do_not_share(departure_rationale=WHY)
    )
    later = decisions.record_decision(by(cast.sarah), cast.alice, GROUNDS, share_without_consent())
    waiting.refresh_from_db()
    assert waiting.status == "superseded" and later.standing
    with pytest.raises(ValidationError) as error:
        decisions.countersign(by(cast.sarah), waiting, True, "")
    assert "not waiting for a countersignature" in str(error.value)


def test_the_person_page_shows_the_standing_decision_and_the_one_waiting(cast, as_user):
    refusal = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    waiting = decisions.record_decision(
        by(cast.helen),
        cast.alice,
        REFUSED,
        share_without_consent(departure_rationale=WHY, contradiction_reason=WHY),
    )
    page = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/").content.decode()
    standing_row = page.split("Standing decision", 1)[1].split("</div>", 1)[0]
    assert f"/sharing-decisions/{refusal.pk}/" in standing_row
    assert "Waiting for countersignature" in standing_row
    assert f"/sharing-decisions/{waiting.pk}/" in standing_row


# Every consumer agrees, whatever happens ----------------------------------------------


def _meeting(cast, days, service=None):
    return Meeting.objects.create(
        organisation=cast.org,
        service=service,
        held_at=timezone.now() + timedelta(days=days),
        period_from=cast.today - timedelta(days=28),
        chair=cast.sarah,
        created_by=cast.sarah,
    )


def _agenda_reviews(meeting, viewer, person) -> list[int]:
    sections = meetings.agenda(meeting, viewer)
    section = next(s for s in sections if s.code == "reviews_due")
    return [i.record_id for i in section.items if i.person and i.person.pk == person.pk]


class History(RuleBasedStateMachine):
    """Random histories about one new person; after every step, the stored flag, the
    person's page, the agenda and the framework's facts agree with sharing.standing."""

    cast = None
    made = 0

    def __init__(self):
        super().__init__()
        c = self.cast
        # A service of its own, so the agenda's sections hold only this person.
        History.made += 1
        self.service = Service.objects.create(organisation=c.org, name=f"Ash Lodge {self.made}")
        self.team = Team.objects.create(service=self.service, name="Ash team")
        self.person = Person.objects.create(
            organisation=c.org,
            given_name="Ivy",
            family_name="Stone",
            date_of_birth=date(1944, 6, 1),
        )
        Enrolment.objects.create(
            person=self.person, team=self.team, start_date=c.today - timedelta(days=100)
        )
        self.now = timezone.now()

    def _expected(self):
        return standing.standing(decisions.history(self.person.pk))

    def _waiting(self):
        return list(
            SharingDecision.objects.filter(
                person=self.person, status=SharingDecision.Status.AWAITING_COUNTERSIGN
            )
        )

    def _review_alert(self):
        return Alert.objects.filter(rule="decision_review", person=self.person).first()

    @rule(
        kind=st.sampled_from(["refuse", "refuse_departing", "share", "share_departing"]),
        who=st.sampled_from(["sarah", "helen"]),
    )
    def decide(self, kind, who):
        answers, data = {
            "refuse": (REFUSED, do_not_share()),
            "refuse_departing": (GROUNDS, do_not_share(departure_rationale=WHY)),
            "share": (GROUNDS, share_without_consent()),
            "share_departing": (REFUSED, share_without_consent(departure_rationale=WHY)),
        }[kind]
        # Going against the standing decision within its review needs a reason.
        data = {**data, "contradiction_reason": WHY}
        decisions.record_decision(by(getattr(self.cast, who)), self.person, answers, data)

    @precondition(lambda self: self._waiting())
    @rule(agree=st.booleans(), which=st.integers(0, 5))
    def countersign(self, agree, which):
        waiting = self._waiting()
        decision = waiting[which % len(waiting)]
        decisions.countersign(by(self.cast.sarah), decision, agree, "" if agree else WHY)

    @precondition(lambda self: (d := self._expected()) is not None and d.is_refusal)
    @rule(days=st.integers(1, 60))
    def amend_review_date(self, days):
        decision = SharingDecision.objects.get(pk=self._expected().id)
        new = timezone.localdate() + timedelta(days=days)
        if new != decision.review_date:
            decisions.amend(by(self.cast.sarah), decision, {"review_date": new}, "Moved the review")

    @rule()
    def new_concern(self):
        concern = record_concern(self.cast, person=self.person, team=self.team, days_ago=0)
        stands = self._expected()
        alert = self._review_alert()
        if stands is not None and stands.is_refusal:
            assert alert is not None and alert.is_waiting
            assert concern in alert.concerns.all()
        else:
            assert alert is None or concern not in alert.concerns.all()

    @rule(days=st.integers(1, 95))
    def sweep_later(self, days):
        at = timezone.now() + timedelta(days=days)
        before = self._expected()
        sweep.run(at)
        if standing.review_due(before, timezone.localdate(at)):
            alert = self._review_alert()
            assert alert is not None and alert.is_waiting

    @precondition(lambda self: (a := self._review_alert()) is not None and a.is_waiting)
    @rule(outcome=st.sampled_from(["monitor", "no_further_action"]))
    def decide_review_alert(self, outcome):
        alert = self._review_alert()
        until = timezone.localdate() + timedelta(days=20) if outcome == "monitor" else None
        alerts.decide(
            by(self.cast.sarah),
            alert,
            outcome,
            "Looked at the whole picture again with the team today.",
            until,
        )

    def teardown(self):
        # Whatever happened, every decision still reads as the trail last vouched for it.
        checked = records.verify()
        assert checked.ok, (checked.changed, checked.gone)

    @invariant()
    def every_consumer_agrees(self):
        stands = self._expected()
        flagged = list(
            SharingDecision.objects.filter(person=self.person, standing=True).values_list(
                "pk", flat=True
            )
        )
        assert flagged == ([stands.id] if stands else [])
        # A refusal that stands always comes back: on a future date or as an open alert.
        if stands is not None and stands.is_refusal:
            alert = self._review_alert()
            assert stands.review_date is not None
            assert (
                stands.review_date > timezone.localdate()
                or (alert and alert.is_waiting)
                or (SharingDecision.objects.get(pk=stands.id).review_alerted_at is None)
            )
        facts, _ = decisions.facts_for(self.person)
        assert facts.standing == (stands.outcome if stands else "")
        panel = render_to_string(
            "sharing/person_panel.html",
            {
                "person": self.person,
                "decision": SharingDecision.objects.filter(
                    person=self.person, standing=True
                ).first(),
                "waiting": self._waiting(),
            },
        )
        shown = panel.split("Standing decision", 1)[1].split("<br>", 1)[0]
        if stands:
            assert f"/sharing-decisions/{stands.id}/" in shown
        else:
            assert "None signed" in shown
        meeting = _meeting(self.cast, days=1, service=self.service)
        due = _agenda_reviews(meeting, self.cast.sarah, self.person)
        expect_due = (
            stands is not None
            and stands.is_refusal
            and stands.review_date <= timezone.localdate() + timedelta(days=1 + 28)
        )
        assert due == ([stands.id] if expect_due else [])


def test_every_consumer_agrees_on_the_standing_decision(cast):
    History.cast = cast
    run_state_machine_as_test(
        History,
        settings=settings(
            max_examples=18,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
