"""Where training shows in governance: supervision before the session, the learning
log's measures and assigning from a lesson or an action, and the evidence pack."""

from datetime import timedelta

from django.utils import timezone

from sharewise.governance import evidence
from sharewise.governance.models import Lesson
from sharewise.training.models import Assignment
from sharewise.training.tests.rows import assignment, attempt, policies_saved, receipt


def _nias_training(cast):
    policies_saved(cast)
    attempt(
        cast,
        cast.nia,
        35,
        title="Sent the whole record",
        feedback=[{"point": "Fields sent beyond the minimum: diagnosis", "right": False}],
    )
    receipt(cast, cast.nia, "recording")
    assignment(cast, [cast.nia], due_in=-4)


def test_the_supervisor_sees_scores_receipts_and_overdue_training_before_the_session(cast, as_user):
    _nias_training(cast)
    page = as_user(cast.helen).get(f"/governance/supervision/staff/{cast.nia.pk}/").content
    page = page.decode()
    assert "Their training" in page
    assert "Sent the whole record" in page and "35%" in page
    assert "Fields sent beyond the minimum: diagnosis" in page
    assert "Recording standards version 2: confirmed" in page
    assert "Not confirmed</strong> Information-sharing policy" in page
    assert "Overdue" in page


def test_the_supervision_api_gives_the_same_training(cast, api):
    _nias_training(cast)
    got = api(cast.helen).get(f"/api/v1/supervisions/staff/{cast.nia.pk}/training").json()
    assert got["attempts"][0]["score"] == 35
    assert [r["kind"] for r in got["confirmed"]] == ["recording"]
    assert got["assignments"][0]["overdue"] is True


def test_a_supervisor_who_may_not_see_them_does_not(cast, as_user, api):
    _nias_training(cast)
    attempt(cast, cast.priya, 90, title="Priya's case")
    # Helen manages Rose House, not Community North.
    assert (
        as_user(cast.helen).get(f"/governance/supervision/staff/{cast.priya.pk}/").status_code
        == 404
    )
    got = api(cast.helen).get(f"/api/v1/supervisions/staff/{cast.priya.pk}/training")
    assert got.status_code == 404 and "Priya" not in got.content.decode()
    # A care worker cannot open anyone's supervision.
    assert as_user(cast.tom).get(f"/governance/supervision/staff/{cast.nia.pk}/").status_code == 403


def _lesson(cast, measure, changed_days=20, window=30):
    return Lesson.objects.create(
        organisation=cast.org,
        title="Whole records sent to the council",
        source=Lesson.Source.INTERNAL_REVIEW,
        what_happened="Referrals carried the whole care record every time",
        failure_pattern=Lesson.Pattern.OVER_SHARING,
        measure=measure,
        changed_on=timezone.localdate() - timedelta(days=changed_days),
        window_days=window,
        recorded_by=cast.sarah,
    )


def test_a_lesson_shows_practice_scores_before_and_after_the_change(cast, as_user, monkeypatch):
    from sharewise.training import casebook

    monkeypatch.setattr(casebook, "failure_patterns", lambda: {"minimum-1": "over_sharing"})
    lesson = _lesson(cast, "practice_scores")
    staff = [cast.nia, cast.tom, cast.priya, cast.helen, cast.sarah]
    for person in staff:
        attempt(cast, person, 40, code="minimum-1", days_ago=25)  # before: 5 at 40
    for person in staff:
        attempt(cast, person, 80, code="minimum-1", days_ago=5)  # after: 5 at 80
    attempt(cast, cast.nia, 10, code="other-case", days_ago=5)  # another pattern
    page = as_user(cast.sarah).get(f"/governance/learning/{lesson.pk}/").content.decode()
    assert "40.0 points before (5 attempts)" in page
    assert "80.0 points after (5 attempts" in page
    assert "Better" in page


def test_practice_scores_from_a_handful_of_attempts_are_not_shown(cast, as_user, monkeypatch):
    from sharewise.training import casebook

    monkeypatch.setattr(casebook, "failure_patterns", lambda: {"minimum-1": "over_sharing"})
    lesson = _lesson(cast, "practice_scores")
    attempt(cast, cast.nia, 20, code="minimum-1", days_ago=25)
    attempt(cast, cast.nia, 100, code="minimum-1", days_ago=5)
    page = as_user(cast.sarah).get(f"/governance/learning/{lesson.pk}/").content.decode()
    assert "Not shown: fewer than 5 before (&lt;5 attempts)" in page
    assert "20.0" not in page and "100.0" not in page


def test_a_lesson_compares_staff_who_did_its_training_with_everyone_else(cast, as_user):
    from sharewise.governance.tests.test_measures import disclosure

    lesson = _lesson(cast, "referrals_within_minimum")
    assignment(
        cast, [cast.sarah, cast.helen], done=[cast.sarah], source="lesson", source_id=lesson.pk
    )
    for days in (2, 3, 4, 5, 6):
        disclosure(cast, days)  # sent by Sarah, within the minimum
    page = as_user(cast.sarah).get(f"/governance/learning/{lesson.pk}/").content.decode()
    comparison = page.split("staff who did the training against everyone else")[1]
    assert 'Staff who did the training</th><td class="nhsuk-table__cell">100.0%' in comparison
    assert 'Everyone else</th><td class="nhsuk-table__cell">No records' in comparison
    assert "1 of 2 staff" in page


def test_assigning_from_a_lesson_records_the_source_and_shows_on_the_lesson(cast, as_user):
    lesson = _lesson(cast, "referrals_within_minimum")
    due = timezone.localdate() + timedelta(days=10)
    client = as_user(cast.sarah)
    answer = client.post(
        f"/governance/learning/{lesson.pk}/assign-training/",
        {
            "what": "policy",
            "policy_kind": "information_sharing",
            "team_ids": [cast.night.pk, cast.day.pk],
            "due_0": due.day,
            "due_1": due.month,
            "due_2": due.year,
        },
    )
    assert answer.status_code == 302
    made = Assignment.objects.get()
    assert (made.source, made.source_id) == ("lesson", lesson.pk)
    page = client.get(f"/governance/learning/{lesson.pk}/").content.decode()
    assert "Read the information-sharing policy" in page
    assert "0 of 3 staff" in page  # Nia, Tom, and Helen who manages both teams


def test_assigning_with_nobody_chosen_says_what_to_fix(cast, as_user):
    lesson = _lesson(cast, "referrals_within_minimum")
    due = timezone.localdate() + timedelta(days=10)
    page = as_user(cast.sarah).post(
        f"/governance/learning/{lesson.pk}/assign-training/",
        {
            "what": "policy",
            "policy_kind": "recording",
            "due_0": due.day,
            "due_1": due.month,
            "due_2": due.year,
        },
    )
    assert "Nobody matches: choose roles, teams or named staff" in page.content.decode()
    assert not Assignment.objects.exists()


def test_assigning_from_an_action_shows_on_the_action(cast, as_user, api):
    from conftest import audit_finding
    from sharewise.governance import actions
    from sharewise.governance.tests.test_audits import by

    _, finding = audit_finding(cast)
    action = actions.add(
        by(cast.sarah),
        cast.org.pk,
        "Retrain the night team",
        cast.helen,
        timezone.localdate() + timedelta(days=7),
        finding=finding,
    )
    due = (timezone.localdate() + timedelta(days=9)).isoformat()
    made = api(cast.sarah).post(
        f"/api/v1/actions/{action.pk}/training",
        {"what": "policy", "policy_kind": "recording", "staff_ids": [cast.nia.pk], "due": due},
    )
    assert made.status_code == 201 and made.json()["reached"] == 1
    assert Assignment.objects.get().source == "action"
    page = as_user(cast.sarah).get(f"/governance/actions/{action.pk}/").content.decode()
    assert "Read the recording standards" in page and "0 of 1 staff" in page
    body = {"what": "policy", "policy_kind": "recording", "staff_ids": [], "due": due}
    assert api(cast.nia).post(f"/api/v1/actions/{action.pk}/training", body).status_code == 403
    assert (
        api(cast.olivia)
        .post(
            f"/api/v1/actions/{action.pk}/training",
            {"what": "policy", "policy_kind": "recording", "staff_ids": [], "due": due},
        )
        .status_code
        == 404
    )


def test_the_evidence_packs_training_section_has_the_figures_and_no_names(cast):
    policies_saved(cast)
    staff = [cast.nia, cast.tom, cast.priya, cast.helen, cast.sarah, cast.david]
    assignment(cast, staff, due_in=-2, done=staff[:5])
    for person in staff:
        attempt(cast, person, 60, title=f"{person.first_name}'s own words")
        receipt(cast, person, "information_sharing")
    today = timezone.localdate()
    f = evidence.figures(cast.org.pk, today - timedelta(days=30), today)
    assert f["training"]["assigned"] == 6 and f["training"]["done"] == 5
    assert f["training"]["overdue"] == 1
    html = evidence.render_html(cast.org.name, today - timedelta(days=30), today, f, 5)
    section = html.split("Training")[-1]
    assert "Information-sharing policy, version 2" in html
    assert "Not shown: it would give away a count under 5" in html  # 6 of 7: one did not
    receipt(cast, cast.grace, "information_sharing")
    f = evidence.figures(cast.org.pk, today - timedelta(days=30), today)
    html = evidence.render_html(cast.org.name, today - timedelta(days=30), today, f, 5)
    assert "100.0%" in html
    assert "60.0 points" in html
    for name in ("Nia", "Okafor", "Tom", "Priya", "Helen", "Sarah", "David"):
        assert name not in html, name
    assert section
