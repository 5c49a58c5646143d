"""Policies are data the safeguarding lead changes; every change is a new version."""

import html
import re
from datetime import timedelta

import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sharewise.audittrail.models import Entry
from sharewise.concerns import recording
from sharewise.policy import documents, store
from sharewise.policy.models import PolicyVersion
from sharewise.policy.tests.test_policy_forms import change


def test_the_shipped_defaults_hold_the_ten_care_act_categories():
    policy = documents.default("recording")
    adult = [c for c in policy.categories if not c.children_only]
    assert len(adult) == 10
    assert {"psychological", "self_neglect", "modern_slavery"} <= {c.code for c in adult}


def test_a_lead_adds_a_category_from_a_file_as_a_new_version(cast, as_user):
    client = as_user(cast.sarah)
    document = yaml.safe_load(client.get("/policy/recording/export/").content.decode())
    document["categories"].append({"code": "cuckooing", "label": "Cuckooing", "weight": 1.5})
    checked = client.post(
        "/policy/recording/import/",
        {"file": SimpleUploadedFile("recording.yaml", yaml.safe_dump(document).encode())},
    )
    page = checked.content.decode()
    assert "<li>Categories › Cuckooing: added</li>" in page
    response = client.post(
        "/policy/recording/",
        {
            "action": "save_file",
            "document": html.unescape(
                page.split('name="document"')[1].split(">", 1)[1].split("</textarea>")[0]
            ),
            "previewed": re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1),
            "note": "County lines in our area",
        },
    )
    assert response.status_code == 302
    version, policy = store.in_force(cast.org.pk, "recording")
    assert version.version == 2 and "cuckooing" in policy.category_labels()
    assert Entry.objects.filter(action="changed policy", reason="County lines in our area").exists()
    draft = recording.Draft(
        people=[cast.alice],
        occurred_at=timezone.now() - timedelta(hours=1),
        service=cast.rose,
        team=cast.night,
        categories=["cuckooing"],
        answers={
            "facts": "Strangers staying in her flat.",
            "immediate_action": "Told the police.",
            "sharing_view": "agrees",
            "injury": "none",
            "information_source": "observed",
            "severity": "high",
        },
    )
    concern = recording.record(None, cast.org.pk, draft, actor=cast.nia)
    assert concern.policy_version.version == 2


def test_an_invalid_policy_file_is_refused_with_a_message_and_nothing_saved(cast, as_user):
    client = as_user(cast.sarah)

    def upload(text):
        return client.post(
            "/policy/recording/import/", {"file": SimpleUploadedFile("r.yaml", text.encode())}
        ).content.decode()

    assert "The policy file is not valid YAML near line" in upload("categories: [\n  - code: Bad")
    wrong = upload("categories: []\nshifts: []\n")
    assert "Shifts: needs at least 1" in wrong
    assert PolicyVersion.objects.filter(organisation=cast.org, kind="recording").count() == 1


def test_only_safeguarding_leads_change_policy(cast, as_user):
    for user in (cast.nia, cast.helen, cast.david, cast.owen):
        assert as_user(user).get("/policy/recording/").status_code == 403
    assert as_user(cast.sarah).get("/policy/unknown/").status_code == 404


def test_the_lead_tightens_an_audit_criterion_and_a_wrong_code_is_refused(cast, as_user):
    client = as_user(cast.sarah)
    client.cast = cast
    _, saved = change(client, "governance", {"criteria-0-days": "3"}, note="Within 3 days")
    assert saved.status_code == 302
    _, policy = store.in_force(cast.org.pk, "governance")
    assert policy.criterion("alert_undecided").days == 3
    document = yaml.safe_load(client.get("/policy/governance/export/").content.decode())
    document["criteria"][0]["code"] = "gut_feeling"
    refused = client.post(
        "/policy/governance/import/",
        {"file": SimpleUploadedFile("g.yaml", yaml.safe_dump(document).encode())},
    )
    assert refused.status_code == 200
    assert "Alert not decided in time › code: is not one Sharewise knows" in (
        refused.content.decode()
    )
    _, still = store.in_force(cast.org.pk, "governance")
    assert still.criterion("alert_undecided").days == 3
