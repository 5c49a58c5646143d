"""The lead changes policies through forms in plain words: every change is checked
before it is saved, a change that changes nothing makes no version, and the policy
goes out and comes back as a YAML file checked the same way."""

import html
import re
from datetime import timedelta

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import record_concern
from sharewise.audittrail.models import Entry
from sharewise.patterns import backtest
from sharewise.policy import editing, store
from sharewise.policy.models import PolicyVersion


def answers(kind, document) -> dict:
    """What the browser sends for the form as it is shown: every setting's answer."""
    sent = {}
    for s in editing.settings(kind, document):
        value = editing.answer(s, document)
        if s.kind == "switch":
            if value:
                sent[s.name] = "on"
        elif s.kind == "time":
            sent[s.name] = value.strftime("%H:%M")
        elif s.kind == "choices":
            sent[s.name] = list(value)
        else:
            sent[s.name] = "" if value is None else str(value)
    return sent


def change(client, kind, edits, note="Tightened after the audit", save=True):
    """Check the change, then save it as previewed; returns (preview page, saved)."""
    version, _ = store.in_force(client.cast.org.pk, kind)
    sent = {**answers(kind, version.document), "note": note}
    for name, value in edits.items():
        if value is None:
            sent.pop(name, None)
        else:
            sent[name] = value
    preview = client.post(f"/policy/{kind}/", {**sent, "action": "preview"})
    stamp = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    saved = None
    if stamp and save:
        saved = client.post(
            f"/policy/{kind}/", {**sent, "action": "save", "previewed": stamp.group(1)}
        )
    return preview, saved


@pytest.fixture
def lead(cast, as_user):
    client = as_user(cast.sarah)
    client.cast = cast
    return client


def versions(cast, kind):
    return PolicyVersion.objects.filter(organisation=cast.org, kind=kind).count()


# Each policy: (a number, a list item, a switch) changed through the form, and how the
# saved policy shows each one.
EDITS = {
    "recording": (
        {
            "review_hours-default": "12",
            "emergency_steps": "Make sure the person is safe now; call 999 if in danger.\n"
            "Tell the manager on call straight away.",
            "categories-9-crime": "on",
        },
        lambda p: (
            p.review_hours.default == 12
            and p.emergency_steps[0] == "Make sure the person is safe now; call 999 if in danger."
            and len(p.emergency_steps) == 2
            and next(c for c in p.categories if c.label == "Self-neglect").crime
        ),
        "Review deadlines › Hours to review a concern: 24 → 12",
    ),
    "patterns": (
        {
            "cumulative-days": "30",
            "risk_score-severity_weights-high": "5",
            "staff_implicated-enabled": None,
        },
        lambda p: (
            p.cumulative.days == 30
            and p.risk_score.severity_weights["high"] == 5
            and not p.staff_implicated.enabled
        ),
        "Several concerns about one person › Days looked across: 90 → 30",
    ),
    "sharing": (
        {
            "review_days": "21",
            "article_6_default": ["e"],
            "lead_review_when_alert_open": None,
        },
        lambda p: (
            p.review_days == 21
            and p.article_6_default == ["e"]
            and not p.lead_review_when_alert_open
        ),
        "Reviews and reasons › Days until a decision not to share is looked at again: 28 → 21",
    ),
    "referrals": (
        {
            "allowance": "3",
            "templates-2-title": "Police (non-emergency)",
            "fields-money_involved-free_text": "on",
        },
        lambda p: (
            p.allowance == 3
            and p.template("police").title == "Police (non-emergency)"
            and p.fields["money_involved"].free_text
        ),
        "Extra information › Extra fields a referral may add before the data protection "
        "officer must countersign it: 2 → 3",
    ),
    "governance": (
        {
            "meeting_every_days": "14",
            "criteria-0-days": "3",
            "criteria-3-enabled": None,
        },
        lambda p: (
            p.meeting_every_days == 14
            and p.criterion("alert_undecided").days == 3
            and not p.criterion("decision_incomplete").enabled
        ),
        "Alert not decided in time › Days allowed: 7 → 3",
    ),
    "access": (
        {
            "sessions-idle_minutes": "20",
            "privileged_roles": [
                "team_manager",
                "safeguarding_lead",
                "dpo",
                "auditor",
                "administrator",
            ],
            "second_factor-everyone": "on",
        },
        lambda p: (
            p.sessions.idle_minutes == 20
            and p.is_privileged(["team_manager"])
            and p.second_factor.everyone
        ),
        "Second factor › Everyone signs in with a second factor: no → yes",
    ),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_a_lead_changes_each_policy_through_its_form(lead, kind):
    edits, holds, shown = EDITS[kind]
    preview, saved = change(lead, kind, edits)
    page = preview.content.decode()
    assert "Check the change before you save" in page and shown in page
    assert saved.status_code == 302
    version, policy = store.in_force(lead.cast.org.pk, kind)
    assert version.version == 2 and holds(policy)
    assert version.note == "Tightened after the audit"
    assert Entry.objects.filter(
        action="changed policy", object_id=str(version.pk), detail__via="page"
    ).exists()
    after = lead.get(f"/policy/{kind}/").content.decode()
    assert "Saved as version 2" in after


def test_checking_the_change_saves_nothing_and_says_what_it_does(lead):
    preview, _ = change(lead, "patterns", {"cumulative-days": "30"}, note="", save=False)
    page = preview.content.decode()
    assert "Saving makes version 2" in page
    assert "<li>Several concerns about one person › Days looked across: 90 → 30</li>" in page
    assert versions(lead.cast, "patterns") == 1


# A bad value for each policy: (field, value, the plain message naming it).
BAD = {
    "recording": (
        "review_hours-default",
        "-4",
        "Review deadlines: hours to review a concern must be more than 0",
    ),
    "patterns": (
        "cumulative-days",
        "-3",
        "Several concerns about one person: days looked across must be 1 or more",
    ),
    "sharing": (
        "review_days",
        "400",
        "Reviews and reasons: days until a decision not to share is looked at again must be 365 or less",
    ),
    "referrals": (
        "allowance",
        "two",
        "Extra information: extra fields a referral may add before the data protection officer must countersign it must be a whole number, like 7",
    ),
    "governance": (
        "meeting_every_days",
        "0",
        "Oversight meetings: days between oversight meetings must be 1 or more",
    ),
    "access": (
        "sessions-idle_minutes_privileged",
        "60",
        "Sessions: minutes without activity before signing out, for roles that need a second factor may not be more than for everyone else (30 minutes)",
    ),
}


def _summary(page):
    return page.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_value_is_refused_in_plain_words_naming_the_field(lead, kind):
    name, value, message = BAD[kind]
    preview, saved = change(lead, kind, {name: value})
    assert saved is None and preview.status_code == 200
    page = preview.content.decode()
    assert "<title>Error:" in page
    summary = _summary(page)
    assert message in summary and f'href="#id_{name}"' in summary
    field_error = page.split(f'id="id_{name}_error"')[1].split("</span></span>")[0]
    assert message in field_error or message in page.split(f'id="id_{name}_error"')[1][:400]
    assert re.search(rf'<[^>]*--error[^>]*name="{name}"|<[^>]*name="{name}"[^>]*--error', page)
    assert versions(lead.cast, kind) == 1


def test_saving_what_is_already_in_force_says_nothing_changed(lead):
    version, _ = store.in_force(lead.cast.org.pk, "governance")
    sent = {**answers("governance", version.document), "note": "No change", "action": "save"}
    response = lead.post("/policy/governance/", sent, follow=True)
    assert "Nothing changed: version 1 stays in force." in response.content.decode()
    assert versions(lead.cast, "governance") == 1
    # Checking it says the same, and still makes no version.
    sent["action"] = "preview"
    again = lead.post("/policy/governance/", sent, follow=True)
    assert "Nothing changed" in again.content.decode()
    assert versions(lead.cast, "governance") == 1


def test_a_save_that_is_not_the_change_checked_is_shown_again_not_saved(lead):
    preview, _ = change(lead, "patterns", {"cumulative-days": "30"})
    version, _ = store.in_force(lead.cast.org.pk, "patterns")
    sent = {**answers("patterns", version.document), "cumulative-days": "45"}
    stamp = re.search(r'name="previewed" value="([0-9a-f]+)"', preview.content.decode())
    # The first change was saved by change(); this one was never checked.
    response = lead.post(
        "/policy/patterns/", {**sent, "action": "save", "previewed": stamp.group(1)}
    )
    page = response.content.decode()
    assert "The form changed after you checked it" in page and "30 → 45" in page
    assert store.in_force(lead.cast.org.pk, "patterns")[1].cumulative.days == 30


def test_the_pattern_rules_preview_shows_what_they_would_have_done(lead):
    cast = lead.cast
    for days in (40, 30, 20):
        record_concern(cast, days_ago=days)
    preview, _ = change(lead, "patterns", {"cumulative-concerns": "4"}, save=False)
    page = preview.content.decode()
    _, in_force = store.in_force(cast.org.pk, "patterns")
    stricter = in_force.model_copy(
        update={"cumulative": in_force.cumulative.model_copy(update={"concerns": 4})}
    )
    now, new = backtest.compare(cast.org.pk, cast.today - timedelta(days=90), cast.today, stricter)
    assert now.totals["cumulative"] == 1 and new.totals["cumulative"] == 0
    row = page.split("Several concerns about one person</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)</td>", row) == [str(now.totals["cumulative"]), "0"]
    assert "All alerts" in page and "What these rules would have done" in page
    # Counts only: nobody is named in the preview.
    assert "Alice" not in page.split('id="preview"')[1].split("</table>")[0]


def test_export_then_import_round_trips(lead):
    cast = lead.cast
    exported = lead.get("/policy/patterns/export/")
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    text = exported.content.decode()
    same = lead.post(
        "/policy/patterns/import/",
        {"file": SimpleUploadedFile("patterns.yaml", text.encode())},
        follow=True,
    )
    assert "Nothing changed: version 1 stays in force." in same.content.decode()
    document = yaml.safe_load(text)
    document["cumulative"]["days"] = 45
    checked = lead.post(
        "/policy/patterns/import/",
        {"file": SimpleUploadedFile("patterns.yaml", yaml.safe_dump(document).encode())},
    )
    page = checked.content.decode()
    assert "Several concerns about one person › Days looked across: 90" in page
    assert versions(cast, "patterns") == 1
    stamp = re.search(r'name="previewed" value="([0-9a-f]+)"', page).group(1)
    kept = page.split('name="document"')[1].split(">", 1)[1].split("</textarea>")[0]
    saved = lead.post(
        "/policy/patterns/",
        {
            "action": "save_file",
            "previewed": stamp,
            "document": html.unescape(kept),
            "note": "From the file",
        },
    )
    assert saved.status_code == 302
    version, policy = store.in_force(cast.org.pk, "patterns")
    assert version.version == 2 and policy.cumulative.days == 45
    assert Entry.objects.filter(action="changed policy", detail__via="file").exists()
    again = yaml.safe_load(lead.get("/policy/patterns/export/").content.decode())
    assert again == version.document == {**document, "cumulative": {**document["cumulative"]}}


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "cumulative:\n  days: -5\n",
            "Several concerns about one person: days looked across must be 1 or more",
        ),
        (
            "cumulative:\n  dayz: 5\n",
            "Several concerns about one person: Sharewise has no setting called &#x27;dayz&#x27;",
        ),
        ("cumulative: [\n  days: 5", "The policy file is not valid YAML near line"),
        ("- just\n- a list\n", "The policy file must list the policy&#x27;s settings by name"),
    ],
)
def test_a_bad_file_is_refused_in_plain_words(lead, text, message):
    response = lead.post(
        "/policy/patterns/import/", {"file": SimpleUploadedFile("p.yaml", text.encode())}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<title>Error:" in page
    assert message in _summary(page) and 'href="#id_file"' in _summary(page)
    assert versions(lead.cast, "patterns") == 1


def test_the_page_shows_titles_not_codes(lead):
    for kind in EDITS:
        page = lead.get(f"/policy/{kind}/").content.decode()
        text = re.sub(r"<[^>]+>", " ", page.split("<main")[1])
        for code in (
            "self_neglect",
            "override.coercion",
            "safeguarding_lead",
            "min_rationale_words",
        ):
            assert code not in text, (kind, code)
    assert "Self-neglect" in lead.get("/policy/recording/").content.decode()


@pytest.mark.parametrize(
    "path", ["/policy/patterns/", "/policy/patterns/export/", "/policy/patterns/import/"]
)
def test_care_workers_and_others_are_refused(cast, as_user, path):
    for user in (cast.nia, cast.helen, cast.david, cast.grace, cast.owen):
        assert as_user(user).get(path).status_code == 403
        if not path.endswith("/export/"):  # a download is only ever read
            assert as_user(user).post(path, {"action": "preview"}).status_code == 403
    assert versions(cast, "patterns") == 0


def test_care_workers_are_refused_the_policy_api(cast, api):
    assert api(cast.nia).get("/api/v1/policy/patterns").status_code == 403
