"""Replaying history: when each alert would first have fired, and with which concerns.
The promises: it finds exactly what the rules find, no later than they could have
found it, whatever order the concerns come in."""

import random
import time
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.patterns.engine import Fact, evaluate, first_alerts
from sharewise.patterns.tests.test_engine import NOW, POLICY, fact

WEIGHTS = {"physical": 1.5, "financial": 1.2, "neglect": 1.2}
REPLAYABLE = POLICY.model_copy(
    update={
        "risk_score": POLICY.risk_score.model_copy(update={"enabled": False}),
        "overdue_review": POLICY.overdue_review.model_copy(update={"enabled": False}),
    }
)


def fired(facts, policy=POLICY, now=NOW):
    return {
        (f.rule, f.subject): f.concern_ids
        for f in evaluate(facts, policy, now=now, weights=WEIGHTS)
    }


def order(f):
    return (f.occurred_at, f.id)


# Like test_engine's facts, but hours apart as well as days (and often the same moment),
# some concerns about two people, some in two categories.
facts_strategy = st.lists(
    st.tuples(
        st.integers(0, 300),
        st.sampled_from([0, 0, 5, 13]),
        st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True),
        st.integers(1, 4),
        st.sampled_from(["low", "moderate", "high", "immediate"]),
        st.booleans(),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(["staff:1", "staff:2", "person:9"])),
        st.lists(
            st.sampled_from(["neglect", "physical", "financial"]),
            min_size=1,
            max_size=2,
            unique=True,
        ),
    ),
    max_size=30,
)


def build(raw):
    return [
        Fact(
            id=i,
            occurred_at=NOW - timedelta(days=days, hours=hours),
            person_ids=tuple(sorted(people)),
            team_id=team,
            service_id=(team + 1) // 2,
            categories=tuple(categories),
            severity=severity,
            refused=refused,
            unexplained_injury=injury,
            source=source,
        )
        for i, (days, hours, people, team, severity, refused, injury, source, categories) in (
            enumerate(raw, start=1)
        )
    ]


@settings(max_examples=200, deadline=None)
@given(facts_strategy)
def test_it_finds_what_the_rules_find_on_the_whole_history(raw):
    facts = build(raw)
    alerts = first_alerts(facts, POLICY, weights=WEIGHTS)
    for (rule, subject), (at, ids) in alerts.items():
        # Later concerns only add to a risk score (not yet faded at `at`).
        assert (rule, subject) in fired(facts, now=at)
        assert ids and ids <= {f.id for f in facts}
    window_alerts = {key for key in alerts if key[0] != "risk_score"}
    assert window_alerts == set(fired(facts, REPLAYABLE))


@settings(max_examples=200, deadline=None)
@given(facts_strategy)
def test_it_fires_at_the_first_concern_that_could_have_fired_it(raw):
    facts = build(raw)
    for (rule, subject), (at, ids) in first_alerts(facts, POLICY, weights=WEIGHTS).items():
        if rule == "risk_score":
            continue
        tipping = max((f for f in facts if f.id in ids), key=order)
        assert tipping.occurred_at == at
        before = [f for f in facts if order(f) < order(tipping)]
        assert (rule, subject) not in fired(before, REPLAYABLE)
        assert fired([*before, tipping], REPLAYABLE)[(rule, subject)] == ids


@settings(max_examples=100, deadline=None)
@given(facts_strategy)
def test_a_risk_score_fires_at_the_first_concern_taking_it_over_the_threshold(raw):
    """Between concerns a score only fades, so scoring at each concern in turn finds
    the first moment it is over."""
    facts = sorted(build(raw), key=order)
    expected = {}
    for i, f in enumerate(facts):
        for (rule, subject), ids in fired(facts[: i + 1], now=f.occurred_at).items():
            if rule == "risk_score":
                expected.setdefault((rule, subject), (f.occurred_at, ids))
    assert first_alerts(facts, POLICY, weights=WEIGHTS, only=frozenset({"risk_score"})) == expected


@settings(max_examples=150, deadline=None)
@given(facts_strategy, st.randoms())
def test_results_do_not_depend_on_the_order_concerns_come_in(raw, rng):
    facts = build(raw)
    shuffled = facts[:]
    rng.shuffle(shuffled)
    assert first_alerts(shuffled, POLICY, weights=WEIGHTS) == first_alerts(
        facts, POLICY, weights=WEIGHTS
    )


def test_three_concerns_about_one_person_fire_cumulative_at_the_third():
    alice = [fact(1, 80), fact(2, 50), fact(3, 30), fact(4, 10)]
    alerts = first_alerts(alice, POLICY)
    assert alerts[("cumulative", "person:1")] == (NOW - timedelta(days=30), frozenset({1, 2, 3}))


def test_concerns_too_far_apart_wait_for_a_closer_run():
    alerts = first_alerts(
        [fact(1, 300), fact(2, 200), fact(3, 100), fact(4, 60), fact(5, 20)], POLICY
    )
    assert alerts[("cumulative", "person:1")] == (NOW - timedelta(days=20), frozenset({3, 4, 5}))


def test_nothing_fires_for_one_low_concern():
    assert first_alerts([fact(1, 10)], POLICY) == {}


def test_a_risk_score_fires_when_the_concern_taking_it_over_happens():
    facts = [fact(1, 40, severity="high"), fact(2, 40, severity="moderate"), fact(3, 5)]
    alerts = first_alerts(facts, POLICY, only=frozenset({"risk_score"}))
    assert alerts == {("risk_score", "person:1"): (NOW - timedelta(days=40), frozenset({1, 2}))}


def test_staff_implicated_fires_at_their_first_concern_and_overdue_reviews_never():
    late = fact(2, 9, source="staff:7", reviewed=False, review_due_at=NOW - timedelta(days=8))
    alerts = first_alerts([fact(1, 30, person=2), late, fact(3, 4, source="staff:7")], POLICY)
    assert alerts[("staff_implicated", "source:staff:7")] == (
        NOW - timedelta(days=9),
        frozenset({2}),
    )
    assert not any(rule == "overdue_review" for rule, _ in alerts)


def test_only_and_switched_off_rules_are_left_out():
    alice = [
        fact(1, 30, severity="low"),
        fact(2, 20, severity="high"),
        fact(3, 10, severity="immediate"),
    ]
    assert {rule for rule, _ in first_alerts(alice, POLICY, only=frozenset({"cumulative"}))} == {
        "cumulative"
    }
    off = POLICY.model_copy(
        update={"cumulative": POLICY.cumulative.model_copy(update={"enabled": False})}
    )
    assert ("cumulative", "person:1") not in first_alerts(alice, off)


def test_ten_thousand_concerns_replay_in_a_few_seconds():
    rng = random.Random(7)
    start = datetime(2023, 1, 1, tzinfo=UTC)
    facts = []
    for i in range(1, 10_001):
        team = rng.randint(1, 20)
        facts.append(
            Fact(
                id=i,
                occurred_at=start + timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60)),
                person_ids=tuple({rng.randint(1, 500) for _ in range(rng.choice([1, 1, 2]))}),
                team_id=team,
                service_id=(team + 1) // 2,
                categories=(rng.choice(["neglect", "physical", "financial", "sexual"]),),
                severity=rng.choice(["low", "low", "moderate", "high", "immediate"]),
                refused=rng.random() < 0.2,
                unexplained_injury=rng.random() < 0.1,
                source=rng.choice([None, None, f"staff:{rng.randint(1, 50)}"]),
            )
        )
    began = time.perf_counter()
    alerts = first_alerts(facts, POLICY, weights=WEIGHTS)
    assert time.perf_counter() - began < 5
    assert len(alerts) > 1000
