"""People's records: support that starts before birth, and reviewing one's own
break-glass access, are refused when they are entered."""

from sharewise.people.models import BreakGlassAccess, Enrolment, Person


def test_support_starting_before_birth_is_refused_with_what_was_typed_kept(cast, as_user):
    response = as_user(cast.helen).post(
        "/people/new/",
        {
            "given_name": "Ivy",
            "family_name": "Stone",
            "date_of_birth_0": "1",
            "date_of_birth_1": "5",
            "date_of_birth_2": "1950",
            "team": cast.day.pk,
            "start_date_0": "1",
            "start_date_1": "1",
            "start_date_2": "1949",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Support cannot have started before they were born" in page
    assert 'value="Stone"' in page
    assert not Person.objects.filter(family_name="Stone").exists()
    enrol = as_user(cast.sarah).post(
        f"/people/{cast.alice.pk}/enrolments/new/",
        {"team": cast.day.pk, "start_date_0": "1", "start_date_1": "1", "start_date_2": "1930"},
    )
    assert enrol.status_code == 200
    assert "The start date cannot be before they were born" in enrol.content.decode()
    assert not Enrolment.objects.filter(person=cast.alice, team=cast.day).exists()


def test_nobody_reviews_their_own_break_glass_access(cast, as_user):
    grant = BreakGlassAccess.objects.create(
        user=cast.sarah, person=cast.bob, reason="Covering the day shift tonight", session_key="x"
    )
    response = as_user(cast.sarah).post(
        f"/break-glass/{grant.pk}/review/", {"note": "Fine"}, follow=True
    )
    assert "Someone else reviews your own break-glass access" in response.content.decode()
    grant.refresh_from_db()
    assert grant.reviewed_at is None
    as_user(cast.david).post(f"/break-glass/{grant.pk}/review/", {"note": "Appropriate"})
    grant.refresh_from_db()
    assert grant.reviewed_by == cast.david
