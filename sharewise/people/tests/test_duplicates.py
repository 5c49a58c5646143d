"""Likely duplicates: the matching rules (plain data, property-tested), the search
that feeds them, and where they show: adding a person (page and API), the person's
page, the lead's list and GET /people/{id}/possible-duplicates."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from sharewise.people import merging
from sharewise.people.duplicates import Details, compare, edit_distance, find
from sharewise.people.models import Person

BORN = date(1941, 3, 2)


def person(given_name, family_name, born=BORN, id=1, preferred="", nhs=""):
    return Details(id, given_name, family_name, born, preferred, nhs)


# The rules, example by example


def test_jon_smyth_and_john_smith_born_the_same_day_are_flagged_with_reasons():
    match = compare(person("Jon", "Smyth", id=None), person("John", "Smith", id=7))
    assert match is not None and match.id == 7
    assert match.explanation == (
        "same date of birth; family name differs by one letter (Smyth/Smith); John is a form of Jon"
    )


def test_a_different_date_of_birth_is_not_flagged():
    assert compare(person("John", "Smith"), person("John", "Smith", born=date(1941, 3, 3))) is None


@pytest.mark.parametrize(
    ("short", "full"),
    [("Bill", "William"), ("Peggy", "Margaret"), ("Liz", "Elizabeth"), ("Bob", "Robert")],
)
def test_nicknames_match_given_and_preferred_names(short, full):
    assert compare(person(short, "Evans"), person(full, "Evans", id=2)) is not None
    preferred = compare(person(short, "Evans"), person("Mary", "Evans", id=2, preferred=full))
    assert preferred is not None


def test_a_preferred_name_is_compared_as_a_given_name():
    match = compare(person("Bill", "Evans"), person("Robert", "Evans", id=2, preferred="Bill"))
    assert "same given name (preferred name Bill)" in match.reasons


def test_short_names_one_letter_apart_are_different_names():
    assert compare(person("Jan", "Smith"), person("Jon", "Smith", id=2)) is None


def test_different_given_names_with_the_same_family_name_are_not_flagged():
    # twins, or a husband and wife born the same day
    assert compare(person("Alice", "Moore"), person("Edward", "Moore", id=2)) is None


def test_an_initial_swapped_names_and_double_barrelled_names_are_flagged():
    assert compare(person("J", "Smith"), person("John", "Smith", id=2)) is not None
    swapped = compare(person("Smith", "John"), person("John", "Smith", id=2))
    assert "given and family names swapped" in swapped.reasons
    assert compare(person("Ann", "Jones-Smith"), person("Ann", "Smith", id=2)) is not None


def test_the_same_nhs_number_is_certain_and_different_numbers_are_different_people():
    same = compare(
        person("A", "B", nhs="9434765919"),
        person("C", "D", born=date(1950, 1, 1), nhs="943 476 5919"),
    )
    assert same.score == 100 and same.reasons[0] == "same NHS number"
    assert (
        compare(person("Ann", "Smith", nhs="9434765919"), person("Ann", "Smith", nhs="1")) is None
    )
    # one of them without a number is still a likely duplicate
    assert compare(person("Ann", "Smith", nhs="9434765919"), person("Ann", "Smith")) is not None


def test_find_orders_by_score_and_skips_the_person_themself():
    me = person("John", "Smith", id=1)
    found = find(me, [me, person("Jon", "Smyth", id=2), person("John", "Smith", id=3)])
    assert [m.id for m in found] == [3, 2]


def test_edit_distance_counts_a_swap_of_neighbours_as_one():
    assert edit_distance("smith", "smtih") == 1
    assert edit_distance("smith", "smyth") == 1
    assert edit_distance("", "abc") == 3


# The rules, as properties

NAMES = st.sampled_from(
    ["John", "Jon", "Smith", "Smyth", "Bill", "William", "Peggy", "Margaret", "Ann", "Anne",
     "Mary-Ann", "O'Brien", "Zoë", "J", "Jones-Smith", "Liz", "Elizabeth", "Evans"]
)  # fmt: skip
ANY_NAME = st.one_of(NAMES, st.text(alphabet="abcdeéjnosty -'", min_size=1, max_size=12))
DATES = st.sampled_from([date(1941, 3, 2), date(1941, 3, 3), date(1950, 7, 19)])
NUMBERS = st.sampled_from(["", "", "9434765919", "4010232137"])


@st.composite
def details(draw, id=None):
    return Details(
        id=draw(st.integers(1, 10_000)) if id is None else id,
        given_name=draw(ANY_NAME),
        family_name=draw(ANY_NAME),
        date_of_birth=draw(DATES),
        preferred_name=draw(st.one_of(st.just(""), NAMES)),
        nhs_number=draw(NUMBERS),
    )


@given(details(), details())
def test_matching_is_symmetric(a, b):
    ab, ba = compare(a, b), compare(b, a)
    assert (ab is None) == (ba is None)
    if ab:
        assert ab.score == ba.score and ab.id == b.id and ba.id == a.id


@given(details())
def test_a_person_always_matches_themself(a):
    match = compare(a, a)
    assert match is not None and match.score >= 80


@st.composite
def restyled(draw, text):
    """The same name typed differently: case, spaces around and between words,
    full stops and apostrophes."""
    out = []
    for c in text:
        out.append(c.upper() if draw(st.booleans()) else c.lower())
        if c == " ":
            out.append(" " * draw(st.integers(0, 2)))
        if draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from([".", "'"])))
    return " " * draw(st.integers(0, 2)) + "".join(out) + " " * draw(st.integers(0, 2))


@given(details(), details(), st.data())
def test_case_whitespace_and_punctuation_do_not_matter(a, b, data):
    retyped = Details(
        a.id,
        data.draw(restyled(a.given_name)),
        data.draw(restyled(a.family_name)),
        a.date_of_birth,
        data.draw(restyled(a.preferred_name)) if a.preferred_name else "",
        a.nhs_number,
    )
    before, after = compare(a, b), compare(retyped, b)
    assert (before is None) == (after is None)
    if before:
        assert before.score == after.score


@given(details(), details())
def test_no_match_across_dates_of_birth_unless_the_nhs_number_matches(a, b):
    match = compare(a, b)
    if a.date_of_birth != b.date_of_birth and match is not None:
        assert a.nhs_number and a.nhs_number == b.nhs_number


# The search behind it


def _add(cast, given_name, family_name, born, nhs="", org=None):
    return Person.objects.create(
        organisation=org or cast.org,
        given_name=given_name,
        family_name=family_name,
        date_of_birth=born,
        nhs_number=nhs,
    )


def test_search_fetches_only_people_born_the_same_day_or_with_the_nhs_number(cast):
    Person.objects.bulk_create(
        Person(
            organisation=cast.org,
            given_name="John",
            family_name="Smith",
            date_of_birth=date(1920, 1, 1) + timedelta(days=i),
        )
        for i in range(300)
    )
    smyth = _add(cast, "Jon", "Smyth", date(1920, 1, 1) + timedelta(days=42))
    _add(cast, "John", "Smith", smyth.date_of_birth, org=cast.other_org)
    with CaptureQueriesContext(connection) as queries:
        found = merging.possible_duplicates(cast.org.pk, smyth)
    assert len(queries) == 1
    assert "date_of_birth" in queries[0]["sql"]
    assert len(found) == 1 and found[0].id != smyth.pk  # the other organisation's is not
    unsaved = Person(given_name="X", family_name="Y", date_of_birth=date(2000, 1, 1))
    unsaved.nhs_number = cast.alice.nhs_number
    assert [m.id for m in merging.possible_duplicates(cast.org.pk, unsaved)] == [cast.alice.pk]


def test_pairs_in_an_organisation_leave_out_merged_records(cast):
    twin = _add(cast, "Alise", "Moore", cast.alice.date_of_birth)
    assert [(a, b) for a, b, _ in merging.pairs_in(cast.org.pk)] == [(cast.alice.pk, twin.pk)]
    twin.merged_into = cast.alice
    twin.save()
    assert merging.pairs_in(cast.org.pk) == []


# Where they show

NEW_BOB = {
    "given_name": "Robert",
    "family_name": "Evans",
    "date_of_birth_0": "19",
    "date_of_birth_1": "7",
    "date_of_birth_2": "1950",
    "start_date_0": "1",
    "start_date_1": "1",
    "start_date_2": "2024",
}


def test_adding_a_likely_duplicate_asks_for_confirmation_first(cast, as_user):
    client = as_user(cast.helen)
    form = {**NEW_BOB, "team": cast.day.pk}
    response = client.post("/people/new/", form)
    assert response.status_code == 200
    assert b"This person may already be recorded" in response.content
    assert b"Bob Evans" in response.content and b"Bob is a form of Robert" in response.content
    assert not Person.objects.filter(given_name="Robert").exists()
    seen = response.context["confirm"]["seen"].value()
    # submitting again without the tick says what to do
    response = client.post("/people/new/", {**form, "seen": seen})
    assert b"Tick the box to confirm" in response.content
    response = client.post("/people/new/", {**form, "seen": seen, "different_person": "on"})
    assert response.status_code == 302
    robert = Person.objects.get(given_name="Robert")
    from sharewise.audittrail.models import Entry

    added = Entry.objects.get(action="added person", person_id=robert.pk)
    assert added.detail["possible_duplicates"] == [cast.bob.pk]
    assert Entry.objects.filter(
        action="shown as possible duplicate", person_id=cast.bob.pk
    ).exists()


def test_a_tick_given_for_other_details_does_not_count(cast, as_user):
    client = as_user(cast.helen)
    form = {**NEW_BOB, "team": cast.day.pk, "seen": "something else", "different_person": "on"}
    response = client.post("/people/new/", form)
    assert response.status_code == 200
    assert not Person.objects.filter(given_name="Robert").exists()


def test_duplicates_outside_scope_are_never_named(cast, as_user):
    # Helen manages Rose House; Carol is supported by Community North.
    form = {
        **NEW_BOB,
        "given_name": "Carole",
        "family_name": "Hughes",
        "date_of_birth_0": "30",
        "date_of_birth_1": "11",
        "date_of_birth_2": "1962",
        "team": cast.day.pk,
    }
    response = as_user(cast.helen).post("/people/new/", form)
    assert b"Someone with these details may already be recorded" in response.content
    assert b"Carol Hughes" not in response.content
    assert b"safeguarding lead" in response.content


def test_the_api_adds_the_person_and_lists_duplicates_the_caller_may_see(cast, api):
    body = {
        "given_name": "Bobby",
        "family_name": "Evans",
        "date_of_birth": "1950-07-19",
        "team_id": cast.day.pk,
        "start_date": "2024-01-01",
    }
    response = api(cast.helen).post("/api/v1/people", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert [d["id"] for d in data["possible_duplicates"]] == [cast.bob.pk]
    assert data["possible_duplicates"][0]["reasons"][0] == "same date of birth"
    assert data["possible_duplicate_outside_your_view"] is False
    hidden = api(cast.helen).post(
        "/api/v1/people",
        {**body, "given_name": "Carole", "family_name": "Hughes", "date_of_birth": "1962-11-30"},
    )
    assert hidden.json()["possible_duplicates"] == []
    assert hidden.json()["possible_duplicate_outside_your_view"] is True


def test_possible_duplicates_of_a_person_are_scoped(cast, api):
    alise = _add(cast, "Alise", "Moore", cast.alice.date_of_birth)
    path = f"/api/v1/people/{cast.alice.pk}/possible-duplicates"
    assert [d["id"] for d in api(cast.sarah).get(path).json()] == [alise.pk]
    # Nia sees Alice but not the unenrolled Alise
    assert api(cast.nia).get(path).json() == []
    assert api(cast.tom).get(path).status_code == 404


def test_the_lead_sees_possible_duplicates_on_the_person_page_and_in_a_list(cast, as_user):
    alise = _add(cast, "Alise", "Moore", cast.alice.date_of_birth)
    lead = as_user(cast.sarah)
    page = lead.get(f"/people/{cast.alice.pk}/")
    assert b"Possible duplicates" in page.content
    assert f"/people/{cast.alice.pk}/merge/{alise.pk}/".encode() in page.content
    listing = lead.get("/people/duplicates/")
    assert listing.status_code == 200 and b"Alise Moore" in listing.content
    assert (
        b"Possible duplicates" not in as_user(cast.helen).get(f"/people/{cast.alice.pk}/").content
    )
    assert as_user(cast.helen).get("/people/duplicates/").status_code == 403


def test_the_lead_lists_possible_duplicates_through_the_api(cast, api):
    from sharewise.audittrail.models import Entry

    alise = _add(cast, "Alise", "Moore", cast.alice.date_of_birth)
    pairs = api(cast.sarah).get("/api/v1/people/possible-duplicates").json()
    assert [{p["first"]["id"], p["second"]["id"]} for p in pairs] == [{cast.alice.pk, alise.pk}]
    shown = Entry.objects.get(action="listed possible duplicates", actor="sarah")
    assert set(shown.detail["shown"]) == {cast.alice.pk, alise.pk}
    for user in (cast.nia, cast.helen, cast.david):
        assert api(user).get("/api/v1/people/possible-duplicates").status_code == 403, user
    assert api(cast.olivia).get("/api/v1/people/possible-duplicates").json() == []
