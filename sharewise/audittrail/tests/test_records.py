"""Records the trail vouches for: a concern, a sharing decision or a disclosure changed
in the database behind the application's back is named by `verify_trail --records`."""

from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import record_concern
from sharewise.audittrail import records, trail
from sharewise.audittrail.models import Entry
from sharewise.concerns import recording
from sharewise.concerns.models import Amendment, Concern
from sharewise.concerns.tests.test_import import csv_bytes, row
from sharewise.concerns.tests.test_import import run as run_import
from sharewise.disclosures import referrals
from sharewise.disclosures.tests.test_referrals import example_3, ready
from sharewise.sharing import decisions
from sharewise.sharing.models import SharingDecision


def by(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def behind_the_back(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify_records():
    call_command("verify_trail", "--records", workers=1)


def test_every_app_declares_its_digested_records_to_the_trail():
    assert set(records.registry()) >= {
        "concerns.concern",
        "concerns.amendment",
        "sharing.sharingdecision",
        "sharing.decisionamendment",
        "sharing.consentrecord",
        "sharing.capacityassessment",
        "disclosures.disclosure",
    }


def test_recording_a_concern_writes_its_digest_to_the_trail(cast):
    concern = record_concern(cast)
    entry = Entry.objects.get(action="recorded concern", object_id=str(concern.pk))
    key = f"concerns.concern:{concern.pk}"
    # Worked out from the instance as it was saved, it matches the database's row.
    assert entry.detail["digests"] == {key: dict(records.current(Concern, [concern.pk]))[key]}


def test_changing_a_concerns_text_in_the_database_is_reported(cast, capsys):
    concern = record_concern(cast)
    untouched = record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom)
    verify_records()
    assert "Records: 2 checked" in capsys.readouterr().out
    behind_the_back(
        "UPDATE concerns_concern SET facts = %s WHERE id = %s",
        ["Nothing happened.", concern.pk],
    )
    with pytest.raises(CommandError) as failed:
        verify_records()
    message = str(failed.value)
    assert f"Concern {concern.pk}: its content no longer matches the trail." in message
    assert "The trail last recorded it in entry" in message and "by nia on" in message
    assert f"Concern {untouched.pk}" not in message


def test_amendments_carry_the_new_digest_and_an_edited_amendment_is_reported(cast, capsys):
    concern = record_concern(cast)
    recording.amend(by(cast.nia), concern, {"severity": "high"}, "I chose the wrong severity")
    verify_records()
    assert "Records: 2 checked" in capsys.readouterr().out  # the concern and its amendment
    amendment = Amendment.objects.get()
    behind_the_back(
        "UPDATE concerns_amendment SET reason = %s WHERE id = %s", ["Typo", amendment.pk]
    )
    with pytest.raises(CommandError, match=f"Concern amendment {amendment.pk}: its content"):
        verify_records()


def test_a_write_that_changes_the_concern_row_carries_its_new_digest(cast):
    """Naming the alleged source on the row (as an amendment may) and writing the change
    to the trail through write_change leaves nothing to report."""
    concern = record_concern(cast)
    Concern.objects.filter(pk=concern.pk).update(source_kind="staff", source_staff=cast.tom)
    with pytest.raises(CommandError, match=f"Concern {concern.pk}: its content"):
        verify_records()
    recording.write_change(
        by(cast.sarah), "amended concern", concern, concern.people.all(), reason="Relinked"
    )
    verify_records()
    # And changing the link again behind the application's back is noticed.
    behind_the_back(
        "UPDATE concerns_concern SET source_staff_id = %s WHERE id = %s", [cast.nia.pk, concern.pk]
    )
    with pytest.raises(CommandError, match=f"Concern {concern.pk}: its content"):
        verify_records()


def test_records_made_before_digests_are_only_counted(cast, capsys):
    record_concern(cast)
    old = record_concern(cast, person=cast.bob, team=cast.day, by=cast.tom)
    with connection.cursor() as cursor:  # as if recorded before digests were kept
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audittrail_entry DISABLE TRIGGER USER")
        cursor.execute(
            "UPDATE audittrail_entry SET detail = %s"
            " WHERE object_type = 'concern' AND object_id = %s",
            ["{}", str(old.pk)],
        )
    verify_records()
    out = capsys.readouterr().out
    assert "Records: 1 checked" in out
    assert "1 concern has no digest in the trail (made before digests were kept)" in out


def test_a_record_deleted_from_the_database_is_reported(cast):
    concern = record_concern(cast)
    recording.amend(by(cast.nia), concern, {"severity": "high"}, "I chose the wrong severity")
    amendment = Amendment.objects.get()
    behind_the_back("DELETE FROM concerns_amendment WHERE id = %s", [amendment.pk])
    with pytest.raises(CommandError, match=f"Concern amendment {amendment.pk}: the trail holds"):
        verify_records()


def test_imported_concerns_carry_digests_and_who_recorded_them(cast, capsys):
    result = run_import(cast, csv_bytes([row(0, recorded_by="NIA"), row(1), row(12)]))
    assert result.errors == [] and len(result.concerns_created) == 3
    assert Concern.objects.get(external_ref="C000000").recorded_by == cast.nia
    verify_records()
    assert "Records: 3 checked" in capsys.readouterr().out
    imported = Concern.objects.get(external_ref="C000001")
    behind_the_back(
        "UPDATE concerns_concern SET recorded_by_id = %s WHERE id = %s", [cast.nia.pk, imported.pk]
    )
    with pytest.raises(CommandError, match=f"Concern {imported.pk}: its content"):
        verify_records()


def test_sharing_decisions_and_disclosures_are_vouched_for_through_their_whole_life(cast, capsys):
    decision = example_3(cast)
    referral, _ = referrals.preview(by(cast.sarah), ready(cast, decision))
    disclosure = referrals.send(by(cast.sarah), referral).disclosure
    decisions.amend(
        by(cast.sarah),
        decision,
        {"recipient_name": "Jo Bloggs"},
        "The council named the officer",
    )
    verify_records()
    out = capsys.readouterr().out
    # The concern, the decision, its amendment and the disclosure.
    assert "Records: 4 checked" in out
    trail.seal_pending()
    assert trail.verify().ok

    behind_the_back(
        "UPDATE sharing_sharingdecision SET outcome = %s WHERE id = %s",
        ["do_not_share", decision.pk],
    )
    behind_the_back(
        "UPDATE disclosures_disclosure SET recipient_organisation = %s WHERE id = %s",
        ["Somewhere else", disclosure.pk],
    )
    with pytest.raises(CommandError) as failed:
        verify_records()
    message = str(failed.value)
    assert f"Sharing decision {decision.pk}: its content no longer matches" in message
    assert f"Disclosure {disclosure.pk}: its content no longer matches" in message


def test_a_countersigned_decision_carries_the_countersignature(cast):
    from sharewise.sharing.tests.stories import REFUSED
    from sharewise.sharing.tests.stories import do_not_share as _do_not_share

    decision = decisions.record_decision(
        by(cast.sarah),
        cast.alice,
        {**REFUSED, "grounds": ["others_at_risk"]},
        _do_not_share(
            departure_rationale="The other resident has moved to another home today, so "
            "nobody else is at risk from her son any more."
        ),
    )
    assert decision.status == SharingDecision.Status.AWAITING_COUNTERSIGN
    decisions.countersign(by(cast.david), decision, True, "")
    verify_records()
    behind_the_back(
        "UPDATE sharing_sharingdecision SET countersigned_by_id = %s WHERE id = %s",
        [cast.sarah.pk, decision.pk],
    )
    with pytest.raises(CommandError, match=f"Sharing decision {decision.pk}: its content"):
        verify_records()


def test_every_record_the_demo_writes_matches_its_digest(db, capsys):
    """The demo loader writes through the same paths as staff do, so the trail vouches
    for every record it makes, just as they stand after loading."""
    call_command("load_demo")
    verify_records()
    out = capsys.readouterr().out
    checked = int(out.split("Records: ")[1].split(" checked")[0].replace(",", ""))
    assert checked >= Concern.objects.count() + SharingDecision.objects.count()
    assert "no digest" not in out


words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(facts=words, wishes=words, told=words, days=st.integers(0, 3000), data=st.data())
def test_a_digest_worked_out_as_a_concern_is_saved_matches_the_one_read_back(
    cast, facts, wishes, told, days, data
):
    concern = record_concern(
        cast,
        days_ago=days,
        facts=facts.strip() or "Something happened.",
        persons_wishes=wishes,
        who_was_told=told,
        severity=data.draw(st.sampled_from(["low", "moderate", "high", "immediate"])),
        categories=data.draw(
            st.lists(st.sampled_from(["neglect", "financial", "physical"]), min_size=1, unique=True)
        ),
    )
    assert records.digests(concern) == dict(records.current(Concern, [concern.pk]))
