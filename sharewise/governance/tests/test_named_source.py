"""Governance counts what its reader may see: a lead named as the alleged source in a
concern learns of it neither from the meeting agenda nor from an evidence pack."""

from datetime import timedelta

from django.utils import timezone

from conftest import record_concern
from sharewise.disclosures.tests.test_referrals import by
from sharewise.governance import evidence, meetings
from sharewise.governance.models import EvidencePack


def _over_threshold(sections):
    return [i.title for s in sections if s.code == "over_threshold" for i in s.items]


def test_the_agenda_ranks_risk_without_a_concern_naming_the_reader(cast):
    record_concern(cast, days_ago=3)
    record_concern(cast, days_ago=2)
    record_concern(
        cast,
        by=cast.helen,
        days_ago=1,
        severity="high",
        source_kind="staff",
        source_staff=cast.sarah,
    )
    meeting = meetings.schedule(
        by(cast.david), cast.org.pk, timezone.now() + timedelta(hours=1), None
    )
    # Alice is over the threshold (6) only with the concern naming Sarah.
    assert _over_threshold(meetings.agenda(meeting, cast.david)) == ["Alice Moore"]
    assert _over_threshold(meetings.agenda(meeting, cast.sarah)) == []


def test_an_evidence_pack_leaves_out_what_names_its_requester_and_is_hidden_from_them(
    cast, as_user
):
    record_concern(cast, days_ago=3)
    record_concern(cast, by=cast.helen, days_ago=2, source_kind="staff", source_staff=cast.sarah)
    start, end = cast.today - timedelta(days=10), cast.today
    theirs = evidence.figures(cast.org.pk, start, end, unseen_by=cast.sarah.pk)
    everyone = evidence.figures(cast.org.pk, start, end, unseen_by=cast.david.pk)
    assert (theirs["concerns"]["total"], everyone["concerns"]["total"]) == (1, 2)
    assert everyone["alerts"]["raised"] > theirs["alerts"]["raised"]

    pack = EvidencePack.objects.create(
        organisation=cast.org, period_from=start, period_to=end, requested_by=cast.david
    )
    sarah = as_user(cast.sarah)
    assert sarah.get(f"/governance/evidence-packs/{pack.pk}/").status_code == 404
    assert (
        f"/governance/evidence-packs/{pack.pk}/"
        not in sarah.get("/governance/evidence-packs/").content.decode()
    )
    older = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=start - timedelta(days=60),
        period_to=start - timedelta(days=30),
        requested_by=cast.david,
    )
    assert sarah.get(f"/governance/evidence-packs/{older.pk}/").status_code == 200
