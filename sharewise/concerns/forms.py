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
    """Parses what the recorder typed; recording.problems() judges it. The questions a
    tired worker must answer come first (when, what happened, their words, how serious),
    so the steps for immediate danger show before anything else is asked."""

    # As the page asks them, so errors are listed in the same order.
    field_order = [
        "occurred_on",
        "occurred_time",
        "facts",
        "persons_words",
        "severity",
        "immediate_action",
        "categories",
        "information_source",
        "reported_by",
        "injury",
        "injury_location",
        "source_kind",
        "source_staff",
        "source_person",
        "source_description",
        "risk_indicators",
        "others_at_risk",
        "other_people",
        "persons_wishes",
        "sharing_view",
        "sharing_view_reason",
        "who_was_told",
        "team",
        "shift",
        "submission",
    ]

    occurred_on = forms.DateField(
        label="Date it happened",
        widget=forms.DateInput(
            attrs={"type": "date", "class": "nhsuk-input sw-input--date"}, format="%Y-%m-%d"
        ),
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Enter the date it happened",
            "invalid": "Enter a real date, for example 24 11 2026",
        },
    )
    occurred_time = forms.TimeField(
        label="Time it happened",
        widget=forms.TimeInput(
            attrs={"type": "time", "class": "nhsuk-input sw-input--time"}, format="%H:%M"
        ),
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        error_messages={
            "required": "Enter the time it happened",
            "invalid": "Enter the time as hours and minutes, for example 22:30",
        },
    )
    facts = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    persons_words = forms.CharField(
        label="The person's own words", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    severity = _radio(
        [(Severity.IMMEDIATE, Severity.IMMEDIATE.label)]
        + [(v, label) for v, label in Severity.choices if v != Severity.IMMEDIATE],
        "How serious is it, in your judgement",
    )
    immediate_action = forms.CharField(
        label="What you did straight away", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    categories = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="What kind of abuse or neglect",
        error_messages={"required": "Choose at least one category of abuse or neglect"},
    )
    information_source = _radio(InformationSource.choices, "How do you know")
    reported_by = forms.CharField(label="Who reported it", required=False, max_length=200)
    injury = forms.ChoiceField(
        choices=Injury.choices,
        label="Injury",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether there is an injury"},
    )
    injury_location = forms.CharField(label="Where on the body", required=False, max_length=200)
    source_kind = forms.ChoiceField(
        choices=SourceKind.choices,
        label="Who is alleged to have caused the harm",
        widget=forms.RadioSelect,
        required=False,  # not known yet, at night, is an answer too
    )
    risk_indicators = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Quick risk questions: do any of these apply?",
        help_text="Tick any that apply, or that you think might. The sharing decision "
        "will ask about each one you tick.",
        required=False,
    )
    others_at_risk = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        label="Is anyone else we support at risk from this?",
        widget=forms.RadioSelect,
        required=False,
    )
    other_people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Who else is at risk",
    )
    persons_wishes = forms.CharField(
        label="What the person wants to happen",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    sharing_view = _radio(SharingView.choices, "The person's view on sharing this")
    sharing_view_reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    who_was_told = forms.CharField(
        label="Who you told", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label="Where it happened", empty_label="Choose the team"
    )
    shift = forms.ChoiceField(label="Shift", required=False)
    # One key per concern being written: sending it twice records it once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, policy, teams, people, staff, adult=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others_at_risk"].reveal_on = "yes"
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
        # A standard the policy requires whatever the answers is asked as a required
        # question, in its own words; the others are prompts beside their question.
        for standard in policy.standards:
            field = self.fields.get(standard.check)
            if field is not None and standard.required and standard.when == "always":
                field.required = True
                field.error_messages["required"] = standard.message
            if field is not None and not field.help_text:
                field.help_text = standard.message

    def clean(self):
        data = super().clean()
        if data.get("others_at_risk") != "yes":
            # Ticks left under a "No" (hidden from sight) are not an answer.
            data["other_people"] = []
            self._errors.pop("other_people", None)
        return data

    def occurred_at(self):
        day = self.cleaned_data.get("occurred_on")
        clock = self.cleaned_data.get("occurred_time")
        if not day or not clock:
            return None
        return timezone.make_aware(datetime.combine(day, clock.replace(second=0, microsecond=0)))


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

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The 'To' date must be on or after the 'From' date")
        return data
