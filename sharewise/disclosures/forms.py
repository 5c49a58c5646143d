"""Forms for the partner directory, the referrer's contact details and confirming a
referral was submitted on a portal or by phone."""

from datetime import datetime

from django import forms
from django.utils import timezone

from sharewise.disclosures.models import Partner

INPUT = {"class": "nhsuk-input"}


class PartnerForm(forms.ModelForm):
    portal_url = forms.URLField(
        label="Portal web address",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The page where referrals are submitted, starting https://",
        error_messages={"invalid": "Enter the portal's web address in full, starting https://"},
        widget=forms.URLInput(attrs={**INPUT, "spellcheck": "false"}),
    )

    class Meta:
        model = Partner
        fields = [
            "name",
            "team",
            "contact_name",
            "channel",
            "email",
            "portal_url",
            "phone",
            "notes",
        ]
        help_texts = {
            "name": "For example, Northshire County Council",
            "team": "For example, Adult safeguarding duty team",
            "email": "A secure address, for example one ending nhs.net or gcsx.gov.uk",
            "portal_url": "The page where referrals are submitted, starting https://",
            "phone": "The number to read a referral to",
            "notes": "For example, when the line is open or what their agreement expects",
        }
        widgets = {
            "name": forms.TextInput(attrs=INPUT),
            "team": forms.TextInput(attrs=INPUT),
            "contact_name": forms.TextInput(attrs=INPUT),
            "channel": forms.RadioSelect,
            "email": forms.EmailInput(attrs={**INPUT, "spellcheck": "false"}),
            "portal_url": forms.URLInput(attrs={**INPUT, "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={**INPUT, "type": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
        }
        error_messages = {
            "name": {"required": "Enter the partner organisation's name"},
            "team": {"required": "Enter the team or role that receives referrals"},
            "channel": {"required": "Choose how referrals reach them"},
            "email": {"invalid": "Enter the email address in the right format, like name@nhs.net"},
            "portal_url": {"invalid": "Enter the portal's web address in full, starting https://"},
        }

    def clean(self):
        data = super().clean()
        needed = {
            Partner.Channel.SECURE_EMAIL: ("email", "Enter the secure email address"),
            Partner.Channel.PORTAL: ("portal_url", "Enter the portal's web address"),
            Partner.Channel.PHONE: ("phone", "Enter the phone number"),
        }.get(data.get("channel"))
        if needed and not data.get(needed[0]) and needed[0] not in self.errors:
            self.add_error(needed[0], needed[1])
        return data


class ContactDetailsForm(forms.Form):
    job_title = forms.CharField(
        label="Job title",
        max_length=200,
        required=False,
        help_text="Printed on your referrals; if left blank, your role in Sharewise is used",
        widget=forms.TextInput(attrs=INPUT),
    )
    phone = forms.CharField(
        label="Work phone number",
        max_length=40,
        help_text="The number a partner calls to discuss your referral",
        error_messages={"required": "Enter your work phone number"},
        widget=forms.TextInput(attrs={**INPUT, "type": "tel", "autocomplete": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if sum(c.isdigit() for c in phone) < 6:
            raise forms.ValidationError("Enter a phone number, like 01632 960 001")
        return phone


class ConfirmSubmittedForm(forms.Form):
    submitted_on = forms.DateField(
        label="Date submitted",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={**INPUT, "type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter the date it was submitted",
            "invalid": "Enter the date it was submitted as a real date",
        },
    )
    submitted_time = forms.TimeField(
        label="Time submitted",
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={**INPUT, "type": "time"}, format="%H:%M"),
        error_messages={
            "required": "Enter the time it was submitted",
            "invalid": "Enter the time it was submitted, like 14:30",
        },
    )
    submitted_by = forms.CharField(
        label="Submitted by",
        max_length=200,
        widget=forms.TextInput(attrs=INPUT),
        error_messages={"required": "Enter the name of who submitted it"},
    )
    reference = forms.CharField(
        label="Reference they gave",
        max_length=200,
        help_text="The receipt or case reference the portal showed, or the call handler gave",
        widget=forms.TextInput(attrs={**INPUT, "spellcheck": "false"}),
        error_messages={"required": "Enter the reference the partner gave"},
    )

    def submitted_at(self):
        data = self.cleaned_data
        return timezone.make_aware(datetime.combine(data["submitted_on"], data["submitted_time"]))
