from django import forms

from sharewise.forms import DatePartsField
from sharewise.organisations.models import Team
from sharewise.people import nhs_number
from sharewise.people.models import Enrolment, Person


class PersonForm(forms.ModelForm):
    date_of_birth = DatePartsField(label="Date of birth", help_text="For example, 27 3 1958")
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), label="Team supporting them", empty_label="Choose a team"
    )
    start_date = DatePartsField(
        label="Support started",
        help_text="For example, 1 9 2026",
        error_messages={"required": "Enter the date their support started"},
    )

    class Meta:
        model = Person
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "nhs_number",
            "communication_needs",
            "contact_safely",
        ]
        widgets = {
            "given_name": forms.TextInput(attrs={"class": "nhsuk-input", "autocomplete": "off"}),
            "family_name": forms.TextInput(attrs={"class": "nhsuk-input", "autocomplete": "off"}),
            "preferred_name": forms.TextInput(
                attrs={"class": "nhsuk-input nhsuk-u-width-one-half"}
            ),
            "nhs_number": forms.TextInput(
                attrs={"class": "nhsuk-input nhsuk-input--width-10", "inputmode": "numeric"}
            ),
            "communication_needs": forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
            "contact_safely": forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
        }
        help_texts = {
            "nhs_number": "10 digits, for example 943 476 5919. Leave blank if not known."
        }

    def __init__(self, *args, teams=None, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["team"].widget.attrs["class"] = "nhsuk-select"

    def clean(self):
        data = super().clean()
        born, started = data.get("date_of_birth"), data.get("start_date")
        if born and started and started < born:
            self.add_error("start_date", "Support cannot have started before they were born")
        return data

    def clean_nhs_number(self):
        value = nhs_number.normalise(self.cleaned_data.get("nhs_number", ""))
        if value and (message := nhs_number.problem(value)):
            raise forms.ValidationError(message)
        if (
            value
            and Person.objects.filter(organisation=self.organisation, nhs_number=value).exists()
        ):
            raise forms.ValidationError(
                "Someone with this NHS number is already recorded: search for them instead"
            )
        return value

    def _post_clean(self):
        if self.organisation is not None:
            self.instance.organisation = self.organisation
        super()._post_clean()


class EnrolmentForm(forms.ModelForm):
    start_date = DatePartsField(label="Start date")
    end_date = DatePartsField(
        label="End date", required=False, help_text="Leave blank if support is ongoing"
    )

    class Meta:
        model = Enrolment
        fields = ["team", "start_date", "end_date"]

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["team"].widget.attrs["class"] = "nhsuk-select"
        self.fields["team"].empty_label = "Choose a team"


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need this record now?",
        help_text="Your reason, your name and the time are recorded and reviewed by the safeguarding lead.",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
        min_length=10,
        error_messages={
            "required": "Give a reason: say why you need this record now",
            "min_length": "Give a reason of at least 10 characters: say why you need this record now",
        },
    )


class BreakGlassReviewForm(forms.Form):
    note = forms.CharField(
        label="Review note",
        required=False,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2}),
        help_text="For example: appropriate, covering a shift at Rose House",
    )


class DuplicateConfirmForm(forms.Form):
    """Shown with the likely duplicates of someone about to be added. `seen` is an
    opaque digest of the matches shown, so a tick covers only what was on the page."""

    different_person = forms.BooleanField(
        label="I have checked: this is a different person, add them",
        required=False,
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)


class MergeForm(forms.Form):
    keep = forms.TypedChoiceField(
        coerce=int,
        label="Which record should be kept?",
        help_text="The other record's teams and concerns will show on it. You can undo this.",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose which record to keep"},
    )
    reason = forms.CharField(
        label="How do you know these are the same person?",
        help_text="For example: confirmed with the GP surgery that both are the same person.",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
        min_length=10,
        error_messages={
            "required": "Give a reason: say how you know these are the same person",
            "min_length": "Give a reason of at least 10 characters: say how you know",
        },
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(p.pk, f"{p.display_name}, record {p.pk}") for p in people]


class UndoMergeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you undoing this merge? (optional)",
        required=False,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 2}),
    )
