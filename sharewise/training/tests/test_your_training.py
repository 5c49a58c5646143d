"""Your training: what a member of staff has to do, the policies they confirmed and
their practice results, and the header link with how many things wait."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from sharewise.training import assignments, casebook
from sharewise.training.models import Assignment, Attempt


@pytest.fixture(autouse=True)
def _cases(monkeypatch):
    monkeypatch.setattr(casebook, "titles", lambda: {"refusal-night": "Refused at night"})


def by(user):
    return SimpleNamespace(user=user, META={})


def test_your_training_shows_what_is_due_marks_overdue_and_lists_practice(cast, as_user):
    made = assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today,
        staff_ids=[cast.nia.pk],
        note="Talk it over at handover",
    )
    Assignment.objects.filter(pk=made.pk).update(due=cast.today - timedelta(days=2))
    Attempt.objects.create(
        organisation=cast.org,
        staff=cast.nia,
        case_code="refusal-night",
        case_title="Refused at night",
        case_digest="0" * 64,
        score=70,
        finished_at=timezone.now(),
    )
    page = as_user(cast.nia).get("/training/").content.decode()
    assert "Practice case “Refused at night”" in page
    assert "Overdue" in page and "Talk it over at handover" in page
    assert "70%" in page
    # the header says how many things wait
    assert "Your training" in page and '<strong class="sw-count">1<' in page


def test_someone_elses_training_is_not_on_your_page(cast, as_user):
    assignments.make(
        by(cast.sarah),
        what="case",
        case_code="refusal-night",
        due=cast.today,
        staff_ids=[cast.tom.pk],
    )
    Attempt.objects.create(
        organisation=cast.org,
        staff=cast.tom,
        case_code="refusal-night",
        case_title="Refused at night",
        case_digest="0" * 64,
        score=40,
    )
    page = as_user(cast.nia).get("/training/").content.decode()
    assert "Refused at night" not in page and "40%" not in page
    assert "Nothing to do: you are up to date." in page


def test_an_administrator_has_no_training_page(cast, as_user, api):
    client = as_user(cast.owen)
    assert client.get("/training/").status_code == 403
    assert "Your training" not in client.get("/account/security/").content.decode()
    assert api(cast.owen).get("/api/v1/training/mine").status_code == 403


def test_the_api_gives_what_the_page_shows(cast, api):
    assignments.make(
        by(cast.sarah),
        what="policy",
        policy_kind="recording",
        due=cast.today + timedelta(days=4),
        staff_ids=[cast.tom.pk],
    )
    mine = api(cast.tom).get("/api/v1/training/mine").json()
    assert [(t["title"], t["overdue"]) for t in mine["to_do"]] == [
        ("read the recording standards", False)
    ]
    assert mine["to_confirm"] == []  # shown once, as the assignment
    assert mine["receipts"] == [] and mine["attempts"] == []
