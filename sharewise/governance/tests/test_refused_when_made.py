"""An action agreed on a finding already closed is refused on the finding's page, with
what was typed kept: a closed finding would hold an open action nobody is asked about."""

from datetime import timedelta

from django.utils import timezone

from conftest import audit_finding, record_concern
from sharewise.governance import actions
from sharewise.governance.models import Action


def test_an_action_on_a_closed_finding_is_refused_on_its_page(cast, as_user, rf):
    _, finding = audit_finding(cast, person=cast.alice, concern=record_concern(cast, days_ago=5))
    request = rf.post("/")
    request.user = cast.sarah
    actions.close_finding(request, finding, "Put right at the time by the night manager.")
    due = timezone.localdate() + timedelta(days=14)
    response = as_user(cast.sarah).post(
        f"/governance/findings/{finding.pk}/",
        {
            "description": "Remind the night team about review deadlines",
            "owner": cast.helen.pk,
            "due_0": due.day,
            "due_1": due.month,
            "due_2": due.year,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This finding is closed" in page
    assert "Remind the night team about review deadlines" in page
    assert not Action.objects.exists()
