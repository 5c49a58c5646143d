"""The evidence pack: every figure matches the records counted one by one, small
counts never show, and nothing in it names or identifies anyone."""

import hashlib
import io
import re
from collections import Counter
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from conftest import record_concern
from sharewise.audittrail import trail
from sharewise.audittrail.models import Entry
from sharewise.background import working
from sharewise.concerns.models import Concern
from sharewise.disclosures.models import Disclosure
from sharewise.disclosures.tests.test_referrals import by, example_3
from sharewise.governance import charts, evidence, evidence_sections, measures
from sharewise.governance.models import (
    Action,
    AuditRun,
    EvidencePack,
    Finding,
    Job,
    Lesson,
    Supervision,
)
from sharewise.governance.tests.test_measures import disclosure
from sharewise.organisations.models import Membership
from sharewise.patterns import operations as alerts
from sharewise.patterns.models import Alert
from sharewise.people.models import Person
from sharewise.policy import store
from sharewise.sharing.models import SharingDecision

SAID = (
    "Alice Moore (born 2 March 1941, NHS number 943 476 5919) told Tom Bradley and "
    "Nia Okafor that Bob Evans shouted at her; Helen Marsh and Sarah Whitfield were told."
)


def test_a_measures_change_is_not_shown_when_either_side_would_give_away_a_small_count():
    measure = {
        "pattern_label": "Over-reliance on consent",
        "label": "Share of refusals reviewed",
        "unit": "%",
        "before": 80.0,
        "n_before": 5,
        "after": 100.0,
        "n_after": 12,
        "change": 20.0,
        "improved": True,
        "after_complete": True,
    }
    row = evidence_sections._measure_row(measure, 5)
    assert row[2:] == [
        "Not shown: it would give away a count under 5",
        "5",
        "100.0%",
        "12",
        "Not shown",
        "Not shown: small numbers",
    ]
    fine = evidence_sections._measure_row(
        measure | {"before": 50.0, "n_before": 10, "change": 50.0}, 5
    )
    assert fine[2:] == ["50.0%", "10", "100.0%", "12", "+50.0%", "Better"]


# Charts


def test_a_hidden_bar_is_a_stub_that_does_not_scale_with_the_chart():
    def chart(biggest):
        svg = charts.bar_chart(
            "Concerns by service",
            [("Rose House", None, "<5"), ("Riverside", biggest, str(biggest))],
        )
        return svg.split("Rose House")[1]  # from the hidden row's label onwards

    small, large = chart(6), chart(600)
    stub = small.split("<text")[0]
    assert stub == large.split("<text")[0], "the stub is drawn the same beside any bar"
    assert f'width="{charts.STUB_W:.1f}"' in stub
    svg = charts.bar_chart("T", [("A", None, "<5"), ("B", 12, "12")])
    assert svg == charts.bar_chart("T", [("A", None, "<5"), ("B", 12, "12")])
    assert 'role="img"' in svg and 'aria-labelledby="' in svg
    assert ">&lt;5</text>" in svg


def test_chart_labels_are_escaped():
    svg = charts.bar_chart("<b>", [("<script>", 3, "3 & more")])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "3 &amp; more" in svg
    line = charts.line_chart(
        "Findings by run", {"A <x>": [("Run 1", 3), ("Run 2", None), ("Run 3", 5)], "B": []}
    )
    assert "A &lt;x&gt;" in line and "<polyline" not in line  # the gap splits the line
    line = charts.line_chart("Findings", {"A": [("Run 1", 3), ("Run 2", 4)]})
    assert line.count("<polyline") == 1 and line.count("<circle") == 3  # two points, legend


# The cast's period


@pytest.fixture
def period(cast):
    """Concerns at two services, an alert decided, sharing decisions, a disclosure,
    an audit, a supervision and a lesson, with names typed into every free-text box."""
    today = timezone.localdate()
    for days, categories in (
        (2, ["neglect"]),
        (5, ["neglect", "physical"]),
        (9, ["psychological"]),
    ):
        record_concern(cast, days_ago=days, categories=categories, facts=SAID)
    record_concern(cast, person=cast.bob, team=cast.day, days_ago=3, categories=["neglect"])
    record_concern(cast, person=cast.bob, team=cast.day, days_ago=4, categories=["financial"])
    record_concern(cast, person=cast.carol, team=cast.community, by=cast.priya, days_ago=6)
    record_concern(cast, person=cast.carol, team=cast.community, by=cast.priya, days_ago=200)
    waiting = Alert.objects.filter(organisation=cast.org, status="open").order_by("pk")
    assert waiting.exists(), "three concerns about Alice raise an alert"
    alerts.decide(by(cast.sarah), waiting.first(), "no_further_action", SAID)
    example_3(cast)  # shares without consent, on the crime ground
    disclosure(cast, 1)
    disclosure(cast, 2, beyond=2)
    governance, _ = store.in_force(cast.org.pk, "governance")
    run = AuditRun.objects.create(
        organisation=cast.org,
        period_from=today - timedelta(days=30),
        period_to=today,
        started_by=cast.grace,
        status=Job.DONE,
        policy_version=governance,
    )
    for criterion in ("concern_reviewed_late", "concern_reviewed_late", "alert_undecided"):
        Finding.objects.create(
            organisation=cast.org,
            run=run,
            criterion=criterion,
            title="Concern reviewed late",
            severity="moderate",
            summary=SAID,
            record_type="concern",
            record_id=1,
            person=cast.alice,
        )
    Finding.objects.filter(criterion="alert_undecided").update(
        status="closed", closed_at=timezone.now()
    )
    Supervision.objects.create(
        organisation=cast.org,
        supervisor=cast.helen,
        staff=cast.nia,
        held_at=timezone.now() - timedelta(days=3),
        items=[{"type": "concern", "id": 1, "label": "Alice Moore", "person_id": cast.alice.pk}],
        prompts=[{"prompt": "Who else might know?", "response": SAID}],
        reflection=SAID,
        learning=SAID,
        next_due=today + timedelta(days=56),
        policy_version=governance,
    )
    lesson = Lesson.objects.create(
        organisation=cast.org,
        title="Alice Moore and Tom Bradley: the money nobody reported",
        source=Lesson.Source.INTERNAL_REVIEW,
        what_happened=SAID,
        failure_pattern=Lesson.Pattern.OVER_SHARING,
        measure="referrals_within_minimum",
        changed_on=today - timedelta(days=10),
        window_days=30,
        recorded_by=cast.sarah,
    )
    for done in (True, False):
        Action.objects.create(
            organisation=cast.org,
            description=SAID,
            owner=cast.helen,
            due=today + timedelta(days=7),
            lesson=lesson,
            created_by=cast.sarah,
            done_at=timezone.now() if done else None,
            done_note=SAID if done else "",
        )
    return today - timedelta(days=60), today


def inside(moment, start, end):
    return moment is not None and start <= timezone.localdate(moment) <= end


def test_every_figure_matches_the_records_counted_one_by_one(cast, period):
    start, end = period
    f = evidence.figures(cast.org.pk, start, end)
    org = cast.org.pk

    concerns = [
        c for c in Concern.objects.filter(organisation=org) if inside(c.occurred_at, start, end)
    ]
    assert f["concerns"]["total"] == len(concerns) == 7  # with example 3's
    categories = Counter(code for c in concerns for code in set(c.categories))
    shown = {r["code"]: r["count"] for r in f["concerns"]["by_category"]}
    assert {k: v for k, v in shown.items() if v} == dict(categories)
    assert categories["neglect"] == 4  # the concern with two categories counts in both
    assert {r["label"]: r["count"] for r in f["concerns"]["by_service"]} == {
        "Rose House": sum(c.service_id == cast.rose.pk for c in concerns),
        "Riverside Home Care": sum(c.service_id == cast.riverside.pk for c in concerns),
    }
    months = Counter(timezone.localtime(c.occurred_at).strftime("%Y-%m") for c in concerns)
    assert {r["month"]: r["count"] for r in f["concerns"]["by_month"] if r["count"]} == months
    assert f["concerns"]["by_month"][0]["month"] == f"{start:%Y-%m}"
    assert f["concerns"]["by_month"][-1]["month"] == f"{end:%Y-%m}"

    raised = [a for a in Alert.objects.filter(organisation=org) if inside(a.raised_at, start, end)]
    decided = [a for a in raised if a.decisions.exists()]
    assert f["alerts"]["raised"] == len(raised) >= 1
    assert f["alerts"]["decided"] == len(decided) == 1
    by_rule = {r["code"]: (r["raised"], r["decided"]) for r in f["alerts"]["by_rule"]}
    for rule in {a.rule for a in raised}:
        assert by_rule[rule] == (
            sum(a.rule == rule for a in raised),
            sum(a.rule == rule for a in decided),
        )
    assert sum(r for r, _ in by_rule.values()) == len(raised)
    outcomes = {r["code"]: r["count"] for r in f["alerts"]["outcomes"]}
    assert outcomes == {
        "escalate": 0,
        "monitor": 0,
        "no_further_action": sum(
            a.decisions.first().outcome == "no_further_action" for a in decided
        ),
    }
    gaps = [(a.decisions.first().decided_at - a.raised_at).total_seconds() / 86400 for a in decided]
    assert f["alerts"]["median_days_to_decision"] == round(measures.median(gaps), 1)

    signed = [
        d
        for d in SharingDecision.objects.filter(organisation=org, status="signed")
        if inside(d.decided_at, start, end)
    ]
    sharing = f["sharing"]
    assert sharing["decisions"] == len(signed)
    assert {r["code"]: r["count"] for r in sharing["by_outcome"] if r["count"]} == Counter(
        d.outcome for d in signed
    )
    assert sharing["with_consent"] == sum(d.consent_outcome == "given" for d in signed)
    assert sharing["without_consent"] == sum(d.consent_outcome != "given" for d in signed)
    assert {r["code"]: r["count"] for r in sharing["override_grounds"] if r["count"]} == Counter(
        g for d in signed for g in d.override_grounds
    )
    assert {r["code"]: r["count"] for r in sharing["article_6"] if r["count"]} == Counter(
        d.article_6 for d in signed
    )
    assert {r["code"]: r["count"] for r in sharing["article_9"] if r["count"]} == Counter(
        d.article_9 for d in signed
    )
    assert Counter(d.article_6 for d in signed)["e"] == 1  # example 3

    sent = [d for d in Disclosure.objects.filter(organisation=org) if inside(d.sent_at, start, end)]
    referral_figures = ("sent", "within_minimum", "beyond_minimum", "by_template")
    assert {k: f["disclosures"][k] for k in referral_figures} == {
        "sent": len(sent),
        "within_minimum": sum(d.beyond_minimum == 0 for d in sent),
        "beyond_minimum": sum(d.beyond_minimum > 0 for d in sent),
        "by_template": [
            {"code": "council_s42", "label": "Council adult safeguarding", "count": len(sent)}
        ],
    }

    runs = [
        r for r in AuditRun.objects.filter(organisation=org) if inside(r.created_at, start, end)
    ]
    findings = Finding.objects.filter(run__in=runs)
    assert f["audits"]["runs"] == len(runs) == 1
    assert f["audits"]["findings_raised"] == findings.count() == 3
    assert f["audits"]["findings_closed"] == sum(
        inside(x.closed_at, start, end) for x in Finding.objects.filter(organisation=org)
    )
    assert {r["code"]: r["count"] for r in f["audits"]["by_criterion"] if r["count"]} == Counter(
        x.criterion for x in findings
    )

    staff = {
        m.user_id
        for m in Membership.objects.filter(organisation=org)
        if m.role in ("care_worker", "team_manager") and m.user.is_active
    }
    assert staff == {cast.nia.pk, cast.tom.pk, cast.priya.pk, cast.helen.pk}
    sessions = [
        s for s in Supervision.objects.filter(organisation=org) if inside(s.held_at, start, end)
    ]
    supervised = {s.staff_id for s in sessions}
    assert f["supervision"] == {
        "staff": len(staff),
        "sessions": len(sessions),
        "supervised": len(supervised),
        "not_supervised": len(staff - supervised),
        "overdue": len(staff - supervised),  # the one supervision was 3 days ago
        "up_to_date": len(supervised),
        "every_days": 56,
    }

    lessons = [
        x for x in Lesson.objects.filter(organisation=org) if inside(x.recorded_at, start, end)
    ]
    actions = [
        a for a in Action.objects.filter(organisation=org) if inside(a.created_at, start, end)
    ]
    learning = f["learning"]
    assert learning["lessons"] == len(lessons) == 1
    assert learning["actions_agreed"] == len(actions) == 2
    assert learning["actions_done"] == sum(a.done_at is not None for a in actions) == 1
    assert learning["actions_open"] == 1
    assert {r["code"]: r["count"] for r in learning["actions_by_source"]} == {
        "finding": 0,
        "minute": 0,
        "lesson": 2,
        "other": 0,
    }
    [measure] = learning["measures"]
    assert measure["pattern_label"] == "Over-sharing"
    assert measure["label"] == "Referrals sent with no more than the minimum"
    assert (measure["n_before"], measure["n_after"]) == (
        0,
        2,
    )  # the two disclosures since the change
    assert "title" not in measure and "Alice" not in repr(f)


class Tables(HTMLParser):
    """The text of every table cell, row by row."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def document(cast, start, end, f=None):
    f = f or evidence.figures(cast.org.pk, start, end)
    return evidence.render_html(cast.org.name, start, end, f, 5)


def test_small_counts_show_as_under_five_in_every_table(cast, period):
    start, end = period
    html = document(cast, start, end)
    parser = Tables()
    parser.feed(html)
    cells = [cell for row in parser.rows for cell in row[1:]]
    assert cells
    for cell in cells:
        if re.fullmatch(r"[\d,]+", cell):
            n = int(cell.replace(",", ""))
            assert n == 0 or n >= 5, f"{cell} is a small count shown exactly"
        elif "%" not in cell and "days" not in cell:
            assert cell in {"<5", "Not shown", "Not shown: fewer than 5"} or not re.search(
                r"\d", cell
            ), cell
    rows = {row[0]: row[1:] for row in parser.rows}
    assert rows["Neglect and acts of omission"] == ["<5"]  # 4 concerns
    assert rows["Riverside Home Care"] == ["<5"]  # 1 concern, so Rose House (6) hides too
    assert rows["Rose House"] == ["Not shown"]
    assert rows["Sexual abuse"] == ["0"]
    assert rows["Failure pattern"] == [
        "Measure",
        "Before",
        "Records before",
        "After",
        "Records after",
        "Change",
        "Result",
    ]
    assert rows["Over-sharing"] == [
        "Referrals sent with no more than the minimum",
        "No records",  # before the change
        "0",
        "Not shown: fewer than 5",  # after it: 2 disclosures
        "<5",
        "Not shown",
        "Too few records to tell (after period still running)",
    ]
    assert "Concerns that happened in the period: 7." in html


def test_the_document_is_the_same_whatever_a_hidden_count_is(cast, period):
    start, end = period
    f = evidence.figures(cast.org.pk, start, end)
    pages = set()
    for n in (1, 2, 3, 4):
        for row in f["concerns"]["by_category"]:
            if row["code"] == "neglect":
                row["count"] = n
        pages.add(document(cast, start, end, f))
    assert len(pages) == 1


def names_and_numbers(cast):
    """Everything that would identify someone in the cast, in the forms the app shows."""
    words = set()
    for user in (
        cast.nia,
        cast.tom,
        cast.priya,
        cast.helen,
        cast.sarah,
        cast.david,
        cast.grace,
        cast.owen,
        cast.olivia,
    ):
        words |= {user.first_name, user.last_name, f"{user.first_name} {user.last_name}"}
    dates, numbers = set(), set()
    for person in Person.objects.all():
        words |= {
            person.given_name,
            person.family_name,
            f"{person.given_name} {person.family_name}",
        }
        born = person.date_of_birth
        dates |= {
            f"{born.day} {born:%B %Y}",
            f"{born.day} {born:%b %Y}",
            f"{born:%d/%m/%Y}",
            born.isoformat(),
        }
        if person.nhs_number:
            n = person.nhs_number
            numbers |= {n, f"{n[:3]} {n[3:6]} {n[6:]}"}
    return words, dates, numbers


def assert_identifies_nobody(text, cast):
    words, dates, numbers = names_and_numbers(cast)
    flat = re.sub(r"\s+", " ", text)
    for word in words:
        assert not re.search(rf"\b{re.escape(word)}\b", flat), word
    for found in dates | numbers:
        assert found not in flat and found.replace(" ", "") not in flat.replace(" ", ""), found


def test_the_pdf_names_nobody(cast, period):
    start, end = period
    html = document(cast, start, end)
    assert_identifies_nobody(html, cast)
    pdf = evidence.render_pdf(html)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Safeguarding evidence pack" in text
    assert "Oakleigh Care Group" in text
    assert "Page 1 of" in text
    assert "Rose House" in text  # the reader can see the tables made it into the PDF
    assert_identifies_nobody(text, cast)
    # The free text really was there to leak.
    assert Concern.objects.filter(facts=SAID).exists() and "Alice Moore" in SAID


# Requesting a pack


def test_the_pack_names_the_trail_head_it_was_built_on(cast, as_user):
    record_concern(cast, days_ago=2)
    trail.seal_pending()
    position, head = trail.head()
    assert position > 0
    today = timezone.localdate()
    f = evidence.figures(cast.org.pk, today - timedelta(days=7), today)
    assert f["trail_head"] == {"position": position, "hash": head}
    html = document(cast, today - timedelta(days=7), today, f)
    assert f"audit trail was sealed up to entry {position}, hash" in html and head in html
    pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=today - timedelta(days=7),
        period_to=today,
        requested_by=cast.sarah,
        status=Job.DONE,
        figures=f,
        finished_at=timezone.now(),
    )
    page = as_user(cast.sarah).get(f"/governance/evidence-packs/{pack.pk}/").content.decode()
    assert f"Built on the audit trail as sealed up to entry {position}" in page and head in page


def test_a_bad_period_is_refused_and_nothing_saved(cast):
    today = timezone.localdate()
    cases = {
        (today, today - timedelta(days=1)): "period_from",
        (today - timedelta(days=5), today + timedelta(days=1)): "period_to",
        (date(2022, 12, 31), date(2025, 1, 1)): "period_from",
        (None, today): "period_from",
    }
    for (start, end), field_name in cases.items():
        with pytest.raises(ValidationError) as refused:
            evidence.start(by(cast.sarah), cast.org.pk, start, end)
        assert list(refused.value.message_dict) == [field_name]
    longest = today.replace(year=today.year - 2)
    assert evidence.period_problems(longest, today, today) == {}
    assert "period_from" in evidence.period_problems(longest - timedelta(days=1), today, today)
    assert not EvidencePack.objects.exists()


def test_progress_is_reported_topic_by_topic(cast):
    seen = []
    today = timezone.localdate()
    evidence.figures(cast.org.pk, today, today, lambda percent, step: seen.append((percent, step)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[-1] == 70
    assert [s for _, s in seen][:2] == ["Counting concerns", "Counting alerts and their decisions"]


def test_a_failure_is_recorded_with_a_plain_message(cast, monkeypatch, caplog):
    pack = EvidencePack.objects.create(
        organisation=cast.org,
        period_from=cast.today - timedelta(days=7),
        period_to=cast.today,
        requested_by=cast.sarah,
    )

    def broken(html):
        raise OSError("no fonts")

    monkeypatch.setattr(evidence, "render_pdf", broken)
    evidence.build(pack.pk)
    pack.refresh_from_db()
    assert pack.status == Job.FAILED
    assert pack.error.startswith("Something went wrong") and "Try again" in pack.error
    assert "no fonts" not in pack.error
    assert "Evidence pack" in caplog.text


def test_a_pack_is_built_in_the_background(transactional_cast):
    cast = transactional_cast
    record_concern(cast, days_ago=2, facts=SAID)
    start, end = cast.today - timedelta(days=30), cast.today
    pack = evidence.start(by(cast.sarah), cast.org.pk, start, end)
    assert working.run_ready() == 1
    pack.refresh_from_db()
    assert pack.status == Job.DONE, pack.error
    assert (pack.progress, pack.step) == (100, "Finished")
    assert pack.requested_by == cast.sarah
    assert pack.started_at and pack.finished_at
    pdf = bytes(pack.pdf)
    assert pdf.startswith(b"%PDF")
    assert pack.sha256 == hashlib.sha256(pdf).hexdigest()
    assert pack.figures["concerns"]["total"] == 1
    assert "Concerns that happened in the period: &lt;5." in pack.html
    entry = Entry.objects.get(action="evidence_pack.request")
    assert (entry.object_id, entry.organisation_id, entry.actor_id) == (
        str(pack.pk),
        cast.org.pk,
        cast.sarah.pk,
    )
