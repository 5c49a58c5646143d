"""Backtesting a pattern policy against the organisation's own history, and the
command a safeguarding lead runs to do it."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from conftest import record_concern
from sharewise.concerns.models import Concern, Review
from sharewise.patterns import backtest
from sharewise.patterns.models import Alert, AlertDecision
from sharewise.policy import documents

STRICTER = documents.default("patterns").model_copy(
    update={
        "cumulative": documents.default("patterns").cumulative.model_copy(update={"concerns": 5})
    }
)


@pytest.fixture
def history(cast):
    """Three low concerns about Alice over 20 days, escalated on review 30 days after
    the third."""
    concerns = [record_concern(cast, days_ago=d, severity="low") for d in (60, 50, 40)]
    escalated_at = concerns[2].occurred_at + timedelta(days=30)
    Review.objects.create(
        concern=concerns[0],
        reviewed_by=cast.sarah,
        reviewed_at=escalated_at,
        outcome="escalate",
        rationale="Third concern about the call bell; raising with the local authority.",
    )
    start, end = cast.today - timedelta(days=90), cast.today
    return cast, concerns, escalated_at, start, end


def test_it_reports_the_alert_and_how_much_earlier_than_the_escalation(history):
    cast, concerns, escalated_at, start, end = history
    report = backtest.run(cast.org.pk, start, end)
    [row] = report.rows
    assert (row.rule, row.title, row.subject) == (
        "cumulative",
        "Cumulative concerns",
        f"person:{cast.alice.pk}",
    )
    assert row.person_id == cast.alice.pk
    assert row.fires_at == concerns[2].occurred_at
    assert row.concern_ids == tuple(sorted(c.pk for c in concerns))
    assert (row.escalated_at, row.days_earlier) == (escalated_at, 30)
    assert report.totals["cumulative"] == 1 and sum(report.totals.values()) == 1
    assert (report.people, report.median_days_earlier, report.escalations_without_alert) == (
        1,
        30,
        0,
    )


def test_a_stricter_policy_raises_nothing_and_misses_the_escalation(history):
    cast, _, _, start, end = history
    current, proposed = backtest.compare(cast.org.pk, start, end, STRICTER)
    assert current.alerts == 1 and current.escalations_without_alert == 0
    assert proposed.rows == [] and proposed.people == 0
    assert proposed.median_days_earlier is None
    assert proposed.escalations_without_alert == 1
    assert backtest.run(cast.org.pk, start, end, STRICTER).rows == []


def test_an_earlier_escalated_alert_decision_counts(history):
    cast, concerns, _, start, end = history
    alert = Alert.objects.get(rule="cumulative", person=cast.alice)
    AlertDecision.objects.create(
        alert=alert,
        decided_by=cast.sarah,
        decided_at=concerns[2].occurred_at + timedelta(days=4, hours=3),
        outcome="escalate",
        rationale="A pattern of neglect at night that needs the local authority's view.",
        policy_version=alert.policy_version,
    )
    [row] = backtest.run(cast.org.pk, start, end).rows
    assert row.days_earlier == 4


def test_escalations_before_the_first_concern_do_not_count(cast):
    old = record_concern(cast, days_ago=200)
    Review.objects.create(
        concern=old,
        reviewed_by=cast.sarah,
        reviewed_at=old.occurred_at + timedelta(days=1),
        outcome="escalate",
        rationale="An old escalation, long before the run of concerns below.",
    )
    concerns = [record_concern(cast, days_ago=d, severity="low") for d in (30, 20, 10)]
    [row] = backtest.run(cast.org.pk, cast.today - timedelta(days=40), cast.today).rows
    assert row.fires_at == concerns[2].occurred_at
    assert (row.escalated_at, row.days_earlier) == (None, None)


def test_only_alerts_firing_in_the_period_are_reported(history):
    cast, concerns, _, _, end = history
    after = timezone.localtime(concerns[2].occurred_at).date() + timedelta(days=1)
    report = backtest.run(cast.org.pk, after, end)
    assert report.rows == []
    # It had fired before the period, so the escalation in it was not missed.
    assert report.escalations_without_alert == 0
    assert report.replayed_from == after - timedelta(days=180)


def test_alerts_about_a_member_of_staff_have_no_person(cast):
    concern = record_concern(cast, days_ago=5)
    Concern.objects.filter(pk=concern.pk).update(source_kind="staff", source_staff=cast.tom)
    report = backtest.run(cast.org.pk, cast.today - timedelta(days=10), cast.today)
    [row] = [r for r in report.rows if r.rule == "staff_implicated"]
    assert (row.subject, row.person_id, row.escalated_at) == (
        f"source:staff:{cast.tom.pk}",
        None,
        None,
    )


def test_other_organisations_concerns_are_left_out(history):
    cast, _, _, start, end = history
    assert backtest.run(cast.other_org.pk, start, end).rows == []


def test_a_partial_proposed_policy_keeps_the_rest_of_the_base():
    base = documents.default("patterns")
    policy = backtest.proposed_policy({"refused_repeated": {"days": 45}}, base)
    assert (policy.refused_repeated.concerns, policy.refused_repeated.days) == (2, 45)
    assert policy.cumulative == base.cumulative


def command(*args):
    out = StringIO()
    call_command("backtest_policy", *args, stdout=out)
    return out.getvalue()


def period(cast, start, end):
    return ["--from", str(start), "--to", str(end), "--organisation", str(cast.org.pk)]


def test_the_command_prints_totals_and_one_line_per_alert(history):
    cast, concerns, _, start, end = history
    out = command(*period(cast, start, end))
    assert "Oakleigh Care Group" in out
    assert "Cumulative concerns" in out and "In force" in out and "Proposed" not in out
    when = timezone.localtime(concerns[2].occurred_at)
    assert f"{when:%d %b %Y}" in out
    [line] = [line for line in out.splitlines() if "Alice Moore" in line]
    assert "Cumulative concerns" in line and "30 days earlier" in line


def test_the_command_shows_a_proposed_policy_beside_the_one_in_force(history, tmp_path):
    cast, _, _, start, end = history
    path = tmp_path / "stricter.yaml"
    path.write_text("cumulative:\n  concerns: 5\n")
    out = command(*period(cast, start, end), "--policy", str(path))
    assert "In force" in out and "Proposed" in out
    [cumulative] = [line for line in out.splitlines() if line.startswith("Cumulative concerns")]
    assert cumulative.split()[-2:] == ["1", "0"]
    [missed] = [line for line in out.splitlines() if line.startswith("Escalations with no alert")]
    assert missed.split()[-2:] == ["0", "1"]
    assert "No alerts under the proposed policy." in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2026-02-30", "--to", "2026-03-31"], "--from 2026-02-30 is not a date: day"),
        (["--from", "1/2/2026", "--to", "2026-03-31"], "use YYYY-MM-DD"),
        (["--from", "2026-04-01", "--to", "2026-03-31"], "--from 2026-04-01 is after --to"),
    ],
)
def test_the_command_rejects_bad_dates(cast, args, message):
    with pytest.raises(CommandError, match=message):
        command(*args, "--organisation", str(cast.org.pk))


def test_the_command_names_what_is_wrong_with_a_policy_file(cast, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("cumulative:\n  concerns: 0\n  dayz: 30\nrisk_score:\n  threshold: lots\n")
    with pytest.raises(CommandError) as error:
        command(*period(cast, "2026-01-01", "2026-03-31"), "--policy", str(path))
    message = str(error.value)
    assert "not a valid pattern policy" in message
    assert "cumulative.concerns: Input should be greater than or equal to 1 (it is 0)" in message
    assert "cumulative.dayz: not a known setting" in message
    assert "risk_score.threshold:" in message and "'lots'" in message


@pytest.mark.parametrize(
    "text, message",
    [("cumulative: [unclosed\n", "is not valid YAML"), ("- 3\n", "must list rules")],
)
def test_the_command_rejects_a_file_that_is_not_a_policy(cast, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        command(*period(cast, "2026-01-01", "2026-03-31"), "--policy", str(path))


def test_the_command_says_when_it_cannot_read_the_file(cast, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.yaml"):
        command(
            *period(cast, "2026-01-01", "2026-03-31"), "--policy", str(tmp_path / "missing.yaml")
        )


def test_the_command_asks_which_organisation_when_there_are_several(cast):
    with pytest.raises(CommandError, match="several organisations.*Oakleigh Care Group"):
        command("--from", "2026-01-01", "--to", "2026-03-31")
