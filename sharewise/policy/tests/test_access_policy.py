"""The sign-in and sessions policy: the lead may tighten it, never drop the privileged four."""

import pytest
from pydantic import ValidationError

from sharewise.policy import documents, store
from sharewise.policy.tests.test_policy_forms import change


def _shipped():
    return documents.default("access").model_dump(mode="json")


def test_the_four_privileged_roles_cannot_be_dropped(cast):
    document = _shipped()
    document["privileged_roles"] = ["safeguarding_lead", "dpo", "administrator"]
    with pytest.raises(ValidationError, match="put back auditor"):
        store.save_version(cast.org.pk, "access", document, cast.sarah)


def test_a_privileged_session_may_not_outlast_an_ordinary_one(cast):
    document = _shipped()
    document["sessions"]["idle_minutes_privileged"] = 60
    with pytest.raises(ValidationError, match="may not be more than for everyone else"):
        store.save_version(cast.org.pk, "access", document, cast.sarah)


def test_a_lead_adds_team_managers_and_shortens_sessions(cast, as_user):
    lead = as_user(cast.sarah)
    lead.cast = cast
    roles = ["team_manager", *documents.PRIVILEGED]
    _, response = change(lead, "access", {"privileged_roles": roles, "sessions-idle_minutes": "20"})
    assert response.status_code == 302
    _, policy = store.in_force(cast.org.pk, "access")
    assert policy.is_privileged(["team_manager"]) and policy.sessions.idle_minutes == 20
