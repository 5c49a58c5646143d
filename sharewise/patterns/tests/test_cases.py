"""Alerts about one person that wait at the same time are one case for decision:
presented together, decided by one written decision, told of once, audited once."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.governance import criteria
from sharewise.patterns import operations
from sharewise.patterns.models import (
    Alert,
    AlertDecision,
    AlertEvent,
    CaseForDecision,
    Notification,
)
from sharewise.policy import store

FOUR = {"cross_team", "refused_repeated", "cumulative", "risk_score"}
REASONS = (
    "Read all seven concerns with both managers; her son is barred from visiting and "
    "the council has the referral."
)


def one_pattern(cast, person=None, teams=None):
    """Seven concerns about one person, across two teams, refusing sharing, serious
    enough for the risk score: four rules fire."""
    person = person or cast.alice
    teams = teams or (cast.night, cast.day)
    made = []
    for i, d in enumerate((20, 16, 12, 9, 6, 3, 1)):
        team = teams[i % 2]
        made.append(
            record_concern(
                cast,
                person=person,
                team=team,
                by=cast.tom if team == cast.day else cast.nia,
                days_ago=d,
                severity="high",
                sharing_view="refuses",
                sharing_view_reason="Afraid of what her son will do.",
            )
        )
    return made


def the_case(person) -> CaseForDecision:
    return CaseForDecision.objects.get(person=person)


def test_four_rules_firing_for_one_person_are_one_case_for_decision(cast):
    one_pattern(cast)
    waiting = Alert.objects.filter(person=cast.alice).needing_decision()
    assert set(waiting.values_list("rule", flat=True)) == FOUR
    case = the_case(cast.alice)
    assert set(case.alerts.values_list("rule", flat=True)) == FOUR
    assert case.is_waiting


def test_one_decision_decides_all_four_and_each_keeps_its_own_record(cast):
    one_pattern(cast)
    case = the_case(cast.alice)
    made = operations.decide_case(None, case, "no_further_action", REASONS, actor=cast.sarah)
    assert len(made) == 4
    assert not Alert.objects.filter(person=cast.alice).needing_decision().exists()
    for alert in case.alerts.all():
        [decision] = alert.decisions.all()
        assert decision.rationale == REASONS and decision.case == case
        assert alert.events.filter(kind=AlertEvent.Kind.DECIDED, by=cast.sarah).count() == 1
        assert Entry.objects.filter(
            action="decided alert", object_type="alert", object_id=str(alert.pk)
        ).exists()
    case.refresh_from_db()
    assert case.decided_by == cast.sarah and case.rationale == REASONS
    assert case.outcome == "no_further_action" and case.decided_at is not None


def test_a_case_is_not_decided_twice_and_reasons_are_needed(cast):
    one_pattern(cast)
    case = the_case(cast.alice)
    try:
        operations.decide_case(None, case, "no_further_action", "ok", actor=cast.sarah)
    except operations.ValidationError as error:
        assert "rationale" in error.message_dict
    else:
        raise AssertionError("a decision without reasons was accepted")
    assert not AlertDecision.objects.exists()
    operations.decide_case(None, case, "no_further_action", REASONS, actor=cast.sarah)
    try:
        operations.decide_case(None, case, "no_further_action", REASONS, actor=cast.sarah)
    except operations.ValidationError as error:
        assert "already been decided" in " ".join(error.message_dict["outcome"])
    else:
        raise AssertionError("a decided case was decided again")
    assert AlertDecision.objects.count() == 4


def test_the_audit_counts_the_case_once_not_each_rule(cast):
    one_pattern(cast)
    ten_days_ago = timezone.now() - timedelta(days=10)
    CaseForDecision.objects.update(opened_at=ten_days_ago)
    _, policy = store.in_force(cast.org.pk, "governance")
    criterion = next(c for c in policy.criteria if c.code == "alert_undecided")
    start, now = timezone.now() - timedelta(days=30), timezone.now()
    failures = criteria.alert_undecided(cast.org.pk, start, now, criterion, now)
    assert [(f.record_type, f.record_id) for f in failures] == [("case", the_case(cast.alice).pk)]
    assert "(4 rules)" in failures[0].summary


def test_the_lead_and_manager_hear_once_for_the_same_concerns(cast):
    made = one_pattern(cast)
    told = list(Notification.objects.values_list("recipient__username", flat=True))
    assert sorted(told) == ["helen", "sarah"]  # one each, not one per rule
    # Another rule about the same concerns joins the waiting case and tells nobody.
    operations.flag(
        cast.org.pk,
        "decision_review",
        cast.alice.pk,
        [c.pk for c in made[:3]],
        "The decision not to share is due for review.",
    )
    assert the_case(cast.alice).alerts.count() == 5
    assert Notification.objects.count() == 2


def test_a_decided_case_reopened_by_new_concerns_is_a_new_case_and_is_told_of(cast):
    one_pattern(cast)
    first = the_case(cast.alice)
    operations.decide_case(None, first, "no_further_action", REASONS, actor=cast.sarah)
    Notification.objects.all().delete()
    record_concern(
        cast, days_ago=0, severity="high", sharing_view="refuses", sharing_view_reason="Afraid."
    )
    second = CaseForDecision.objects.waiting().get(person=cast.alice)
    assert second.pk != first.pk
    assert set(second.alerts.values_list("rule", flat=True)) <= FOUR
    assert second.alerts.count() >= 2
    # The earlier decision stays with the first case, for audits.
    assert AlertDecision.objects.filter(case=first).count() == 4
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == [
        "helen",
        "sarah",
    ]


def test_the_case_page_lists_every_rule_and_one_decision_closes_them_all(cast, as_user):
    one_pattern(cast)
    case = the_case(cast.alice)
    client = as_user(cast.sarah)
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert "4 rules:" in html
    for alert in case.alerts.all():
        assert alert.title in html and alert.explanation in html
    assert html.count("<form") >= 1 and f'action="/cases/{case.pk}/decision/"' in html
    # The old address of any of its alerts shows the case.
    alert = case.alerts.first()
    old = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "4 rules:" in old and f'id="alert-{alert.pk}"' in old
    refused = client.post(f"/cases/{case.pk}/decision/", {"outcome": "no_further_action"})
    assert "Write your reasons for this decision" in refused.content.decode()
    done = client.post(
        f"/cases/{case.pk}/decision/", {"outcome": "no_further_action", "rationale": REASONS}
    )
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    assert set(Alert.objects.filter(case=case).values_list("status", flat=True)) == {"decided"}
    # The one decision reads once on the page, naming every rule it decided.
    after = client.get(f"/cases/{case.pk}/").content.decode()
    assert after.count(REASONS) == 1
    card = after.split(REASONS)[0].rsplit("For: ", 1)[1]
    assert all(a.title in card for a in case.alerts.all())
    assert Entry.objects.filter(
        action="viewed case for decision", person_id=cast.alice.pk, actor_id=cast.sarah.pk
    ).exists()


def test_the_old_decision_address_decides_the_whole_case(cast, as_user):
    one_pattern(cast)
    alert = the_case(cast.alice).alerts.first()
    as_user(cast.sarah).post(
        f"/alerts/{alert.pk}/decision/", {"outcome": "no_further_action", "rationale": REASONS}
    )
    assert not Alert.objects.needing_decision().exists()


def test_the_list_and_dashboard_show_one_row_per_case(cast, as_user):
    one_pattern(cast)
    case = the_case(cast.alice)
    client = as_user(cast.sarah)
    for path in ("/alerts/", "/oversight/"):
        html = client.get(path).content.decode()
        assert html.count(f'href="/cases/{case.pk}/"') == 1, path
        assert "4 rules:" in html
    html = client.get("/alerts/", {"rule": "risk_score"}).content.decode()
    assert f'href="/cases/{case.pk}/"' in html


def test_the_list_costs_the_same_queries_for_one_case_or_many(cast, as_user):
    one_pattern(cast)
    client = as_user(cast.sarah)
    client.get("/alerts/")
    with CaptureQueriesContext(connection) as one:
        client.get("/alerts/")
    one_pattern(cast, person=cast.bob)
    one_pattern(cast, person=cast.dennis)
    with CaptureQueriesContext(connection) as three:
        assert client.get("/alerts/").content.decode().count("4 rules:") == 3
    assert len(three) == len(one)


def test_who_may_open_and_decide_a_case(cast, as_user):
    one_pattern(cast)
    case = the_case(cast.alice)
    body = {"outcome": "no_further_action", "rationale": REASONS}
    # A manager of its teams sees it and may acknowledge it, but the lead decides.
    helen = as_user(cast.helen)
    assert helen.get(f"/cases/{case.pk}/").status_code == 200
    assert helen.post(f"/cases/{case.pk}/decision/", body).status_code == 403
    helen.post(f"/cases/{case.pk}/acknowledge/")
    assert set(case.alerts.values_list("status", flat=True)) == {"acknowledged"}
    # Care workers and another organisation's lead do not see it at all.
    assert as_user(cast.nia).get(f"/cases/{case.pk}/").status_code == 404
    assert as_user(cast.nia).post(f"/cases/{case.pk}/decision/", body).status_code == 404
    assert as_user(cast.olivia).get(f"/cases/{case.pk}/").status_code == 404
    assert not AlertDecision.objects.exists()


def test_a_manager_outside_its_teams_does_not_see_the_case(cast, as_user):
    one_pattern(cast, person=cast.carol, teams=(cast.community, cast.community))
    case = CaseForDecision.objects.get(person=cast.carol)
    assert as_user(cast.helen).get(f"/cases/{case.pk}/").status_code == 404
    assert "Carol" not in as_user(cast.helen).get("/alerts/").content.decode()


def test_a_lead_named_as_source_in_part_of_a_case_may_not_decide_it(cast, as_user):
    one_pattern(cast)
    case = the_case(cast.alice)
    named = record_concern(
        cast, days_ago=0, source_kind="staff", source_staff=cast.sarah, severity="high"
    )
    assert Alert.objects.filter(case=case, links__concern=named).exists()
    try:
        operations.decide_case(None, case, "no_further_action", REASONS, actor=cast.sarah)
    except operations.ValidationError as error:
        assert "another safeguarding lead" in " ".join(error.message_dict["outcome"])
    else:
        raise AssertionError("a lead decided alerts naming them")
    html = as_user(cast.sarah).get(f"/cases/{case.pk}/").content.decode()
    assert "Another safeguarding lead decides this case" in html
    assert 'action="/cases/' not in html.split("Decide what happens")[-1] or (
        "Decide what happens" not in html
    )


def test_the_api_decides_the_whole_case(cast, api):
    one_pattern(cast)
    case = the_case(cast.alice)
    alert = case.alerts.first()
    got = api(cast.sarah).get(f"/api/v1/cases/{case.pk}").json()
    assert {a["rule"] for a in got["alerts"]} == FOUR
    response = api(cast.sarah).post(
        f"/api/v1/alerts/{alert.pk}/decision",
        {"outcome": "no_further_action", "rationale": REASONS},
    )
    assert response.status_code == 201, response.json()
    assert not Alert.objects.needing_decision().exists()
    assert AlertDecision.objects.filter(case=case).count() == 4


def test_the_api_case_endpoints_refuse_those_who_may_not_see_or_decide(cast, api):
    one_pattern(cast)
    case = the_case(cast.alice)
    body = {"outcome": "no_further_action", "rationale": REASONS}
    assert api(cast.nia).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api(cast.olivia).get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api(cast.helen).post(f"/api/v1/cases/{case.pk}/decision", body).status_code == 403
    response = api(cast.sarah).post(f"/api/v1/cases/{case.pk}/decision", {"outcome": "x"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} >= {"outcome", "rationale"}
    done = api(cast.sarah).post(f"/api/v1/cases/{case.pk}/decision", body)
    assert done.status_code == 201 and done.json()["decided_at"]


def test_alerts_from_before_cases_are_put_into_cases_by_the_migration(cast):
    """Waiting alerts join one case per person; a decided alert's last decision
    becomes a decided case of its own, so past audits count the same waits."""
    from importlib import import_module

    from django.apps import apps

    one_pattern(cast)
    decided = Alert.objects.get(person=cast.alice, rule="cumulative")
    operations.decide(None, decided, "no_further_action", REASONS, actor=cast.sarah)
    # As before cases: no alert or decision belongs to one.
    AlertDecision.objects.update(case=None)
    Alert.objects.update(case=None)
    CaseForDecision.objects.all().delete()

    import_module("sharewise.patterns.migrations.0006_alerts_into_cases").forwards(apps, None)
    waiting = Alert.objects.filter(person=cast.alice).needing_decision()
    assert waiting.count() == 3 and len({a.case_id for a in waiting}) == 1
    decided.refresh_from_db()
    assert decided.case_id not in {a.case_id for a in waiting}
    assert decided.case.decided_at == decided.decisions.get().decided_at
    assert decided.decisions.get().case_id == decided.case_id
