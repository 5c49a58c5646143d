"""Recording a concern: checked the same way whichever door it came through,
saved whole or not at all, and never edited in place."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.concerns import recording
from sharewise.concerns.models import Amendment, Concern


def form_data(cast, **overrides):
    when = timezone.localtime() - timedelta(hours=2)
    data = {
        "occurred_on": when.date().isoformat(),
        "occurred_time": when.strftime("%H:%M"),
        "team": cast.night.pk,
        "categories": ["psychological"],
        "risk_indicators": ["coercion"],
        "information_source": "disclosed",
        "facts": "Alice said her daughter shouts at her on the phone and calls her useless.",
        "persons_words": "She tells me I'm a burden and should be in the ground.",
        "persons_wishes": "She wants the calls to stop but does not want her daughter in trouble.",
        "sharing_view": "refuses",
        "sharing_view_reason": "She is frightened her daughter will stop visiting.",
        "injury": "none",
        "source_kind": "family_friend",
        "source_description": "Her daughter",
        "immediate_action": "Sat with Alice, reassured her, and informed the nurse in charge.",
        "who_was_told": "Nurse in charge",
        "severity": "moderate",
    }
    data.update(overrides)
    return data


def test_a_care_worker_records_a_concern_with_its_shift_derived(cast, as_user):
    at_night = (timezone.localtime() - timedelta(days=1)).replace(hour=23, minute=15)
    response = as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(
            cast,
            occurred_on=at_night.date().isoformat(),
            occurred_time="23:15",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    concern = Concern.objects.get()
    assert concern.shift == "night"
    assert (concern.service, concern.team) == (cast.rose, cast.night)
    assert list(concern.people.all()) == [cast.alice]
    assert concern.unmet_standards == []
    assert concern.review_due_at == concern.recorded_at + timedelta(hours=24)
    assert Entry.objects.filter(
        action="recorded concern", person_id=cast.alice.pk, actor="nia"
    ).exists()


def test_immediate_danger_must_be_reviewed_within_the_hour(cast, as_user):
    as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, severity="immediate")
    )
    concern = Concern.objects.get()
    assert concern.review_due_at == concern.recorded_at + timedelta(hours=1)


def test_the_emergency_steps_are_on_the_form(cast, as_user):
    page = as_user(cast.nia).get(f"/people/{cast.alice.pk}/concerns/new/").content.decode()
    assert "call 999" in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"occurred_on": timezone.localdate().replace(year=timezone.localdate().year + 1)},
            "occurred_on",
            "cannot be in the future",
        ),
        ({"occurred_on": "1930-01-02"}, "occurred_on", "before Alice Moore was born"),
        ({"occurred_on": "2026-02-31"}, "occurred_on", "Enter a real date"),
        ({"categories": ["witchcraft"]}, "categories", "from the choices given"),
        ({"facts": "   "}, "facts", "Say what happened"),
        ({"immediate_action": ""}, "immediate_action", "Say what you did"),
        ({"occurred_time": "25:99"}, "occurred_time", "Enter the time"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(cast, as_user, change, field, message):
    response = as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, **change)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Concern.objects.exists()


def test_a_person_out_of_scope_cannot_have_a_concern_recorded_against_them(cast, as_user):
    response = as_user(cast.nia).post(f"/people/{cast.bob.pk}/concerns/new/", form_data(cast))
    assert response.status_code == 404
    assert not Concern.objects.exists()


def test_optional_questions_left_blank_are_not_standards_not_met(cast, as_user):
    client = as_user(cast.nia)
    client.post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(
            cast,
            persons_words="",
            persons_wishes="",
            injury="unexplained",
            injury_location="",
            who_was_told="",
            sharing_view_reason="",
            risk_indicators=[],
        ),
    )
    concern = Concern.objects.get()
    assert concern.unmet_standards == []
    page = as_user(cast.helen).get(f"/concerns/{concern.pk}/").content.decode()
    assert "Recording standards not met" not in page


def test_the_standards_that_are_prompts_are_shown_beside_their_questions(cast, as_user):
    page = as_user(cast.nia).get(f"/people/{cast.alice.pk}/concerns/new/").content.decode()
    # The prompt is the question's hint, read out with it.
    assert 'aria-describedby="id_persons_words_helptext"' in page
    assert "write down their own words" in page
    assert "Ask the person what they want to happen" in page


def test_a_standard_the_policy_requires_is_a_required_question(cast, as_user):
    response = as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, immediate_action="")
    )
    page = response.content.decode()
    # In the policy's own words, in the summary and by the question, never "(optional)".
    message = "Say what you did straight away to keep the person safe."
    summary = page[page.index("nhsuk-error-summary") :]
    assert message in summary[: summary.index("</ul>")]
    by_question = page[page.index('id="id_immediate_action_error"') :]
    assert message in by_question[:300]
    assert "What you did straight away (optional)" not in page
    assert not Concern.objects.exists()


def test_corrections_are_amendments_and_the_original_stays(cast, as_user):
    client = as_user(cast.nia)
    client.post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast))
    concern = Concern.objects.get()
    original = concern.facts
    response = client.post(
        f"/concerns/{concern.pk}/amend/",
        {
            "reason": "Alice clarified it was her son, not her daughter",
            "facts": original.replace("daughter", "son"),
            "severity": "moderate",
            "categories": ["psychological"],
            "persons_words": concern.persons_words,
            "persons_wishes": concern.persons_wishes,
            "sharing_view_reason": concern.sharing_view_reason,
            "immediate_action": concern.immediate_action,
            "who_was_told": concern.who_was_told,
        },
    )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.facts == original
    amendment = Amendment.objects.get()
    assert set(amendment.changes) == {"facts"}
    assert recording.current(concern)["facts"].startswith("Alice said her son")
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "<del>" + original[:20] in page and "Alice clarified" in page
    assert Entry.objects.filter(
        action="amended concern", reason__startswith="Alice clarified"
    ).exists()


def test_an_amendment_needs_a_reason_and_a_change(cast, as_user):
    as_user(cast.nia).post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast))
    concern = Concern.objects.get()
    request = type("R", (), {"user": cast.nia, "META": {}})()
    with pytest.raises(ValidationError) as raised:
        recording.amend(request, concern, {"facts": concern.facts}, "")
    assert set(raised.value.message_dict) == {"reason", "changes"}


def test_the_manager_reviews_from_the_queue_with_a_rationale(cast, as_user):
    as_user(cast.nia).post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast))
    concern = Concern.objects.get()
    helen = as_user(cast.helen)
    queue = helen.get("/reviews/").content.decode()
    assert "Alice Moore" in queue
    refused = helen.post(
        f"/concerns/{concern.pk}/review/", {"outcome": "monitor", "rationale": "ok"}
    )
    assert "Explain your decision" in refused.content.decode()
    helen.post(
        f"/concerns/{concern.pk}/review/",
        {
            "outcome": "monitor",
            "rationale": "Speak to Alice again tomorrow about her daughter's calls.",
        },
    )
    concern.refresh_from_db()
    assert concern.review.outcome == "monitor"
    assert "Alice Moore" not in helen.get("/reviews/").content.decode()


def test_overdue_reviews_stand_out(cast, as_user):
    as_user(cast.nia).post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast))
    Concern.objects.update(review_due_at=timezone.now() - timedelta(hours=1))
    assert "Overdue" in as_user(cast.helen).get("/reviews/").content.decode()


def test_care_workers_cannot_review(cast, as_user):
    as_user(cast.nia).post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast))
    concern = Concern.objects.get()
    assert as_user(cast.nia).get("/reviews/").status_code == 403
    assert (
        as_user(cast.nia)
        .post(f"/concerns/{concern.pk}/review/", {"outcome": "monitor", "rationale": "x" * 20})
        .status_code
        == 403
    )


def test_a_staff_member_named_as_the_source_can_no_longer_see_the_concern(cast, as_user):
    as_user(cast.helen).post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(cast, source_kind="staff", source_staff=cast.nia.pk, source_description=""),
    )
    concern = Concern.objects.get()
    assert concern.source_staff == cast.nia
    nia = as_user(cast.nia)
    assert nia.get(f"/concerns/{concern.pk}/").status_code == 404
    assert (
        f"Concern {concern.pk}"
        not in nia.get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    )
    assert as_user(cast.sarah).get(f"/concerns/{concern.pk}/").status_code == 200


def test_the_chronology_shows_every_team_and_shift(cast, as_user):
    y = timezone.localdate() - timedelta(days=1)
    day = {"occurred_on": y.isoformat()}
    as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, occurred_time="23:00", **day)
    )
    as_user(cast.helen).post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(cast, team=cast.day.pk, occurred_time="10:00", **day),
    )
    page = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/chronology/").content.decode()
    assert "2 concerns</strong> recorded by 2 teams" in page
    assert "Night team, Rose House · Night shift" in page
    assert "Day team, Rose House · Early shift" in page
    assert "<svg" in page and "Concerns per month, by team" in page
    filtered = (
        as_user(cast.sarah)
        .get(f"/people/{cast.alice.pk}/chronology/", {"team": cast.day.pk})
        .content.decode()
    )
    assert "1 concern</strong>" in filtered


def test_the_recording_function_refuses_what_the_api_might_send(cast):
    _, policy = recording.policy_for(cast.org.pk)
    draft = recording.Draft(
        people=[cast.alice],
        occurred_at=timezone.now() + timedelta(days=2),
        service=cast.riverside,
        team=cast.night,
        categories=["nonsense"],
        answers={"severity": "apocalyptic"},
    )
    errors = recording.problems(draft, cast.org.pk, policy)
    assert {"occurred_at", "team", "categories", "severity", "facts", "immediate_action"} <= set(
        errors
    )


def test_occurred_at_may_be_a_moment_ago_by_a_fast_clock(cast):
    _, policy = recording.policy_for(cast.org.pk)
    draft = recording.Draft(
        people=[cast.alice],
        occurred_at=timezone.now() + timedelta(minutes=2),
        service=cast.rose,
        team=cast.night,
        categories=["neglect"],
    )
    assert "occurred_at" not in recording.problems(draft, cast.org.pk, policy)
    assert isinstance(draft.occurred_at, datetime)


def test_an_amendment_that_blanks_a_required_answer_is_refused(cast, as_user):
    client = as_user(cast.nia)
    client.post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, who_was_told=""))
    concern = Concern.objects.get()
    assert "Say who you told" not in client.get(f"/concerns/{concern.pk}/").content.decode()
    request = type("R", (), {"user": cast.nia, "META": {}})()
    with pytest.raises(ValidationError):
        recording.amend(request, concern, {"facts": ""}, "Typed in the wrong record")
    concern.refresh_from_db()
    assert concern.unmet_standards == []


def test_an_empty_form_lists_every_problem_at_once(cast, as_user):
    response = as_user(cast.nia).post(
        f"/people/{cast.alice.pk}/concerns/new/", {"team": cast.night.pk}
    )
    page = response.content.decode()
    for message in (
        "Say what happened",
        "Say what you did straight away",
        "Choose at least one category",
    ):
        assert message in page


def test_childrens_categories_are_not_offered_for_adults(cast, as_user):
    adult_form = as_user(cast.sarah).get(f"/people/{cast.alice.pk}/concerns/new/").content.decode()
    child_form = as_user(cast.sarah).get(f"/people/{cast.fiona.pk}/concerns/new/").content.decode()
    assert "Child sexual exploitation" not in adult_form
    assert "Child sexual exploitation" in child_form
    _, policy = recording.policy_for(cast.org.pk)
    draft = recording.Draft(
        people=[cast.alice],
        occurred_at=timezone.now(),
        service=cast.rose,
        team=cast.night,
        categories=["child_sexual_exploitation"],
    )
    assert "for children only" in recording.problems(draft, cast.org.pk, policy)["categories"][0]


def test_the_quick_risk_questions_are_kept_and_none_cannot_go_with_a_risk(cast, as_user):
    client = as_user(cast.nia)
    page = client.post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(cast, risk_indicators=["none", "children"]),
    ).content.decode()
    assert "You ticked &#x27;None of these&#x27; and a risk as well" in page
    assert not Concern.objects.exists()
    client.post(
        f"/people/{cast.alice.pk}/concerns/new/",
        form_data(cast, risk_indicators=["children", "coercion"]),
    )
    concern = Concern.objects.get()
    assert concern.risk_indicators == ["children", "coercion"]
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Children live in the home" in page and "signs of coercion or control" in page


def test_unanswered_risk_questions_are_a_prompt_not_a_failure(cast, as_user):
    client = as_user(cast.nia)
    client.post(f"/people/{cast.alice.pk}/concerns/new/", form_data(cast, risk_indicators=[]))
    concern = Concern.objects.get()
    assert concern.unmet_standards == []
    assert concern.risk_indicators == []  # not answered, which the sharing decision asks


def test_an_amendment_can_answer_the_quick_risk_questions_later(cast, as_user):
    concern = record_concern(cast, days_ago=1, risk_indicators=[])
    client = as_user(cast.nia)
    client.post(
        f"/concerns/{concern.pk}/amend/",
        {
            "reason": "Her grandchildren stay at weekends, she told me today",
            "facts": concern.facts,
            "immediate_action": concern.immediate_action,
            "who_was_told": concern.who_was_told,
            "persons_wishes": concern.persons_wishes,
            "severity": concern.severity,
            "categories": concern.categories,
            "risk_indicators": ["children"],
        },
    )
    assert recording.current(concern)["risk_indicators"] == ["children"]
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Children live in the home" in page


def test_the_chronology_shows_the_days_asked_for_and_says_when_they_are_back_to_front(
    cast, as_user
):
    record_concern(cast, person=cast.alice, days_ago=10)
    record_concern(cast, person=cast.alice, days_ago=2)
    url = f"/people/{cast.alice.pk}/chronology/"

    def days(first, last):
        return {
            **{f"since_{i}": v for i, v in enumerate((first.day, first.month, first.year))},
            **{f"until_{i}": v for i, v in enumerate((last.day, last.month, last.year))},
        }

    today = timezone.localdate()
    recent = as_user(cast.sarah).get(url, days(today - timedelta(days=3), today))
    assert "1 concern</strong>" in recent.content.decode()
    backwards = as_user(cast.sarah).get(url, days(today, today - timedelta(days=3)))
    page = backwards.content.decode()
    assert "The &#x27;To&#x27; date must be on or after the &#x27;From&#x27; date" in page
    assert "2 concerns</strong>" in page
