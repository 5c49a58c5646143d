"""The sign-in and sessions policy: the lead may tighten it, never drop the privileged four."""

import pytest
import yaml
from pydantic import ValidationError

from sharewise.policy import documents, store


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
    with pytest.raises(ValidationError, match="idle_minutes_privileged"):
        store.save_version(cast.org.pk, "access", document, cast.sarah)


def test_a_lead_adds_team_managers_and_shortens_sessions(cast, as_user):
    document = _shipped()
    document["privileged_roles"].append("team_manager")
    document["sessions"]["idle_minutes"] = 20
    response = as_user(cast.sarah).post(
        "/policy/access/", {"document": yaml.safe_dump(document), "note": "After the audit"}
    )
    assert response.status_code == 302
    _, policy = store.in_force(cast.org.pk, "access")
    assert policy.is_privileged(["team_manager"]) and policy.sessions.idle_minutes == 20
