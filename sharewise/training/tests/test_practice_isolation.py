"""Practice never touches a real record: after cases are worked through the pages and
the API, no person, concern, decision, referral or disclosure is made, nothing shows in
any real person's chronology, the oversight dashboard, their trail, an audit or the
disclosure log."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.governance import audits
from sharewise.governance.models import Finding
from sharewise.training import casebook
from sharewise.training.tests.practice_helpers import form_data, right_choices

REAL = [
    ("people", "Person"),
    ("concerns", "Concern"),
    ("sharing", "SharingDecision"),
    ("sharing", "ConsentRecord"),
    ("disclosures", "Referral"),
    ("disclosures", "Disclosure"),
    ("patterns", "Alert"),
]


def _case_words():
    """Words from every practice case that would betray it anywhere real."""
    words = set()
    for case in casebook.cases().values():
        words |= {case.person.name, case.title}
    return words


def counts():
    return {m: apps.get_model(*m).objects.count() for m in REAL}


def test_practice_leaves_no_trace_on_anything_real(cast, as_user, api, client):
    record_concern(cast)  # one real concern about Alice, so the pages have content
    before = counts()
    audited_before = _audit(cast)
    with_person = Entry.objects.filter(person_id__isnull=False).count()

    # every case through the API, and two through the pages
    nia = api(cast.nia)
    for code in casebook.cases():
        attempt = nia.post("/api/v1/training/attempts", {"case_code": code}).json()
        _, chosen = right_choices(code)
        body = {"answers": chosen["answers"], "decision": chosen["decision"]}
        body |= {k: chosen[k] for k in ("fields", "removed") if k in chosen}
        assert (
            nia.post(f"/api/v1/training/attempts/{attempt['id']}/answers", body).status_code == 200
        )
    page = as_user(cast.nia)
    for code in ("financial_referral_minimum", "young_person_exploitation"):
        where = page.post(f"/training/practice/{code}/start/")["Location"]
        assert page.post(where, form_data(right_choices(code)[1])).status_code == 302

    assert counts() == before
    assert Entry.objects.filter(person_id__isnull=False).count() == with_person
    practised = Entry.objects.filter(object_type="practice attempt")
    assert practised.count() == 2 * (len(casebook.cases()) + 2)
    assert not practised.filter(person_id__isnull=False).exists()

    words = _case_words()
    client.logout()
    sarah = as_user(cast.sarah)
    seen = [
        sarah.get(f"/people/{cast.alice.pk}/chronology/").content.decode(),
        sarah.get("/oversight/").content.decode(),
        sarah.get("/disclosures/").content.decode(),
        sarah.get(f"/people/{cast.alice.pk}/").content.decode(),
    ]
    for text in seen:
        assert not [w for w in words if w in text]

    after = _audit(cast)
    assert after == audited_before
    assert not [w for w in words if w in str(after)]
    assert "practice" not in str(after).lower()


def _audit(cast):
    """What an audit of the last month finds: (criterion, record type, summary)."""
    today = timezone.localdate()
    run = audits.run_now(cast.org.pk, today - timedelta(days=30), today)
    return sorted(
        Finding.objects.filter(run=run).values_list("criterion", "record_type", "summary")
    )
