"""Alert explanations say only what the concerns show. Each rule fires on generated
concerns under generated policies, and every claim its sentence makes (how many, over
how many days, from when to when, which teams, services and shifts, about one person or
different people, each more serious than the one before...) is checked against the
concerns it counts. Alerts are also explained from part of their concerns (the episode
since a decision) and from concerns amended since, so any set of concerns is tried
with every rule too."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from sharewise.patterns.engine import (
    RULES,
    SEVERITY_RANK,
    Fact,
    Trigger,
    evaluate,
    risk_score,
)
from sharewise.patterns.explanations import explain
from sharewise.policy import documents

NOW = datetime(2026, 12, 30, 23, 30, tzinfo=UTC)
SEVERITIES = list(SEVERITY_RANK)
TEAMS = {t: (f"Team {t}", f"House {(t + 1) // 2}") for t in range(1, 5)}
SHIFTS = {"early": "Early", "late": "Late", "night": "Night"}
# Late evening in UTC is the next day five hours east: days are counted in local time.
EAST = timezone(timedelta(hours=5))


def local(moment):
    return moment.astimezone(EAST)


fact_strategy = st.tuples(
    st.integers(0, 24 * 400),  # hours ago
    st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True),  # people
    st.integers(1, 4),  # team
    st.sampled_from(SEVERITIES),
    st.booleans(),  # refused
    st.booleans(),  # unexplained injury
    st.one_of(st.none(), st.sampled_from(["staff:1", "staff:2", "person:9"])),
    st.lists(st.sampled_from(["neglect", "physical", "financial"]), min_size=1, max_size=2),
    st.sampled_from(["", "early", "late", "night"]),
)


def build(raw) -> list[Fact]:
    return [
        Fact(
            id=i,
            occurred_at=NOW - timedelta(hours=hours),
            person_ids=tuple(people),
            team_id=team,
            service_id=(team + 1) // 2,
            categories=tuple(dict.fromkeys(categories)),
            severity=severity,
            refused=refused,
            unexplained_injury=injury,
            source=source,
            shift=shift,
        )
        for i, (hours, people, team, severity, refused, injury, source, categories, shift) in (
            enumerate(raw, start=1)
        )
    ]


@st.composite
def policies(draw):
    """Any policy the policy pages accept, within ranges small enough to fire."""
    days = st.integers(1, 200)
    return documents.PatternPolicy(
        cumulative={"concerns": draw(st.integers(1, 5)), "days": draw(days)},
        cross_team={"teams": draw(st.integers(2, 4)), "days": draw(days)},
        refused_repeated={"concerns": draw(st.integers(1, 4)), "days": draw(days)},
        common_source={"people": draw(st.integers(2, 4)), "days": draw(days)},
        same_harm_at_service={
            "concerns": draw(st.integers(2, 4)),
            "people": draw(st.integers(1, 3)),
            "days": draw(days),
        },
        unexplained_injuries={"concerns": draw(st.integers(1, 4)), "days": draw(days)},
        escalating_severity={"concerns": draw(st.integers(1, 4)), "days": draw(days)},
        risk_score={"threshold": draw(st.floats(0.5, 20)), "half_life_days": 60},
    )


def _date(text: str, year: int) -> date:
    parts = text.split()
    return datetime.strptime(
        f"{parts[0]} {parts[1]} {parts[2] if len(parts) > 2 else year}", "%d %B %Y"
    ).date()


def _is_run(severities, chosen) -> bool:
    """Do these severities, each more serious than the last, occur in this order?"""
    ranks = [SEVERITY_RANK[s] for s in severities]
    if any(b <= a for a, b in zip(ranks, ranks[1:], strict=False)):
        return False
    wanted = iter(severities)
    target = next(wanted, None)
    for f in chosen:
        if f.severity == target:
            target = next(wanted, None)
    return target is None


def _how_many(k, n) -> int:
    return n if k is None else 0 if k == "none" else int(k)


BODY = re.compile(
    r"(?P<count>\d+) (?P<what>.+?) "
    r"(?:on (?P<day>\d+ \w+ \d{4})|in (?P<days>\d+) days \((?P<since>\d+ \w+(?: \d{4})?) to "
    r"(?P<until>\d+ \w+ \d{4})\)), recorded by (?P<places>.+?)"
    r"(?:, on (?P<shifts>[a-z ,]+?) shifts?)?(?:; risk score (?P<score>[\d.]+))?\.$"
)


def problems(sentence: str, rule: str, chosen: list[Fact], all_facts=None, policy=None):
    """Every claim in the sentence that the concerns do not bear out."""
    chosen = sorted(chosen, key=lambda f: (f.occurred_at, f.id))
    found = []
    n = len(chosen)
    people = {p for f in chosen for p in f.person_ids}
    shared = set.intersection(*(set(f.person_ids) for f in chosen))
    staff = {f.source for f in chosen if f.source and f.source.startswith("staff:")}
    first, last = local(chosen[0].occurred_at), local(chosen[-1].occurred_at)

    if rule == "overdue_review":
        return found  # about one concern and its deadline, checked by the example tests

    m = BODY.match(sentence)
    if m is None:
        return [f"not a sentence the checks can read: {sentence!r}"]
    if int(m["count"]) != n:
        found.append(f"says {m['count']} concerns, counts {n}")
    if m["day"]:
        if first.date() != last.date() or _date(m["day"], 0) != first.date():
            found.append(f"says all on {m['day']}")
    else:
        if int(m["days"]) != (last.date() - first.date()).days:
            found.append(f"says {m['days']} days")
        until = _date(m["until"], 0)
        if _date(m["since"], until.year) != first.date() or until != last.date():
            found.append(f"says {m['since']} to {m['until']}")
    teams = {TEAMS[f.team_id][0] for f in chosen}
    services = {TEAMS[f.team_id][1] for f in chosen}
    if set(re.findall(r"Team \d", m["places"])) != teams:
        found.append(f"names teams {m['places']!r}, not {sorted(teams)}")
    if set(re.findall(r"House \d", m["places"])) != services:
        found.append(f"names services {m['places']!r}, not {sorted(services)}")
    if m["shifts"]:
        named = set(re.split(r", | and ", m["shifts"]))
        worked = {SHIFTS[f.shift].lower() for f in chosen if f.shift}
        if not all(f.shift for f in chosen) or named != worked:
            found.append(f"says on {m['shifts']} shifts")

    what = m["what"]
    noun = "concern" if n == 1 else "concerns"
    claims = [
        (rf"{noun} about one person", lambda: bool(shared)),
        (rf"{noun} about (?P<k>\d+) people", lambda k: len(people) == int(k)),
        (rf"{noun} recorded by more than one team", lambda: len(teams) > 1),
        (rf"{noun} recorded by one team", lambda: len(teams) == 1),
        (
            rf"{noun}(?:, (?P<k>\d+|none)(?: of them)?)? where the person refused sharing",
            lambda k: sum(f.refused for f in chosen) == _how_many(k, n),
        ),
        (
            "unexplained injury" if n == 1 else "unexplained injuries",
            lambda: all(f.unexplained_injury for f in chosen),
        ),
        (
            rf"{noun}, (?P<k>\d+|none)(?: of them)? with an unexplained injury",
            lambda k: sum(f.unexplained_injury for f in chosen) == _how_many(k, n),
        ),
        (
            rf"{noun}, each more serious than the one before \((?P<levels>[a-z, ]+)\)",
            lambda levels: (
                levels.split(", ") == [f.severity for f in chosen]
                and _is_run(levels.split(", "), chosen)
            ),
        ),
        (
            rf"{noun}, among them a rise in seriousness from (?P<levels>[a-z ]+)",
            lambda levels: _is_run(levels.split(" to "), chosen),
        ),
        (
            rf"{noun} of (?P<levels>[a-z, ]+) seriousness",
            lambda levels: set(re.split(", | and ", levels)) == {f.severity for f in chosen},
        ),
        (
            rf"{noun} about (?P<who>different people|one person)"
            r"(?P<same> with the same alleged source)?",
            lambda who, same: (
                (len(people) > 1 if who == "different people" else bool(shared))
                and (not same or len({f.source for f in chosen}) == 1 and chosen[0].source)
            ),
        ),
        (
            rf"{noun}(?P<kind> of the same kind)? about (?P<who>different people|one person)"
            r" at (?P<where>one service|\d+ services)",
            lambda kind, who, where: (
                (not kind or bool(set.intersection(*(set(f.categories) for f in chosen))))
                and (len(people) > 1 if who == "different people" else bool(shared))
                and len({f.service_id for f in chosen})
                == (1 if where == "one service" else int(where.split()[0]))
            ),
        ),
        (
            rf"{noun}(?:, (?P<k>\d+|none)(?: of them)?)? naming (?P<who>a member|members) of staff"
            " as the alleged source",
            lambda k, who: (
                sum(f.source in staff for f in chosen) == _how_many(k, n)
                and (len(staff) > 1) == (who == "members")
            ),
        ),
        (
            rf"{noun} adding to a risk score over the threshold",
            lambda: (
                all_facts is None
                or risk_score(all_facts, policy.risk_score, now=NOW, category_weights={})[0]
                >= policy.risk_score.threshold
            ),
        ),
    ]
    for pattern, holds in claims:
        claim = re.fullmatch(pattern, what)
        if claim:
            if not holds(*claim.groups()):
                found.append(f"claims {what!r}")
            break
    else:
        found.append(f"says {what!r}, which no check reads")
    return found


@settings(max_examples=400, deadline=None)
@given(st.lists(fact_strategy, min_size=1, max_size=25), policies())
def test_every_rule_explains_what_made_it_fire_truthfully(raw, policy):
    facts = build(raw)
    by_id = {f.id: f for f in facts}
    for trigger in evaluate(facts, policy, now=NOW):
        sentence = explain(trigger, by_id, TEAMS, SHIFTS, local=local)
        chosen = [by_id[i] for i in trigger.concern_ids]
        mine = facts
        if trigger.subject.startswith("person:"):
            person = int(trigger.subject.split(":")[1])
            mine = [f for f in facts if person in f.person_ids]
        assert problems(sentence, trigger.rule, chosen, mine, policy) == [], sentence


@settings(max_examples=400, deadline=None)
@given(
    st.lists(fact_strategy, min_size=1, max_size=12),
    st.sampled_from([r for r in RULES if r not in ("risk_score", "overdue_review")]),
)
def test_any_set_of_concerns_is_explained_truthfully_under_any_rule(raw, rule):
    """An alert reopened after a decision is explained from its newer concerns only,
    and a concern amended since it joined may no longer fit the rule."""
    facts = build(raw)
    trigger = Trigger(rule, "person:1", frozenset(f.id for f in facts))
    sentence = explain(trigger, {f.id: f for f in facts}, TEAMS, SHIFTS, local=local)
    assert problems(sentence, rule, facts) == [], sentence


def fact(i, day, severity="low", **kw):
    defaults = dict(person_ids=(1,), team_id=1, service_id=1, categories=("neglect",))
    return Fact(i, datetime(2026, 3, day, 10, tzinfo=UTC), severity=severity, **(defaults | kw))


def test_low_low_moderate_high_is_not_each_more_serious_than_the_one_before():
    facts = [fact(1, 1), fact(2, 5), fact(3, 9, "moderate"), fact(4, 12, "high")]
    policy = documents.default("patterns")
    trigger = next(f for f in evaluate(facts, policy, now=NOW) if f.rule == "escalating_severity")
    sentence = explain(trigger, {f.id: f for f in facts}, TEAMS)
    assert sentence == (
        "4 concerns, among them a rise in seriousness from low to moderate to high"
        " in 11 days (1 March to 12 March 2026), recorded by the Team 1 at House 1."
    )
    assert problems(sentence, "escalating_severity", facts) == []


def test_a_rise_through_every_concern_says_each_is_more_serious():
    facts = [fact(1, 1), fact(2, 5, "moderate"), fact(3, 9, "high")]
    sentence = explain(
        Trigger("escalating_severity", "person:1", frozenset({1, 2, 3})),
        {f.id: f for f in facts},
        TEAMS,
    )
    assert sentence.startswith(
        "3 concerns, each more serious than the one before (low, moderate, high)"
    )


def test_the_checks_catch_an_explanation_that_overstates():
    facts = [fact(1, 1), fact(2, 5), fact(3, 9, "moderate"), fact(4, 12, "high")]
    wrong = (
        "4 concerns, each more serious than the one before (low, low, moderate, high)"
        " in 11 days (1 March to 12 March 2026), recorded by the Team 1 at House 1."
    )
    assert problems(wrong, "escalating_severity", facts) != []
    assert problems(wrong.replace("4 concerns", "5 concerns"), "escalating_severity", facts)
    different = fact(5, 20, person_ids=(2,))
    assert problems(
        "2 concerns about one person in 19 days (1 March to 20 March 2026), recorded by the Team 1 at House 1.",
        "cumulative",
        [facts[0], different],
    )


def test_one_person_harmed_at_a_service_is_not_called_different_people():
    policy = documents.default("patterns").model_copy(deep=True)
    policy.same_harm_at_service.people = 1
    facts = [fact(i, i, categories=("physical",)) for i in (1, 2, 3)]
    found = next(f for f in evaluate(facts, policy, now=NOW) if f.rule == "same_harm_at_service")
    sentence = explain(found, {f.id: f for f in facts}, TEAMS)
    assert "about one person at one service" in sentence and "different" not in sentence


def test_a_year_turning_is_written_on_both_dates():
    facts = [
        Fact(1, datetime(2025, 12, 20, 10, tzinfo=UTC), (1,), 1, 1, ("neglect",), "low"),
        Fact(2, datetime(2026, 1, 10, 10, tzinfo=UTC), (1,), 1, 1, ("neglect",), "low"),
    ]
    sentence = explain(
        Trigger("cumulative", "person:1", frozenset({1, 2})), {f.id: f for f in facts}, TEAMS
    )
    assert "in 21 days (20 December 2025 to 10 January 2026)" in sentence


def test_shifts_are_named_only_when_every_concern_has_one():
    facts = [fact(1, 1, shift="night"), fact(2, 3, shift="")]
    sentence = explain(
        Trigger("cumulative", "person:1", frozenset({1, 2})),
        {f.id: f for f in facts},
        TEAMS,
        SHIFTS,
    )
    assert "shift" not in sentence


# As recorded: the explanation an alert keeps.


def _alert(person, rule):
    from sharewise.patterns.models import Alert

    return Alert.objects.get(subject=f"person:{person.pk}", rule=rule)


def test_a_recorded_low_low_moderate_high_is_explained_as_a_rise_not_a_staircase(cast):
    from conftest import record_concern

    for days_ago, severity in ((40, "low"), (30, "low"), (20, "moderate"), (10, "high")):
        record_concern(cast, days_ago=days_ago, severity=severity)
    explanation = _alert(cast.alice, "escalating_severity").explanation
    assert explanation.startswith(
        "4 concerns, among them a rise in seriousness from low to moderate to high in "
    )
    assert "each more serious" not in explanation


def test_refusals_are_explained_as_refusals_whatever_else_is_judged_with_them(cast):
    """The same-harm check reads a slimmer copy of each concern; it must not stand in
    for the whole concern in another alert's explanation."""
    from conftest import record_concern

    for days_ago in (20, 2):
        record_concern(
            cast, days_ago=days_ago, sharing_view="refuses", sharing_view_reason="Afraid."
        )
    explanation = _alert(cast.alice, "refused_repeated").explanation
    assert explanation.startswith("2 concerns where the person refused sharing in 18 days")


def test_a_risk_alert_reopened_by_one_concern_does_not_say_that_concern_alone_passed_the_threshold(
    cast, rf
):
    from conftest import record_concern
    from sharewise.patterns import operations
    from sharewise.patterns.models import Outcome

    for days_ago in (6, 4):
        record_concern(cast, days_ago=days_ago, severity="high")
    alert = _alert(cast.alice, "risk_score")
    assert alert.explanation.startswith("2 concerns adding to a risk score over the threshold")
    request = rf.post("/")
    request.user = cast.sarah
    operations.decide(
        request,
        alert,
        Outcome.NO_FURTHER_ACTION,
        "Both falls are explained by the new medication dose.",
    )
    record_concern(cast, days_ago=0, severity="low")
    alert.refresh_from_db()
    assert alert.status == alert.Status.OPEN
    assert alert.explanation.startswith("1 concern adding to a risk score over the threshold on ")
