"""The seed's Example 1, end to end: Alice tells staff on several shifts that her son
belittles her and refuses any referral. The concerns raise an alert; Sarah, the
safeguarding lead, opens the decision framework from it. Nobody ticked a ground, but
Alice's own words ("he'll stop coming") make Sharewise ask whether she is under
pressure; Sarah cannot wave it away without a reason, says yes, and the framework
recommends sharing without consent. A basis that contradicts that is refused; the
signed decision shows in Alice's chronology and decides the alert."""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from conftest import record_concern
from sharewise.patterns.models import Alert
from sharewise.sharing import decisions
from sharewise.sharing.models import SharingDecision
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser

WORDS = [
    (30, "He says I'm a stupid old woman and a waste of money."),
    (16, "He said if I tell anyone he'll stop coming and I'll die alone in here."),
    (6, "Please don't tell anyone. He'll know it was me."),
]


def alice_story(cast):
    for days_ago, words in WORDS:
        record_concern(
            cast,
            days_ago=days_ago,
            categories=["psychological"],
            sharing_view="refuses",
            information_source="disclosed",
            persons_words=words,
            facts="After her son's call Alice was tearful and would not eat.",
            source_kind="family_friend",
            source_description="Her son",
        )
    decisions.record_consent(
        SimpleNamespace(user=cast.nia, META={}),
        cast.alice,
        {
            "purpose": "Telling the local authority what her son says to her",
            "outcome": "refused",
            "explained_how": "Sat with her and explained who would be told and why.",
            "persons_words": "Please don't. He's all I've got.",
            "capacity": "presumed",
        },
    )
    return Alert.objects.get(rule="cumulative", subject=f"person:{cast.alice.pk}")


def _next(page):
    page.get_by_role("button", name="Continue").click()


def test_example_1_refusal_and_rising_risk_become_a_countersigned_decision(
    page, live_server, transactional_cast, sign_in
):
    cast = transactional_cast
    alert = alice_story(cast)
    base = live_server.url

    sign_in(page, live_server, cast.sarah)
    page.goto(f"{base}/alerts/{alert.pk}/")
    page.get_by_role("button", name="Start a sharing decision from this case").click()

    # Purpose: the question and the alert's concerns are filled in already.
    expect(page.get_by_label("What are you deciding?")).to_contain_text(
        f"Case for decision {alert.case_id}"
    )
    expect(page.locator("input[name=concern_ids]:checked")).to_have_count(3)
    expect(page.locator(".nhsuk-inset-text")).to_contain_text("legitimate purpose")
    assert_accessible(page, "wizard-purpose")
    page.get_by_label("What would sharing be for?").fill("To protect Alice from her son")
    page.check("#id_purpose_0")
    _next(page)
    page.check("#id_identifiable_0")
    page.check("#id_confidential_0")
    _next(page)

    # Consent: the recorded refusal is already chosen; going back keeps it.
    expect(page.get_by_label("No, they refused")).to_be_checked()
    expect(page.get_by_label("Presumed: nothing suggests they lack it")).to_be_checked()
    page.get_by_role("button", name="Back").click()
    expect(page.locator("#id_identifiable_0")).to_be_checked()
    _next(page)
    expect(page.get_by_label("No, they refused")).to_be_checked()
    _next(page)

    # Risk: what Sharewise knows is shown; the staff ticked nothing, as in the seed, but
    # Alice's own words raise a question Sarah must answer.
    expect(page.locator("main")).to_contain_text("waiting for a decision")
    question = page.get_by_role("group", name="Are they under duress, coercion or undue influence")
    expect(question).to_contain_text("“stop coming”")
    assert_accessible(page, "wizard-risk")
    question.get_by_label("No, it does not apply: say why").check()
    page.check("#id_at_risk_0")
    _next(page)
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Say why 'the person is under duress, coercion or undue influence' does not apply"
    )
    screenshot(page, "wizard-risk-question")
    question.get_by_label("Yes", exact=True).check()
    _next(page)
    page.check("#id_necessary_0")
    page.get_by_label("Why is sharing (or not sharing) necessary and proportionate?").fill(
        "The remarks are getting worse and she has stopped eating."
    )
    _next(page)
    page.get_by_label("Which organisation would receive it?").fill("Northshire County Council")
    page.get_by_label("The recipient's role").fill("Adult safeguarding duty team")
    page.get_by_label("Exactly what would be shared?").fill(
        "The three concerns, her words, and that she refused"
    )
    page.get_by_label("Secure email").check()
    _next(page)
    page.check("#id_tell_person_1")
    page.get_by_label("Why will they not be told?").fill(
        "She fears her son would find out from her"
    )
    _next(page)

    # The recommendation: her fear of losing him is pressure, not a free choice.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Recommendation: Share without consent"
    )
    reasons = page.locator("#reasons")
    expect(reasons).to_contain_text("under duress, coercion or undue influence")
    screenshot(page, "sharing-recommendation")
    assert_accessible(page, "wizard-recommendation")

    # A basis that contradicts sharing without consent is refused, naming it.
    expect(page.get_by_label("Share without consent")).to_be_checked()
    page.get_by_label("UK GDPR Article 9 condition").select_option("a")
    page.get_by_label("Why this decision is necessary and proportionate").fill(
        "Her son's threats are escalating and she is not eating; only the council can enquire."
    )
    page.get_by_role("button", name="Record and sign the decision").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("explicit consent does not fit")
    assert not SharingDecision.objects.exists()
    page.get_by_label("UK GDPR Article 9 condition").select_option("g")
    page.get_by_label("DPA 2018 Schedule 1 condition").select_option("para_18")
    page.get_by_role("button", name="Record and sign the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share without consent")
    expect(page.locator("main")).to_contain_text("What the record proposed")
    expect(page.locator("main")).to_contain_text("accepted")
    assert_accessible(page, "decision-signed")
    decision = SharingDecision.objects.get()
    assert decision.status == "signed" and decision.standing
    assert decision.answers["accepted"] == ["cue:fear_of_losing_contact"]

    # It is in Alice's chronology, and it decided the alert.
    page.goto(f"{base}/people/{cast.alice.pk}/chronology/")
    entry = page.locator(".sw-timeline__entry--decision")
    expect(entry).to_contain_text(f"Sharing decision {decision.pk}")
    expect(entry).to_contain_text("Share without consent")
    page.goto(f"{base}/alerts/{alert.pk}/")
    expect(page.locator("main")).to_contain_text(f"Escalated to sharing decision {decision.pk}")
    alert.refresh_from_db()
    assert alert.status == "decided"
    assert page.problems == []
