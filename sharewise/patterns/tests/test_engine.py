"""The pattern rules on their own: examples from the seed, and the promises that
make alerts trustworthy whatever order concerns arrive in."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.patterns.engine import Fact, evaluate
from sharewise.policy import documents

POLICY = documents.default("patterns")
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def fact(
    i, days_ago, person=1, team=1, service=1, severity="low", categories=("psychological",), **kw
):
    return Fact(
        id=i,
        occurred_at=NOW - timedelta(days=days_ago),
        person_ids=(person,),
        team_id=team,
        service_id=service,
        categories=tuple(categories),
        severity=severity,
        **kw,
    )


def fired(facts, policy=POLICY, now=NOW):
    return {(f.rule, f.subject): set(f.concern_ids) for f in evaluate(facts, policy, now=now)}


def test_example_1_repeated_refused_disclosures_are_a_pattern():
    margaret = [
        fact(i, d, refused=True, severity=s)
        for i, (d, s) in enumerate(
            [(63, "low"), (47, "low"), (30, "moderate"), (16, "moderate"), (6, "moderate")], start=1
        )
    ]
    found = fired(margaret)
    assert found[("cumulative", "person:1")] == {1, 2, 3, 4, 5}
    assert found[("refused_repeated", "person:1")] == {1, 2, 3, 4, 5}
    assert ("escalating_severity", "person:1") not in found  # never more severe than moderate


def test_example_2_three_teams_each_with_one_low_concern():
    arthur = [
        fact(1, 38, team=1, service=1, categories=("neglect",)),
        fact(2, 24, team=2, service=1, categories=("physical",), unexplained_injury=True),
        fact(3, 9, team=3, service=2, categories=("financial",)),
    ]
    found = fired(arthur)
    assert found[("cross_team", "person:1")] == {1, 2, 3}
    assert found[("cumulative", "person:1")] == {1, 2, 3}


def test_nothing_fires_for_one_isolated_concern():
    assert fired([fact(1, 10)]) == {}


def test_windows_are_counted_in_days():
    assert ("cumulative", "person:1") not in fired([fact(1, 200), fact(2, 100), fact(3, 5)])
    assert ("cumulative", "person:1") in fired([fact(1, 95), fact(2, 50), fact(3, 6)])


def test_a_common_alleged_source_across_people():
    found = fired(
        [fact(1, 100, person=1, source="staff:7"), fact(2, 20, person=2, source="staff:7")]
    )
    assert found[("common_source", "source:staff:7")] == {1, 2}
    assert found[("staff_implicated", "source:staff:7")] == {1, 2}


def test_the_same_harm_to_different_people_at_one_service():
    found = fired(
        [
            fact(1, 50, person=1, categories=("neglect",)),
            fact(2, 40, person=2, categories=("neglect",)),
            fact(3, 30, person=3, categories=("neglect",)),
        ]
    )
    assert found[("same_harm_at_service", "service:1:neglect")] == {1, 2, 3}


def test_escalating_severity_and_unexplained_injuries():
    found = fired(
        [
            fact(1, 40, severity="low", unexplained_injury=True),
            fact(2, 30, severity="moderate"),
            fact(3, 20, severity="high", unexplained_injury=True),
        ]
    )
    assert found[("escalating_severity", "person:1")] == {1, 2, 3}
    assert ("unexplained_injuries", "person:1") not in fired(
        [fact(1, 40, unexplained_injury=True), fact(2, 5, unexplained_injury=True)]
    )


def test_the_risk_score_fades_with_its_half_life():
    heavy = [fact(1, 1, severity="immediate")]
    assert ("risk_score", "person:1") in fired(heavy)
    assert ("risk_score", "person:1") not in fired(heavy, now=NOW + timedelta(days=60))


def test_an_unreviewed_concern_past_its_deadline_is_overdue():
    late = fact(1, 3, reviewed=False, review_due_at=NOW - timedelta(days=2))
    assert ("overdue_review", "concern:1") in fired([late])


def test_a_rule_switched_off_never_fires():
    policy = POLICY.model_copy(
        update={"cumulative": POLICY.cumulative.model_copy(update={"enabled": False})}
    )
    assert ("cumulative", "person:1") not in fired([fact(1, 3), fact(2, 2), fact(3, 1)], policy)


facts_strategy = st.lists(
    st.builds(
        lambda days, person, team, severity, refused, injury, source, category: (
            days,
            person,
            team,
            severity,
            refused,
            injury,
            source,
            category,
        ),
        st.integers(0, 400),
        st.integers(1, 4),
        st.integers(1, 4),
        st.sampled_from(["low", "moderate", "high", "immediate"]),
        st.booleans(),
        st.booleans(),
        st.one_of(st.none(), st.sampled_from(["staff:1", "staff:2", "person:9"])),
        st.sampled_from(["neglect", "physical", "financial"]),
    ),
    max_size=30,
)


def build(raw):
    return [
        fact(
            i,
            days,
            person=person,
            team=team,
            service=(team + 1) // 2,
            severity=severity,
            refused=refused,
            unexplained_injury=injury,
            source=source,
            categories=(category,),
        )
        for i, (days, person, team, severity, refused, injury, source, category) in enumerate(
            raw, start=1
        )
    ]


@settings(max_examples=150, deadline=None)
@given(facts_strategy, st.randoms())
def test_results_do_not_depend_on_the_order_concerns_were_recorded(raw, rng):
    facts = build(raw)
    shuffled = facts[:]
    rng.shuffle(shuffled)
    assert fired(facts) == fired(shuffled)


@settings(max_examples=150, deadline=None)
@given(facts_strategy, st.randoms())
def test_running_after_each_concern_gives_the_same_alerts_as_once_at_the_end(raw, rng):
    """An open alert takes in each new concern and never drops one, so merging what
    fires after each arrival must equal one run over everything."""
    facts = build(raw)
    rng.shuffle(facts)
    time_free = POLICY.model_copy(
        update={
            "risk_score": POLICY.risk_score.model_copy(update={"enabled": False}),
            "overdue_review": POLICY.overdue_review.model_copy(update={"enabled": False}),
        }
    )
    alerts: dict = {}
    for k in range(1, len(facts) + 1):
        for key, ids in fired(facts[:k], time_free).items():
            alerts.setdefault(key, set()).update(ids)
    assert alerts == fired(facts, time_free)


@settings(max_examples=100, deadline=None)
@given(facts_strategy)
def test_every_finding_names_the_concerns_that_make_it(raw):
    facts = build(raw)
    ids = {f.id for f in facts}
    for finding in evaluate(facts, POLICY, now=NOW):
        assert finding.concern_ids and finding.concern_ids <= ids


def test_the_explanation_names_teams_services_shifts_and_dates():
    from sharewise.patterns.explanations import explain

    facts = [
        fact(1, 41, team=1, service=1, shift="night"),
        fact(2, 20, team=2, service=1, shift="early"),
        fact(3, 0, team=3, service=2, shift="night"),
    ]
    finding = next(f for f in evaluate(facts, POLICY, now=NOW) if f.rule == "cumulative")
    text = explain(
        finding,
        {f.id: f for f in facts},
        {
            1: ("Night team", "Rose House"),
            2: ("Day team", "Rose House"),
            3: ("Community team", "Riverside Home Care"),
        },
        {"night": "Night", "early": "Early"},
    )
    assert text == (
        "3 concerns about one person in 41 days (15 October to 25 November 2026), recorded by the Night team"
        " and the Day team at Rose House and the Community team at Riverside Home Care,"
        " on night and early shifts."
    )
