"""Forms for information-sharing agreements, what came back from a disclosure and what
was told without a referral: types only; the operations (disclosures.agreements,
.responses, .told) check the rest, and the pages show their errors beside the fields."""

from datetime import datetime

from django import forms
from django.utils import timezone

from sharewise.disclosures.forms import INPUT
from sharewise.disclosures.models import Response

DATE = {
    "input_formats": ["%Y-%m-%d"],
    "widget": forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
}
TIME = {
    "input_formats": ["%H:%M", "%H:%M:%S"],
    "widget": forms.TimeInput(attrs={**INPUT, "type": "time"}, format="%H:%M"),
}
TEXTAREA = forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3})


def _when(day, time):
    return timezone.make_aware(datetime.combine(day, time)) if day and time else None


class AgreementForm(forms.Form):
    """The agreement's terms as typed: types only; agreements.add and change check the
    rest (the page shows their errors beside the fields, as the API answers them)."""

    partner_organisation = forms.CharField(
        label="Partner organisation",
        max_length=200,
        required=False,
        help_text="As named in the partner directory: the agreement covers all its teams",
        widget=forms.TextInput(attrs=INPUT),
    )
    title = forms.CharField(
        label="Title", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes it covers", required=False, widget=forms.CheckboxSelectMultiple
    )
    categories = forms.MultipleChoiceField(
        label="Categories of information it covers",
        required=False,
        help_text="Leave all unticked when it covers every category",
        widget=forms.CheckboxSelectMultiple,
    )
    article_6 = forms.MultipleChoiceField(
        label="Lawful bases (UK GDPR Article 6)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    article_9 = forms.MultipleChoiceField(
        label="Conditions for special category data (Article 9)",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    schedule_1 = forms.MultipleChoiceField(
        label="DPA 2018 Schedule 1 conditions", required=False, widget=forms.CheckboxSelectMultiple
    )
    secure_channel = forms.CharField(
        label="Secure channel",
        max_length=200,
        required=False,
        help_text="For example, secure email to gcsx.gov.uk addresses, or their portal",
        widget=forms.TextInput(attrs=INPUT),
    )
    starts_on = forms.DateField(label="Start date", required=False, **DATE)
    review_on = forms.DateField(label="Review date", required=False, **DATE)
    contact_name = forms.CharField(
        label="Named contact", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    contact_details = forms.CharField(
        label="Contact's email or phone",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )
    document = forms.CharField(
        label="Document reference or link",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            self.fields[name].choices = options


class TellForm(forms.Form):
    partner_id = forms.ChoiceField(
        label="Who was told, from the partner directory",
        required=False,
        help_text="Or leave this and type the organisation and role below",
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    recipient_organisation = forms.CharField(
        label="Organisation", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    recipient_role = forms.CharField(
        label="Role or team",
        max_length=200,
        required=False,
        help_text="For example, GP, or police non-emergency call handler",
        widget=forms.TextInput(attrs=INPUT),
    )
    recipient_name = forms.CharField(
        label="Their name", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    channel = forms.ChoiceField(label="How they were told", widget=forms.RadioSelect)
    told_on = forms.DateField(
        label="Date", error_messages={"required": "Enter the date they were told"}, **DATE
    )
    told_time = forms.TimeField(
        label="Time", error_messages={"required": "Enter the time they were told"}, **TIME
    )
    purpose = forms.ChoiceField(
        label="Purpose", widget=forms.Select(attrs={"class": "nhsuk-select"})
    )
    categories = forms.MultipleChoiceField(
        label="Categories of information told", required=False, widget=forms.CheckboxSelectMultiple
    )
    what_said = forms.CharField(
        label="What was told",
        help_text="The facts and information given, as exactly as you can",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 5}),
        error_messages={"required": "Say what was told, as exactly as you can"},
    )
    no_agreement_reason = forms.CharField(
        label="Why it was lawful without a current information-sharing agreement",
        required=False,
        help_text="Only needed when no current agreement covers who was told for this purpose",
        widget=TEXTAREA,
    )

    def __init__(self, *args, partners, purposes, categories, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_id"].choices = [("", "Not in the directory")] + [
            (str(p.pk), f"{p.name}, {p.team}") for p in partners
        ]
        self.fields["purpose"].choices = purposes
        self.fields["categories"].choices = categories
        self.fields["channel"].choices = channels

    def data_for_told(self) -> dict:
        c = self.cleaned_data
        return {
            **{k: v for k, v in c.items() if k not in ("told_on", "told_time")},
            "told_at": _when(c.get("told_on"), c.get("told_time")),
        }


class AcknowledgementForm(forms.Form):
    acknowledged_on = forms.DateField(
        label="Date acknowledged",
        error_messages={"required": "Enter the date it was acknowledged"},
        **DATE,
    )
    acknowledged_time = forms.TimeField(
        label="Time acknowledged",
        error_messages={"required": "Enter the time it was acknowledged"},
        **TIME,
    )
    acknowledged_by = forms.CharField(
        label="Who acknowledged it at the partner",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs=INPUT),
    )
    their_reference = forms.CharField(
        label="Their reference", max_length=200, required=False, widget=forms.TextInput(attrs=INPUT)
    )
    notes = forms.CharField(label="Notes", required=False, widget=TEXTAREA)
    correction_reason = forms.CharField(
        label="Why you are correcting what was recorded", required=False, widget=TEXTAREA
    )

    def response_data(self) -> dict:
        c = self.cleaned_data
        return {
            "acknowledged_at": _when(c.get("acknowledged_on"), c.get("acknowledged_time")),
            "acknowledged_by": c.get("acknowledged_by", ""),
            "their_reference": c.get("their_reference", ""),
            "notes": c.get("notes", ""),
        }


class OutcomeForm(forms.Form):
    enquiry_opened = forms.ChoiceField(
        label="Did the local authority open a section 42 enquiry?",
        required=False,
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not known yet, or not a section 42 concern")],
        widget=forms.RadioSelect,
    )
    enquiry_opened_on = forms.DateField(label="Date the enquiry opened", required=False, **DATE)
    enquiry_outcome = forms.ChoiceField(
        label="Outcome of the enquiry",
        required=False,
        widget=forms.Select(attrs={"class": "nhsuk-select"}),
    )
    enquiry_closed_on = forms.DateField(label="Date the enquiry closed", required=False, **DATE)
    person_wanted = forms.CharField(
        label="What the person wanted to happen",
        required=False,
        help_text="Making Safeguarding Personal: the outcomes they said they wanted",
        widget=TEXTAREA,
    )
    wanted_achieved = forms.ChoiceField(
        label="Was what they wanted achieved?",
        required=False,
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(label="Notes", required=False, widget=TEXTAREA)
    correction_reason = forms.CharField(
        label="Why you are correcting what was recorded", required=False, widget=TEXTAREA
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enquiry_outcome"].choices = [("", "Not closed yet")] + list(
            Response.EnquiryOutcome.choices
        )
        self.fields["wanted_achieved"].choices = list(Response.Achieved.choices) + [
            ("", "Not known yet")
        ]

    def response_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "correction_reason"}
