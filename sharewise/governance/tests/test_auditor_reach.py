"""An auditor sees records only through a case-file sample they drew: never a person,
concern or sharing decision outside it, by page or API, and not another auditor's
sample."""

from datetime import timedelta
from types import SimpleNamespace

from conftest import record_concern
from sharewise.governance import audits
from sharewise.organisations.models import Membership, Role


def by(user):
    return SimpleNamespace(user=user, META={"REMOTE_ADDR": "127.0.0.1"})


def test_grace_reads_her_sample_and_nothing_else(cast, as_user, api, django_user_model):
    concern = record_concern(cast, days_ago=2)
    period = (cast.today - timedelta(days=30), cast.today)
    sample = audits.draw_sample(by(cast.grace), cast.org.pk, "concerns", *period, 1)
    item = sample.items.get()

    grace = as_user(cast.grace)
    assert grace.get(f"/governance/samples/{sample.pk}/").status_code == 200
    opened = grace.get(f"/governance/samples/records/{item.pk}/")
    assert opened.status_code == 200
    assert b"call bell was out of reach" in opened.content
    for page in (
        f"/people/{cast.alice.pk}/",
        f"/concerns/{concern.pk}/",
        f"/people/{cast.alice.pk}/chronology/",
    ):
        assert grace.get(page).status_code == 404, page
    by_api = api(cast.grace)
    for path in (
        f"/api/v1/people/{cast.alice.pk}",
        f"/api/v1/concerns/{concern.pk}",
        f"/api/v1/people/{cast.alice.pk}/chronology",
    ):
        assert by_api.get(path).status_code == 404, path
    assert by_api.get("/api/v1/people").json()["count"] == 0

    # Another auditor draws nothing from Grace's sample.
    ayo = django_user_model.objects.create(username="ayo", first_name="Ayo", last_name="Bello")
    Membership.objects.create(user=ayo, organisation=cast.org, role=Role.AUDITOR)
    other = as_user(ayo)
    assert other.get(f"/governance/samples/{sample.pk}/").status_code == 404
    assert other.get(f"/governance/samples/records/{item.pk}/").status_code == 404
    # The lead sees every sample.
    assert as_user(cast.sarah).get(f"/governance/samples/records/{item.pk}/").status_code == 200


def test_an_auditor_cannot_open_a_sharing_decision(cast, as_user, api):
    from sharewise.sharing import decisions
    from tests.test_permission_matrix import SHARING_ANSWERS, SHARING_DECISION

    decision = decisions.record_decision(
        by(cast.sarah), cast.alice, SHARING_ANSWERS, SHARING_DECISION
    )
    assert as_user(cast.grace).get(f"/sharing-decisions/{decision.pk}/").status_code == 404
    assert api(cast.grace).get(f"/api/v1/sharing-decisions/{decision.pk}").status_code == 404
    assert as_user(cast.sarah).get(f"/sharing-decisions/{decision.pk}/").status_code == 200
