"""The stored trail: reads are recorded once, tampering in the database is named."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sharewise.audittrail import searching, trail
from sharewise.audittrail.keys import trail_key
from sharewise.audittrail.models import AppendOnlyError, Entry, Seal


def entries_for(person):
    return Entry.objects.filter(person_id=person.pk)


def test_a_person_page_view_adds_exactly_one_entry(cast, as_user):
    before = entries_for(cast.alice).count()
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/", REMOTE_ADDR="10.1.2.3")
    new = list(entries_for(cast.alice).order_by("id")[before:])
    assert len(new) == 1
    entry = new[0]
    assert (entry.actor, entry.action, entry.client_address) == ("nia", "viewed record", "10.1.2.3")
    assert entry.object_type == "person" and entry.object_id == str(cast.alice.pk)


def test_an_api_read_adds_exactly_one_entry(cast, api):
    caller = api(cast.sarah)
    before = entries_for(cast.alice).count()
    assert caller.get(f"/api/v1/people/{cast.alice.pk}").status_code == 200
    new = list(entries_for(cast.alice).order_by("id")[before:])
    assert len(new) == 1
    assert new[0].actor == "sarah" and new[0].detail["via"] == "api"


def test_a_refused_read_is_not_recorded_against_the_person(cast, as_user):
    as_user(cast.tom).get(f"/people/{cast.alice.pk}/")
    assert not entries_for(cast.alice).filter(actor="tom").exists()


def test_requests_that_write_to_the_trail_leave_it_sealed(cast, as_user):
    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    as_user(cast.sarah).get(f"/people/{cast.bob.pk}/")
    assert Entry.objects.filter(seal__isnull=True).count() == 0
    assert trail.verify().ok


def test_the_model_refuses_changes_and_deletion(db):
    entry = trail.record(action="viewed record", person_id=1)
    trail.seal_pending()
    entry.reason = "covering up"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        Seal.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database-level refusal is PostgreSQL's"
)
def test_postgresql_refuses_update_and_delete(db):
    from django.db.utils import DatabaseError

    entry = trail.record(action="viewed record", person_id=1)
    trail.seal_pending()
    for sql in (
        "UPDATE audittrail_entry SET reason = 'x' WHERE id = %s",
        "DELETE FROM audittrail_entry WHERE id = %s",
        "UPDATE audittrail_seal SET hash = 'x' WHERE entry_id = %s",
        "DELETE FROM audittrail_seal WHERE entry_id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert Entry.objects.get(pk=entry.pk).reason == ""


class Rollback(Exception):
    pass


def _tamper(sql, params):
    """Change the tables behind the application's back, as someone with database
    access might; on PostgreSQL that first means switching off the refusal."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audittrail_entry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audittrail_seal DISABLE TRIGGER USER")
        cursor.execute(sql, params)


@pytest.fixture
def sealed_trail(db):
    for i in range(12):
        trail.record(
            action="viewed record",
            object_type="person",
            object_id=i,
            person_id=i,
            reason=f"reason {i}",
            detail={"n": i},
        )
    trail.seal_pending()
    return list(Seal.objects.order_by("position").values_list("position", "entry_id"))


TAMPERING = st.sampled_from(["alter reason", "alter time", "alter actor", "delete", "swap"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(how=TAMPERING, data=st.data())
def test_tampering_with_any_entry_is_named_by_verify(sealed_trail, how, data):
    index = data.draw(
        st.integers(0, len(sealed_trail) - 2 if how == "swap" else len(sealed_trail) - 1)
    )
    position, entry_id = sealed_trail[index]
    try:
        with transaction.atomic():
            if how == "alter reason":
                _tamper(
                    "UPDATE audittrail_entry SET reason = %s WHERE id = %s",
                    ["nothing to see", entry_id],
                )
            elif how == "alter time":
                _tamper(
                    "UPDATE audittrail_entry SET at = %s WHERE id = %s",
                    ["2020-01-01 00:00:00+00:00", entry_id],
                )
            elif how == "alter actor":
                _tamper(
                    "UPDATE audittrail_entry SET actor = %s WHERE id = %s",
                    ["someone else", entry_id],
                )
            elif how == "delete":
                _tamper("DELETE FROM audittrail_entry WHERE id = %s", [entry_id])
            else:
                other = sealed_trail[data.draw(st.integers(index + 1, len(sealed_trail) - 1))][1]
                # Swap two entries' contents, keeping their ids.
                _tamper(
                    "UPDATE audittrail_entry SET reason = CASE id WHEN %s THEN %s ELSE %s END,"
                    " person_id = CASE id WHEN %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
                    [
                        entry_id,
                        f"reason {other - 1}",
                        f"reason {entry_id - 1}",
                        entry_id,
                        other - 1,
                        entry_id - 1,
                        entry_id,
                        other,
                    ],
                )
            result = trail.verify()
            with pytest.raises(CommandError, match=f"position {position} \\(entry {entry_id}\\)"):
                call_command("verify_trail")
            raise Rollback
    except Rollback:
        pass
    assert not result.ok
    assert (result.broken.position, result.broken.entry_id) == (position, entry_id)


def test_removing_a_seal_from_the_middle_is_named(sealed_trail):
    position, entry_id = sealed_trail[4]
    _tamper("DELETE FROM audittrail_seal WHERE position = %s", [position])
    result = trail.verify()
    assert result.broken.position == position
    assert "missing" in result.broken.problem


def test_verify_trail_reports_an_intact_trail(sealed_trail, capsys):
    call_command("verify_trail")
    assert "Audit trail intact: 12 entries checked" in capsys.readouterr().out


def test_entries_committed_out_of_order_are_still_sealed(db):
    """A slow transaction can commit its entry after later ones were sealed: it is
    sealed next time, in the order the chain sees it."""
    first = trail.record(action="a")
    second = trail.record(action="b")
    # Seal only the second, as if the first's transaction had not committed yet.
    Seal.objects.create(
        position=1,
        entry_id=second.pk,
        hash=trail.chain.link(trail_key(), trail.chain.GENESIS, second.values()),
    )
    assert trail.seal_pending() == 1
    assert list(Seal.objects.order_by("position").values_list("entry_id", flat=True)) == [
        second.pk,
        first.pk,
    ]
    assert trail.verify().ok


def test_search_filters_by_person_user_and_dates(cast, as_user):
    from datetime import timedelta

    from django.utils import timezone

    as_user(cast.nia).get(f"/people/{cast.alice.pk}/")
    as_user(cast.sarah).get(f"/people/{cast.bob.pk}/")
    org = cast.org.pk
    assert {e.actor for e in searching.search(org, person_id=cast.alice.pk)} == {"nia"}
    assert {e.person_id for e in searching.search(org, actor_id=cast.sarah.pk) if e.person_id} == {
        cast.bob.pk
    }
    tomorrow = timezone.now() + timedelta(days=1)
    assert not searching.search(org, since=tomorrow).exists()
    assert not searching.search(cast.other_org.pk, person_id=cast.alice.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_checking_ranges_side_by_side_names_the_same_broken_entry():
    """With committed data (PostgreSQL here; SQLite tests run in memory and check in
    one process), two processes each check half the links."""
    for i in range(40):
        trail.record(action="viewed record", object_type="person", object_id=i, person_id=i)
    trail.seal_pending()
    assert trail.verify(workers=2, min_parallel=0).checked == 40
    position, entry_id = Seal.objects.order_by("position").values_list("position", "entry_id")[29]
    try:
        _tamper("UPDATE audittrail_entry SET reason = %s WHERE id = %s", ["rewritten", entry_id])
        result = trail.verify(workers=2, min_parallel=0)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # committed: switch the refusal back on
                cursor.execute("ALTER TABLE audittrail_entry ENABLE TRIGGER USER")
                cursor.execute("ALTER TABLE audittrail_seal ENABLE TRIGGER USER")
    assert (result.broken.position, result.broken.entry_id) == (position, entry_id)
    assert result.checked == 29


def test_erasing_a_persons_text_keeps_the_chain_and_is_the_only_change_allowed(db):
    """Destruction erases the reason of entries about a person, and any detail naming
    them; the chain covers digests, so it verifies as before."""
    from django.db.utils import DatabaseError

    about = trail.record(action="placed legal hold", person_id=7, reason="Review into Ann Lee")
    naming = trail.record(action="searched people", detail={"q": "Ann Lee", "page": 1})
    other = trail.record(action="viewed record", person_id=8, reason="Covering a shift")
    trail.seal_pending()
    counts = trail.erase([7], ["Ann Lee"])
    assert counts["trail reasons erased"] == 1 and counts["trail details erased"] == 1
    assert Entry.objects.get(pk=about.pk).reason == ""
    assert Entry.objects.get(pk=naming.pk).detail == {}
    assert Entry.objects.get(pk=naming.pk).erased
    assert Entry.objects.get(pk=other.pk).reason == "Covering a shift"
    assert trail.verify().ok
    if connection.vendor == "postgresql":
        for sql in (
            "UPDATE audittrail_entry SET reason = 'rewritten' WHERE id = %s",
            "UPDATE audittrail_entry SET reason = '', action = 'x' WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql, [other.pk])
    # Text changed by any other means is named.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audittrail_entry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audittrail_entry SET reason = 'Covering for a friend' WHERE id = %s",
            [other.pk],
        )
    assert "reason does not match" in trail.verify().broken.problem
