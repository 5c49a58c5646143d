import re
from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.concerns.models import (
    InformationSource,
    Injury,
    ReviewOutcome,
    Severity,
    SharingView,
    SourceKind,
)
from sharewise.forms import DatePartsField, NHSStyled
from sharewise.organisations.models import Team
from sharewise.people.models import Person
from sharewise.policy.documents import NO_INDICATOR

TIME = re.compile(r"^\s*(\d{1,2})[:.]?(\d{2})\s*$")


def _radio(choices, label):
    return forms.ChoiceField(choices=choices, label=label, widget=forms.RadioSelect)


class AllegedSource(forms.Form):
    """Who is alleged to have caused the harm, as a link where there is one: the same
    questions when recording a concern and when amending it."""

    source_staff = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        label="Which member of staff",
        empty_label="Choose",
    )
    source_person = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Which person we support",
        empty_label="Choose",
    )
    source_description = forms.CharField(
        label="Describe them",
        required=False,
        max_length=200,
        help_text="For example: her son, Mark",
    )


class ConcernForm(AllegedSource, NHSStyled, forms.Form):
    """Parses what the recorder typed; recording.problems() judges it."""

    # As the page asks them, so errors are listed in the same order.
    field_order = [
        "occurred_on",
        "occurred_time",
        "team",
        "shift",
        "other_people",
        "categories",
        "risk_indicators",
        "information_source",
        "reported_by",
        "facts",
        "persons_words",
        "persons_wishes",
        "sharing_view",
        "sharing_view_reason",
        "injury",
        "injury_location",
        "source_kind",
        "source_staff",
        "source_person",
        "source_description",
    ]

    occurred_on = DatePartsField(label="Date it happened", help_text="For example, 24 11 2026")
    occurred_time = forms.CharField(
        label="Time it happened", help_text="24-hour clock, for example 22:30", max_length=5
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label="Where it happened", empty_label="Choose the team"
    )
    shift = forms.ChoiceField(label="Shift", required=False)
    other_people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Anyone else at risk",
    )
    categories = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="What kind of abuse or neglect", required=False
    )
    risk_indicators = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Quick risk questions: do any of these apply?",
        help_text="Tick any that apply, or that you think might. The sharing decision "
        "will ask about each one you tick.",
        required=False,
    )
    information_source = _radio(InformationSource.choices, "How do you know")
    reported_by = forms.CharField(label="Who reported it", required=False, max_length=200)
    facts = forms.CharField(label="What happened", widget=forms.Textarea, required=False)
    persons_words = forms.CharField(
        label="The person's own words", widget=forms.Textarea, required=False
    )
    persons_wishes = forms.CharField(
        label="What the person wants to happen", widget=forms.Textarea, required=False
    )
    sharing_view = _radio(SharingView.choices, "The person's view on sharing this")
    sharing_view_reason = forms.CharField(label="Why", widget=forms.Textarea, required=False)
    injury = _radio(Injury.choices, "Injury")
    injury_location = forms.CharField(label="Where on the body", required=False, max_length=200)
    source_kind = _radio(SourceKind.choices, "Who is alleged to have caused the harm")
    immediate_action = forms.CharField(
        label="What you did straight away", widget=forms.Textarea, required=False
    )
    who_was_told = forms.CharField(label="Who you told", widget=forms.Textarea, required=False)
    severity = _radio(Severity.choices, "How serious is it, in your judgement")

    def __init__(self, *args, policy, teams, people, staff, adult=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: f"{t.name}, {t.service.name}"
        self.fields["shift"].choices = [
            ("", "Work it out from the time"),
            *policy.shift_labels().items(),
        ]
        self.fields["categories"].choices = [
            (c.code, c.label) for c in policy.categories if not (adult and c.children_only)
        ]
        self.fields["risk_indicators"].choices = [
            *((i.code, i.label) for i in policy.risk_indicators),
            (NO_INDICATOR, "None of these"),
        ]
        self.fields["other_people"].queryset = people
        self.fields["source_person"].queryset = people
        self.fields["source_staff"].queryset = staff
        self.fields["source_staff"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean_occurred_time(self):
        match = TIME.match(self.cleaned_data["occurred_time"])
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise forms.ValidationError("Enter the time as hours and minutes, for example 22:30")
        return int(match[1]), int(match[2])

    def occurred_at(self):
        day = self.cleaned_data.get("occurred_on")
        clock = self.cleaned_data.get("occurred_time")
        if not day or not clock:
            return None
        return timezone.make_aware(datetime(day.year, day.month, day.day, *clock))


class AmendmentForm(AllegedSource, NHSStyled, forms.Form):
    reason = forms.CharField(
        label="Why are you amending this concern", widget=forms.Textarea(attrs={"rows": 2})
    )
    facts = forms.CharField(label="What happened", widget=forms.Textarea, required=False)
    persons_words = forms.CharField(
        label="The person's own words", widget=forms.Textarea, required=False
    )
    persons_wishes = forms.CharField(
        label="What the person wants to happen", widget=forms.Textarea, required=False
    )
    sharing_view_reason = forms.CharField(
        label="Why (their view on sharing)", widget=forms.Textarea, required=False
    )
    immediate_action = forms.CharField(
        label="What you did straight away", widget=forms.Textarea, required=False
    )
    who_was_told = forms.CharField(label="Who you told", widget=forms.Textarea, required=False)
    injury_location = forms.CharField(label="Where on the body", required=False)
    severity = forms.ChoiceField(choices=Severity.choices, label="Severity")
    categories = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Categories")
    risk_indicators = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Quick risk questions: do any of these apply?",
        help_text="Tick any that apply, or that you think might.",
        required=False,
    )
    source_kind = forms.ChoiceField(
        choices=SourceKind.choices,
        label="Who is alleged to have caused the harm",
        widget=forms.RadioSelect,
        required=False,  # left out, the alleged source stays as it is
    )
    # Drawn together under their own heading, after the answers above.
    SOURCE_FIELDS = ("source_kind", "source_staff", "source_person", "source_description")

    def __init__(self, *args, policy, staff=None, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(c.code, c.label) for c in policy.categories]
        self.fields["risk_indicators"].choices = [
            *((i.code, i.label) for i in policy.risk_indicators),
            (NO_INDICATOR, "None of these"),
        ]
        if staff is not None:
            self.fields["source_staff"].queryset = staff
        self.fields["source_staff"].label_from_instance = lambda u: u.get_full_name() or u.username
        if people is not None:
            self.fields["source_person"].queryset = people


class ReviewForm(NHSStyled, forms.Form):
    outcome = forms.ChoiceField(
        choices=ReviewOutcome.choices, widget=forms.RadioSelect, label="Outcome"
    )
    rationale = forms.CharField(
        label="Your reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Someone reading this in a year must understand why you decided this.",
    )


class ChronologyFilterForm(NHSStyled, forms.Form):
    category = forms.ChoiceField(required=False, label="Category")
    service = forms.TypedChoiceField(required=False, coerce=int, label="Service", empty_value=None)
    team = forms.TypedChoiceField(required=False, coerce=int, label="Team", empty_value=None)
    since = DatePartsField(label="From", required=False)
    until = DatePartsField(label="To", required=False)

    def __init__(self, *args, policy, services, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [
            ("", "All categories"),
            *((c.code, c.label) for c in policy.categories),
        ]
        self.fields["service"].choices = [("", "All services"), *((s.pk, s.name) for s in services)]
        self.fields["team"].choices = [
            ("", "All teams"),
            *((t.pk, f"{t.name}, {t.service.name}") for t in teams),
        ]
        for name in ("category", "service", "team"):
            self.fields[name].widget.attrs["class"] = "nhsuk-select"
