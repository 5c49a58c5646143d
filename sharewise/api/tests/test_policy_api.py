"""The organisation's policies through the API: read, changed, imported and exported
by safeguarding leads with the policy pages' checks and versioning (one operation
saves both); the written policies read by everyone in the organisation."""

import json

import pytest
import yaml
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.organisations.models import ApiToken
from sharewise.policy import store
from sharewise.policy.models import PolicyVersion


@pytest.fixture
def call(client):
    def send(user, method, path, body=None, confirmed=True):
        at = timezone.now() if confirmed else None
        _, secret = ApiToken.issue(user, "test", confirmed_at=at)
        return client.generic(
            method,
            path,
            json.dumps(body) if body is not None else "",
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )

    return send


def _recording(cast):
    return store.in_force(cast.org.pk, "recording")[0].document


def test_sarah_changes_the_recording_policy_as_a_new_version(cast, call):
    before = call(cast.sarah, "GET", "/api/v1/policies/recording").json()
    document = _recording(cast)
    document["review_hours"]["default"] = 6
    answer = call(
        cast.sarah,
        "PUT",
        "/api/v1/policies/recording",
        {"document": document, "note": "Faster review"},
    )
    assert answer.status_code == 200, answer.content
    saved = answer.json()
    assert saved["version"] == before["version"] + 1 and saved["changed"] is True
    assert saved["document"]["review_hours"]["default"] == 6
    entry = Entry.objects.get(action="changed policy")
    assert {k: entry.detail[k] for k in ("kind", "version", "via")} == {
        "kind": "recording",
        "version": saved["version"],
        "via": "api",
    }
    # The same document again saves nothing.
    again = call(cast.sarah, "PUT", "/api/v1/policies/recording", {"document": document})
    assert again.json()["changed"] is False and again.json()["version"] == saved["version"]


def test_a_bad_policy_names_the_setting_and_saves_nothing(cast, call):
    document = _recording(cast)
    document["review_hours"]["default"] = -1
    answer = call(cast.sarah, "PUT", "/api/v1/policies/recording", {"document": document})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "document.review_hours.default"
    assert "more than 0" in error["message"]
    in_force = PolicyVersion.objects.filter(kind="recording", organisation=cast.org)
    assert [v.version for v in in_force] == [1]  # the shipped policy, nothing new


def test_policies_are_for_leads_and_need_a_recently_confirmed_token(cast, call):
    for role in ("nia", "helen", "david", "grace", "owen"):
        assert call(getattr(cast, role), "GET", "/api/v1/policies/patterns").status_code == 403
        put = call(getattr(cast, role), "PUT", "/api/v1/policies/recording", {"document": {}})
        assert put.status_code == 403, role
    assert call(cast.sarah, "GET", "/api/v1/policies/no_such").status_code == 404
    stale = call(
        cast.sarah,
        "PUT",
        "/api/v1/policies/recording",
        {"document": _recording(cast)},
        confirmed=False,
    )
    assert stale.status_code == 403


def test_a_lead_changes_only_her_own_organisations_policy(cast, call):
    document = _recording(cast)
    document["review_hours"]["default"] = 6
    assert (
        call(cast.olivia, "PUT", "/api/v1/policies/recording", {"document": document}).status_code
        == 200
    )
    changed = PolicyVersion.objects.filter(kind="recording", version=2)
    assert [v.organisation for v in changed] == [cast.other_org]
    assert (
        call(cast.sarah, "GET", "/api/v1/policies/recording").json()["document"]["review_hours"][
            "default"
        ]
        != 6
    )


def test_export_and_import_round_trip_as_yaml(cast, call):
    exported = call(cast.sarah, "GET", "/api/v1/policies/patterns/export")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/yaml")
    text = exported.content.decode()
    assert text.startswith("# Pattern rules, version")
    document = yaml.safe_load(text)
    document["cumulative"]["concerns"] = document["cumulative"]["concerns"] + 1
    answer = call(
        cast.sarah,
        "POST",
        "/api/v1/policies/patterns/import",
        {"file": yaml.safe_dump(document), "note": "One more"},
    )
    assert answer.status_code == 200 and answer.json()["changed"] is True
    assert Entry.objects.get(action="changed policy").detail["via"] == "file"
    broken = call(cast.sarah, "POST", "/api/v1/policies/patterns/import", {"file": "a: [b"})
    assert broken.status_code == 422 and broken.json()["errors"][0]["field"] == "file"
    # Written policies are typed, not imported; and only leads export.
    assert (
        call(
            cast.sarah, "POST", "/api/v1/policies/information_sharing/import", {"file": "title: x"}
        ).status_code
        == 404
    )
    assert call(cast.nia, "GET", "/api/v1/policies/patterns/export").status_code == 403


def test_everyone_reads_the_written_policies(cast, call):
    for role in ("nia", "grace", "owen", "olivia"):
        answer = call(getattr(cast, role), "GET", "/api/v1/written-policies/information_sharing")
        assert answer.status_code == 200 and answer.json()["kind"] == "information_sharing"
    assert call(cast.nia, "GET", "/api/v1/written-policies/recording").status_code == 404
