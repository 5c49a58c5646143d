"""Forms for the partner directory, the referrer's contact details and confirming a
referral was submitted on a portal or by phone, and the referral builder's form read
into what referrals.change takes (and shown back as typed)."""

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


# The referral builder's form -------------------------------------------------------


def changes_from(post, built) -> dict:
    """The builder page's form as referrals.change takes it. A reason typed without the
    box it belongs to is kept as typed, so nothing written is lost."""
    choices, inputs, redactions, typed = {}, {}, [], {}
    for f in built.selection.fields:
        wanted = post.get(f"include_{f.code}")
        why = post.get(f"why_{f.code}", "").strip()
        if wanted in ("yes", "no") and f.available:
            # The same as the default is no change (and needs no reason).
            choices[f.code] = {"include": wanted == "yes", "why": why}
        elif why and why != f.why:
            typed[f"why_{f.code}"] = why
        if built.policy.fields[f.code].options and f"options_{f.code}" in post:
            inputs[f.code] = [
                o
                for o in post.getlist(f"input_{f.code}")
                if o in built.policy.fields[f.code].options
            ]
        elif f"input_{f.code}" in post:
            inputs[f.code] = post.get(f"input_{f.code}", "").strip()
    restore = post.get("restore", "")
    for code in built.originals:
        reason = post.get(f"restore_reason_{code}", "").strip()
        if reason and not restore.startswith(f"{code}:"):
            typed[f"restore_reason_{code}"] = reason
    if restore:
        code, start, end = restore.rsplit(":", 2)
        redactions.append(
            {
                "field": code,
                "start": int(start),
                "end": int(end),
                "action": "restore",
                "reason": post.get(f"restore_reason_{code}", ""),
            }
        )
    words = post.get("redact_text", "").strip()
    reason = post.get("redact_reason", "").strip()
    if words and (code := post.get("redact_field")):
        text = built.originals.get(code, "")
        start = text.find(words)
        redactions.append(
            {
                "field": code,
                "start": start,
                "end": start + len(words) if start >= 0 else -1,
                "action": "redact",
                "reason": reason,
            }
        )
    elif reason:
        typed["redact_reason"] = reason
        typed["redact_field"] = post.get("redact_field", "")
    return {
        "choices": choices,
        "inputs": inputs,
        "redactions": redactions,
        "partner": post.get("partner") if "partner" in post else None,
        "typed": typed,
        "no_agreement_reason": post.get("no_agreement_reason")
        if "no_agreement_reason" in post
        else None,
    }


def still_missing(built, kept: dict) -> list[tuple[str, str]]:
    """(anchor, what to do) for each reason typed without the choice it belongs to."""
    labels = {f.code: f for f in built.selection.fields}
    missing = []
    for key, text in kept.items():
        if not text:
            continue
        if key.startswith("why_") and (f := labels.get(key[4:])):
            if f.included:
                missing.append(
                    (
                        f"include_{f.code}",
                        f"{f.label}: you gave a reason to leave it out; tick "
                        f"\u201cLeave {f.label.lower()} out\u201d to leave it out",
                    )
                )
            else:
                missing.append(
                    (
                        f"include_{f.code}",
                        f"{f.label}: you gave a reason to send it; tick "
                        f"\u201cSend {f.label.lower()}\u201d to send it",
                    )
                )
        elif key.startswith("restore_reason_") and (f := labels.get(key[15:])):
            missing.append(
                (
                    f"restore_reason_{f.code}",
                    f"{f.label}: you gave a reason to put a name back; press "
                    "\u201cPut back\u201d by the name",
                )
            )
        elif key == "redact_reason":
            missing.append(
                ("redact_text", "Take out more: type the words to take out, exactly as written")
            )
    return missing


def as_typed(posted, referral, built) -> dict:
    """What the builder's form shows: the referral as saved with any reasons typed
    without their choice, or, when a change was refused, what the sender typed, so
    nothing they wrote is lost."""
    fields = built.selection.fields
    kept = referral.typed or {}
    shown = {
        "partner": str(referral.partner_id or ""),
        "typed": {
            "redact_field": kept.get("redact_field", ""),
            "redact_text": "",
            "redact_reason": kept.get("redact_reason", ""),
        },
        "inputs": {},
        "options": {f.code: referral.inputs.get(f.code) or [] for f in fields},
        # (why, box ticked)
        "choices": {f.code: (kept.get(f"why_{f.code}", f.why), False) for f in fields},
        "restore_reasons": {
            code: kept.get(f"restore_reason_{code}", "") for code in built.originals
        },
    }
    if posted is None:
        return shown
    if "partner" in posted:
        shown["partner"] = posted.get("partner", "")
    for name in shown["typed"]:
        shown["typed"][name] = posted.get(name, "")
    for f in fields:
        if f"options_{f.code}" in posted:
            shown["options"][f.code] = posted.getlist(f"input_{f.code}")
        elif f"input_{f.code}" in posted:
            shown["inputs"][f.code] = posted.get(f"input_{f.code}", "")
        ticked = posted.get(f"include_{f.code}") in ("yes", "no")
        shown["choices"][f.code] = (posted.get(f"why_{f.code}", f.why), ticked)
        shown["restore_reasons"][f.code] = posted.get(f"restore_reason_{f.code}", "")
    return shown
