"""The oversight dashboard and alert pages, as the lead, a manager and a care worker
would use them."""

from datetime import timedelta

from django.utils import timezone

from conftest import days_spanned, record_concern
from sharewise.audittrail.models import Entry
from sharewise.patterns.models import Alert
from sharewise.policy.tests.test_policy_forms import change


def alice_pattern(cast):
    for d in (40, 20, 2):
        record_concern(cast, days_ago=d)
    return Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")


def carol_pattern(cast):
    for d in (40, 20, 2):
        record_concern(cast, person=cast.carol, team=cast.community, by=cast.priya, days_ago=d)
    return Alert.objects.get(rule="cumulative", subject=f"person:{cast.carol.pk}")


def test_the_lead_sees_every_alert_waiting_with_links_to_the_chronology(cast, as_user):
    alice, carol = alice_pattern(cast), carol_pattern(cast)
    page = as_user(cast.sarah).get("/oversight/")
    html = page.content.decode()
    assert f'href="/cases/{alice.case_id}/"' in html and f'href="/cases/{carol.case_id}/"' in html
    assert f'href="/people/{cast.alice.pk}/chronology/"' in html
    assert f"3 concerns about one person in {days_spanned(alice)} days" in html
    assert Entry.objects.filter(
        action="viewed oversight dashboard", person_id=cast.alice.pk, actor_id=cast.sarah.pk
    ).exists()


def test_a_manager_sees_the_same_for_their_own_services_only(cast, as_user):
    alice, carol = alice_pattern(cast), carol_pattern(cast)
    html = as_user(cast.helen).get("/oversight/").content.decode()
    assert f'href="/cases/{alice.case_id}/"' in html
    assert f'href="/cases/{carol.case_id}/"' not in html
    assert "Carol" not in html
    assert as_user(cast.helen).get(f"/alerts/{carol.pk}/").status_code == 404
    assert as_user(cast.helen).get(f"/cases/{carol.case_id}/").status_code == 404


def test_care_workers_and_administrators_have_no_oversight_page(cast, as_user):
    alice_pattern(cast)
    assert as_user(cast.nia).get("/oversight/").status_code == 403
    assert as_user(cast.owen).get("/oversight/").status_code == 403
    assert "Oversight" not in as_user(cast.nia).get("/people/").content.decode()


def test_the_heat_map_counts_concerns_by_service_and_kind_and_opens_them(cast, as_user):
    record_concern(cast, categories=["physical"], days_ago=3)
    record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom, categories=["physical"])
    record_concern(cast, categories=["physical"], days_ago=120)  # outside the 90 days
    html = as_user(cast.sarah).get("/oversight/").content.decode()
    cell = f'href="/oversight/services/{cast.rose.pk}/physical/">2</a>'
    assert cell in html
    listing = as_user(cast.sarah).get(f"/oversight/services/{cast.rose.pk}/physical/")
    assert "Alice Moore" in listing.content.decode() and "Bob Evans" in listing.content.decode()


def test_refusals_and_overdue_reviews_are_listed(cast, as_user):
    record_concern(cast, days_ago=4, sharing_view="refuses", sharing_view_reason="Afraid.")
    html = as_user(cast.sarah).get("/oversight/").content.decode()
    refusals = html.split('id="refusals"')[1].split('id="overdue"')[0]
    assert (
        "Alice Moore" in refusals and '<td class="nhsuk-table__cell sw-numeric">1</td>' in refusals
    )
    overdue = html.split('id="overdue"')[1]
    assert "Alice Moore" in overdue  # recorded 4 days ago, review was due within 24 hours


def test_deciding_without_reasons_is_refused_with_a_message_and_nothing_changes(cast, as_user):
    alert = alice_pattern(cast)
    page = as_user(cast.sarah).post(
        f"/alerts/{alert.pk}/decision/", {"outcome": "no_further_action", "rationale": "ok"}
    )
    assert page.status_code == 200
    assert "Write your reasons in at least 8 words" in page.content.decode()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_the_lead_records_a_decision_and_a_manager_cannot(cast, as_user):
    alert = alice_pattern(cast)
    reasons = "Spoke to Alice and her daughter; bell moved and checked hourly at night now."
    refused = as_user(cast.helen).post(
        f"/alerts/{alert.pk}/decision/", {"outcome": "no_further_action", "rationale": reasons}
    )
    assert refused.status_code == 403
    until = timezone.localdate() + timedelta(days=30)
    done = as_user(cast.sarah).post(
        f"/alerts/{alert.pk}/decision/",
        {
            "outcome": "monitor",
            "rationale": reasons,
            "monitor_until_0": until.day,
            "monitor_until_1": until.month,
            "monitor_until_2": until.year,
        },
    )
    assert done.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DECIDED
    decision = alert.decisions.get()
    assert decision.monitor_until == until and decision.decided_by == cast.sarah


def test_a_manager_acknowledges_and_the_alert_still_waits_for_a_decision(cast, as_user):
    alert = alice_pattern(cast)
    as_user(cast.helen).post(f"/alerts/{alert.pk}/acknowledge/")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED and alert.acknowledged_by == cast.helen
    assert alert in Alert.objects.needing_decision()


def test_the_person_page_shows_the_risk_score_and_open_alerts(cast, as_user):
    alert = alice_pattern(cast)
    html = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/").content.decode()
    assert "Risk score:" in html and f'href="/cases/{alert.case_id}/"' in html
    # A care worker sees the score but not the alert (alerts are for managers and leads).
    html = as_user(cast.nia).get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    assert "Risk score:" in html and f"/cases/{alert.case_id}/" not in html


def test_notifications_are_listed_and_marked_read(cast, as_user):
    alert = alice_pattern(cast)
    client = as_user(cast.sarah)
    html = client.get("/people/").content.decode()
    assert "unread" in html
    page = client.get("/notifications/").content.decode()
    assert (
        f'href="/alerts/{alert.pk}/"' in page
        and "New case for decision: Cumulative concerns" in page
    )
    client.post("/notifications/")
    assert not cast.sarah.notifications.filter(read_at__isnull=True).exists()


def test_the_alert_page_writes_the_read_to_each_persons_trail(cast, as_user):
    alert = alice_pattern(cast)
    as_user(cast.sarah).get(f"/alerts/{alert.pk}/")
    assert Entry.objects.filter(
        action="viewed alert", person_id=cast.alice.pk, object_id=str(alert.pk)
    ).exists()


def _period(prefix, day):
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_the_lead_tries_stricter_rules_on_past_concerns_beside_the_rules_in_force(cast, as_user):
    alice_pattern(cast)
    today = timezone.localdate()
    client = as_user(cast.sarah)
    form = client.get("/policy/patterns/backtest/")
    assert "cumulative:" in form.context["form"].initial["document"]
    page = client.post(
        "/policy/patterns/backtest/",
        {
            **_period("start", today - timedelta(days=365)),
            **_period("end", today),
            "document": "cumulative:\n  concerns: 4\n",
        },
    )
    totals = dict((title, (now, new)) for title, now, new in page.context["results"]["totals"])
    assert totals["Cumulative concerns"] == (1, 0)
    assert ("cumulative", cast.alice.pk) not in {
        (row.rule, row.person_id) for row, _ in page.context["results"]["rows"]
    }
    assert Entry.objects.filter(
        action="tried pattern rules on past concerns", person_id=cast.alice.pk
    ).exists()


def test_a_mistake_in_the_rules_tried_is_named_and_nothing_is_run(cast, as_user):
    today = timezone.localdate()
    page = as_user(cast.sarah).post(
        "/policy/patterns/backtest/",
        {
            **_period("start", today),
            **_period("end", today - timedelta(days=3)),
            "document": "cumulative:\n  concerns: 0\n  dayz: 4\n",
        },
    )
    html = page.content.decode()
    assert "The last day must be on or after the first day" in html
    assert page.context["results"] is None
    fixed = as_user(cast.sarah).post(
        "/policy/patterns/backtest/",
        {
            **_period("start", today - timedelta(days=3)),
            **_period("end", today),
            "document": "cumulative:\n  concerns: 0\n  dayz: 4\n",
        },
    )
    html = fixed.content.decode()
    assert "cumulative.concerns" in html and "dayz" in html
    assert fixed.context["results"] is None


def test_only_leads_try_rules_and_change_them(cast, as_user):
    assert as_user(cast.helen).get("/policy/patterns/backtest/").status_code == 403
    assert as_user(cast.helen).get("/policy/patterns/").status_code == 403
    lead = as_user(cast.sarah)
    lead.cast = cast
    _, saved = change(lead, "patterns", {"cumulative-concerns": "4"}, note="Fewer alerts")
    assert saved.status_code == 302
    for d in (40, 20, 2):
        record_concern(cast, days_ago=d)
    assert not Alert.objects.filter(rule="cumulative").exists()  # three are no longer enough


def test_the_risk_score_is_beside_each_person_in_my_people(cast, as_user):
    alice_pattern(cast)
    html = as_user(cast.nia).get("/people/").content.decode()
    row = html.split("Alice Moore")[1].split("</td>")[0]
    assert "Risk " in row


def test_an_empty_rationale_is_named_once_with_what_to_write(cast, as_user):
    alert = alice_pattern(cast)
    page = as_user(cast.sarah).post(
        f"/alerts/{alert.pk}/decision/", {"outcome": "monitor", "rationale": ""}
    )
    form = page.context["form"]
    assert form.errors["rationale"] == ["Write your reasons for this decision"]
    assert "monitor_until" in form.errors  # monitoring needs a date
