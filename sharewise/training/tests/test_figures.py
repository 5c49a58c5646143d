"""Training figures as others show them: one member of staff's results for
supervision, practice scores around a change, what a lesson's assignments reached, and
the evidence pack's de-identified counts."""

from datetime import timedelta

from django.utils import timezone

from sharewise.training import figures
from sharewise.training.tests.rows import assignment, attempt, policies_saved, receipt


def test_a_member_of_staffs_training_shows_what_went_wrong_first(cast):
    policies_saved(cast)
    attempt(
        cast,
        cast.nia,
        40,
        feedback=[
            {"point": "Recommendation followed", "right": True, "why": ""},
            {"point": "Sent the whole care record", "right": False, "why": "Beyond the minimum"},
        ],
    )
    receipt(cast, cast.nia, "recording")
    assignment(cast, [cast.nia], due_in=-3)
    assignment(cast, [cast.nia], due_in=5, done=[cast.nia])
    found = figures.staff_training(cast.nia, cast.org.pk)
    (shown,) = found["attempts"]
    assert shown["score"] == 40
    assert shown["points"] == ["Sent the whole care record", "Recommendation followed"]
    assert [r["kind"] for r in found["confirmed"]] == ["recording"]
    # the decision framework is for those who make sharing decisions, not care workers
    assert {r["kind"] for r in found["not_confirmed"]} == {"information_sharing"}
    assert len(found["assignments"]) == 1 and found["overdue"] == 1


def test_mean_score_counts_only_the_cases_and_window_asked(cast):
    attempt(cast, cast.nia, 40, code="a", days_ago=10)
    attempt(cast, cast.tom, 80, code="a", days_ago=3)
    attempt(cast, cast.tom, 100, code="b", days_ago=3)
    now = timezone.now()
    assert figures.mean_score(cast.org.pk, ["a"], now - timedelta(days=5), now) == (80, 1)
    assert figures.mean_score(cast.org.pk, ["a"], now - timedelta(days=20), now) == (60, 2)


def test_assignments_from_a_lesson_count_who_has_done_them(cast):
    assignment(cast, [cast.nia, cast.tom], done=[cast.tom], source="lesson", source_id=7)
    assignment(cast, [cast.priya], source="lesson", source_id=8)
    (made,) = figures.assignments_from(cast.org.pk, "lesson", 7)
    assert (made["reached"], made["done"]) == (2, 1)
    assert figures.completed_staff(cast.org.pk, "lesson", 7) == {cast.tom.pk}


def test_the_evidence_figures_count_completion_attempts_and_confirmations(cast, monkeypatch):
    monkeypatch.setattr(figures.casebook, "failure_patterns", lambda: {"a": "over_sharing"})
    assignment(cast, [cast.nia, cast.tom, cast.priya], due_in=-2, done=[cast.tom])
    attempt(cast, cast.nia, 40, code="a")
    attempt(cast, cast.tom, 90, code="a")
    attempt(cast, cast.priya, 70, code="z")
    receipt(cast, cast.nia)
    receipt(cast, cast.tom)
    hi = timezone.now() + timedelta(hours=1)
    lo = hi - timedelta(days=30)
    f = figures.evidence(cast.org.pk, lo, hi)
    assert (f["assigned"], f["done"], f["done_on_time"], f["overdue"]) == (3, 1, 0, 2)
    assert f["attempts_by_pattern"] == [
        {"code": "other", "attempts": 1, "mean_score": 70.0},
        {"code": "over_sharing", "attempts": 2, "mean_score": 65.0},
    ]
    policies = {p["kind"]: p for p in f["policies"]}
    assert policies["information_sharing"]["confirmed"] == 2
    assert f["staff"] == 7  # the organisation's staff but the administrator
