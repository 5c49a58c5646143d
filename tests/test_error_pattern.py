"""One way of saying things: the NHS.UK error summary and error message pattern on
every form, one date format, and no page that reloads itself."""

import re
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django import forms
from django.utils import formats

from sharewise.forms import NHSStyled, field_thing

TEMPLATES = Path(__file__).resolve().parents[1] / "sharewise" / "templates"


class _Page(HTMLParser):
    """The bits of a page the error pattern is made of."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.elements = {}  # id -> attributes
        self.summary_links = []  # [href, text]
        self.field_errors = {}  # id of the error message -> its text
        self._in = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.elements[attrs["id"]] = {"tag": tag, **attrs}
        classes = (attrs.get("class") or "").split()
        if tag == "title":
            self._in.append(("title", None))
        elif "nhsuk-error-summary" in classes:
            self._in.append(("summary", tag))
        elif tag == "a" and any(kind == "summary" for kind, _ in self._in):
            self.summary_links.append([attrs.get("href", ""), ""])
            self._in.append(("link", tag))
        elif "nhsuk-error-message" in classes:
            self.field_errors[attrs.get("id")] = ""
            self._in.append(("error", attrs.get("id")))
        elif self._in:
            self._in.append((None, tag))

    def handle_endtag(self, tag):
        if self._in:
            self._in.pop()

    def handle_data(self, data):
        for kind, value in reversed(self._in):
            if kind == "title":
                self.title += data
            elif kind == "link":
                self.summary_links[-1][1] += data
            elif kind == "error":
                self.field_errors[value] += data
            else:
                continue
            break


def _read(response):
    page = _Page()
    page.feed(response.content.decode())
    return page


def _squash(text):
    return " ".join(text.split())


def test_a_form_with_errors_follows_the_nhs_error_pattern(cast, as_user):
    """Sent empty, the lesson form (text, radios, textarea, checkboxes, select, date and
    number) shows the pattern for every field in error."""
    response = as_user(cast.sarah).post("/governance/learning/new/", {"title": ""})
    assert response.status_code == 200
    page = _read(response)
    assert page.title.strip().startswith("Error: Add a lesson")
    assert len(page.summary_links) >= 5, page.summary_links
    for href, text in page.summary_links:
        assert href.startswith("#"), href
        target = href[1:]
        assert target in page.elements, f"the summary links to {href}, which is not on the page"
        # the message at the field is the one in the summary, word for word
        field_id = re.sub(r"_0$", "", target)
        at_field = page.field_errors.get(f"{field_id}_error")
        assert at_field is not None, f"no error message at the field for {href}"
        assert _squash(at_field) == f"Error: {_squash(text)}"
        assert "This field is required" not in text
        element = page.elements[target]
        if element.get("type") not in ("radio", "checkbox"):
            kind = {"textarea": "textarea", "select": "select"}.get(element["tag"], "input")
            assert f"nhsuk-{kind}--error" in element.get("class", "").split(), element
    messages = [_squash(text) for _, text in page.summary_links]
    assert "Enter title" in messages
    assert "Enter what happened" in messages
    assert "Select where it came from" in messages
    # all three boxes of a date in error have the red border
    for part in ("id_changed_on_0", "id_changed_on_1", "id_changed_on_2"):
        assert "nhsuk-input--error" in page.elements[part]["class"].split()


def test_a_page_whose_template_does_not_say_error_still_gets_it_in_the_title(cast, as_user):
    response = as_user(cast.owen).post("/organisation/teams/new/", {"name": ""})
    page = _read(response)
    assert page.summary_links
    assert page.title.strip().startswith("Error: ")
    assert not page.title.strip().startswith("Error: Error:")
    # without errors, no "Error:"
    assert "Error:" not in _read(as_user(cast.owen).get("/organisation/teams/new/")).title


class _Example(NHSStyled, forms.Form):
    why = forms.CharField(label="Why are you amending this concern?")
    how = forms.ChoiceField(label="How do you know", choices=[("saw", "I saw it")])
    when = forms.DateField(label="Date of birth")
    days = forms.IntegerField(label="Days to compare", max_value=365)
    own = forms.CharField(label="Name", error_messages={"required": "Enter the team's name"})


def test_django_default_messages_are_replaced_by_plain_ones_naming_the_field():
    form = _Example({"days": "400", "when": "31 2 2026"})
    assert not form.is_valid()
    assert form.errors["why"] == ["Enter why you are amending this concern"]
    assert form.errors["how"] == ["Select how you know"]
    assert form.errors["when"] == ["Enter date of birth as a real date, like 27 3 2026"]
    assert form.errors["days"] == ["Days to compare must be 365 or less"]
    assert form.errors["own"] == ["Enter the team's name"]  # a form's own words stay
    form = _Example({"how": "guessed", "days": "many"})
    form.is_valid()
    assert form.errors["how"] == ["Select how you know from the choices given"]
    assert form.errors["days"] == ["Days to compare must be a whole number, like 12"]


@pytest.mark.parametrize(
    "label, thing",
    [
        ("What happened?", "what happened"),
        ("How serious is it, in your judgement", "how serious it is, in your judgement"),
        ("Why do you need this record now?", "why you need this record now"),
        ("Who will do it", "who will do it"),
        ("NHS number", "NHS number"),
    ],
)
def test_a_label_becomes_words_to_follow_enter_or_select(label, thing):
    assert field_thing(label) == thing


def test_dates_are_written_one_way():
    assert formats.date_format(date(2026, 12, 7)) == "7 December 2026"
    assert formats.date_format(datetime(2026, 12, 7, 14, 5), "DATETIME_FORMAT") == (
        "7 December 2026 at 14:05"
    )


def test_no_template_uses_other_date_formats():
    other = []
    for path in TEMPLATES.rglob("*.html"):
        for match in re.finditer(r'\|date:"([^"]*)"', path.read_text()):
            if not match.group(1).endswith("_FORMAT"):
                other.append(f"{path.relative_to(TEMPLATES)}: {match.group()}")
    assert not other, "dates written another way:\n" + "\n".join(other)


def test_no_template_reloads_the_page_by_itself():
    """A page that refreshes itself moves a screen reader back to the top and is a
    critical axe failure (meta-refresh): progress pages poll a live region instead."""
    refreshing = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"http-equiv\s*=\s*[\"']?refresh", path.read_text(), re.IGNORECASE)
    ]
    assert not refreshing, f"templates with <meta http-equiv=refresh>: {refreshing}"
