"""A long chronology, a page at a time: the same entries in the same order however it
is paged, by page and by API, with the filters still holding."""

from datetime import timedelta

from conftest import record_concern
from sharewise.concerns.models import Amendment, Review
from sharewise.sharing import decisions
from sharewise.sharing.tests.stories import REFUSED, by, do_not_share


def _history(cast, count):
    """count concerns about Alice, a day apart, each reviewed five hours after; every
    third one amended; two of every three about neglect, the rest about money; and a
    decision not to share, today. Returns the (kind, moment) of every entry, newest first."""
    # Decided before the history, while the framework still agrees not to share.
    decision = decisions.record_decision(by(cast.sarah), cast.alice, REFUSED, do_not_share())
    expected = [("decision", decision.decided_at, None)]
    for k in range(count):
        category = "financial" if k % 3 == 2 else "neglect"
        concern = record_concern(cast, days_ago=k + 1, categories=[category])
        review = Review.objects.create(
            concern=concern,
            reviewed_by=cast.helen,
            reviewed_at=concern.occurred_at + timedelta(hours=5),
            outcome="monitor",
            rationale="Read with the chronology.",
        )
        expected += [
            ("concern", concern.occurred_at, category),
            ("review", review.reviewed_at, category),
        ]
        if k % 3 == 0:
            amendment = Amendment.objects.create(
                concern=concern,
                amended_by=cast.nia,
                amended_at=concern.occurred_at + timedelta(hours=2),
                reason="The time was wrong.",
                changes={"severity": {"from": "moderate", "to": "high"}},
            )
            expected.append(("amendment", amendment.amended_at, category))
    return sorted(expected, key=lambda e: e[1], reverse=True)


def _at(entry):
    from datetime import datetime

    return datetime.fromisoformat(entry["at"])


def test_the_api_pages_the_whole_chronology_newest_first_however_it_is_paged(cast, api):
    expected = _history(cast, 7)
    url = f"/api/v1/people/{cast.alice.pk}/chronology"
    whole = api(cast.sarah).get(url).json()
    assert (whole["count"], whole["pages"], whole["concerns"]) == (len(expected), 1, 7)
    assert [(e["kind"], _at(e)) for e in whole["entries"]] == [(k, at) for k, at, _ in expected]
    paged = []
    for number in range(1, 5):
        page = api(cast.sarah).get(url, {"page": number, "page_size": 5}).json()
        assert (page["page"], page["pages"], page["count"]) == (number, 4, len(expected))
        paged += page["entries"]
    assert paged == whole["entries"]
    assert [e["summary"] for e in paged if e["kind"] == "amendment"][0].startswith(
        "Amended (severity): The time was wrong."
    )


def test_a_category_keeps_only_its_concerns_with_their_reviews_and_amendments(cast, api):
    expected = [(k, at) for k, at, category in _history(cast, 6) if category == "financial"]
    url = f"/api/v1/people/{cast.alice.pk}/chronology"
    money = api(cast.sarah).get(url, {"category": "financial", "page_size": 3}).json()
    assert (money["concerns"], money["count"], money["pages"]) == (2, len(expected), 2)
    second = api(cast.sarah).get(url, {"category": "financial", "page_size": 3, "page": 2})
    entries = money["entries"] + second.json()["entries"]
    assert [(e["kind"], _at(e)) for e in entries] == expected


def test_the_page_shows_a_hundred_entries_and_the_rest_on_the_next(cast, as_user):
    expected = _history(cast, 34)  # 34 concerns, 34 reviews, 12 amendments, a decision
    assert len(expected) == 81
    client = as_user(cast.sarah)
    url = f"/people/{cast.alice.pk}/chronology/"
    first = client.get(url).content.decode()
    assert "34 concerns</strong>" in first
    assert first.count('class="sw-timeline__entry ') == 81
    for _ in range(12):  # 24 older concerns: 105 entries, 100 on the first page
        record_concern(cast, days_ago=40)
        record_concern(cast, days_ago=40)
    first = client.get(url).content.decode()
    oldest = client.get(url, {"page": 2}).content.decode()
    assert first.count('class="sw-timeline__entry ') == 100
    assert oldest.count('class="sw-timeline__entry ') == 5
    decision = "sw-timeline__entry--decision"
    assert decision in first and decision not in oldest
    assert "58 concerns</strong>" in oldest


def test_entries_from_other_records_fall_in_place_on_every_page(cast):
    """Consent, capacity and decisions come from other apps, not the database query:
    wherever they fall, every window of the timeline matches the whole of it."""
    from django.utils import timezone

    from sharewise.concerns import chronology

    _history(cast, 5)
    now = timezone.now()
    others = [
        {"at": now - timedelta(days=d, hours=1), "kind": "consent", "summary": f"{d}", "by": ""}
        for d in (0, 2, 3, 3, 9)
    ]
    concerns = chronology.concerns_for([cast.alice.pk], cast.sarah)
    timeline = chronology.Timeline(concerns, others)
    whole = [(e.kind, e.at, e.summary) for e in timeline[0 : len(timeline)]]
    assert len(whole) == len(timeline) == 5 + 5 + 2 + 5
    assert [at for _, at, _ in whole] == sorted((at for _, at, _ in whole), reverse=True)
    assert [s for k, _, s in whole if k == "consent"] == ["0", "2", "3", "3", "9"]
    for size in (1, 2, 3, 4, 7):
        for start in range(0, len(whole), size):
            window = timeline[start : start + size]
            assert [(e.kind, e.at, e.summary) for e in window] == whole[start : start + size]
