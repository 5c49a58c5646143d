"""The forms of each step of a subject access or rectification request. What they
collect is checked by rights.operations, as the API's bodies are."""

from django import forms

from sharewise.concerns.answers import ANSWER_NAMES, TEXT_FIELDS
from sharewise.forms import DatePartsField, NHSStyled
from sharewise.rights.models import Requester, SubjectAccessRequest
from sharewise.sharing.models import Channel


class RequestForm(NHSStyled, forms.Form):
    requester = forms.ChoiceField(
        label="Who asked", choices=Requester.choices, widget=forms.RadioSelect, required=False
    )
    requester_name = forms.CharField(label="Name of who asked", max_length=200, required=False)
    relationship = forms.CharField(
        label="Their relationship to the person",
        max_length=200,
        required=False,
        help_text="Only for someone acting for them: a daughter with lasting power of attorney",
    )
    authority = forms.CharField(
        label="Evidence of their authority to act",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for someone acting for them: what you saw, and where a copy is kept",
    )
    contact = forms.CharField(
        label="Where to send the response",
        max_length=300,
        required=False,
        help_text="A postal address or email address they gave",
    )
    received_on = DatePartsField(
        label="Received on", required=False, help_text="For example, 27 3 2026"
    )
    request_text = forms.CharField(
        label="What they asked for", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IdentityForm(NHSStyled, forms.Form):
    identity_method = forms.CharField(
        label="How their identity was verified",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: known to staff and seen in person; passport seen and returned",
    )


class ExtendForm(NHSStyled, forms.Form):
    months = forms.TypedChoiceField(
        label="Further months",
        choices=[(1, "One"), (2, "Two")],
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
        empty_value=None,
    )
    reasons = forms.CharField(
        label="Why more time is needed", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    told_on = DatePartsField(
        label="The day the person was told, with the reasons",
        required=False,
        help_text="Within the first month",
    )


class ApproveForm(NHSStyled, forms.Form):
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SendForm(NHSStyled, forms.Form):
    channel = forms.ChoiceField(
        label="How it is sent", choices=Channel.choices, widget=forms.RadioSelect, required=False
    )


class CloseForm(NHSStyled, forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[
            (SubjectAccessRequest.Status.REFUSED, "Refused"),
            (SubjectAccessRequest.Status.WITHDRAWN, "Withdrawn by who asked"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RectificationForm(NHSStyled, forms.Form):
    requester_name = forms.CharField(label="Name of who asked", max_length=200, required=False)
    received_on = DatePartsField(label="Received on", required=False)
    concern_id = forms.TypedChoiceField(
        label="The concern they say is wrong", coerce=int, required=False, empty_value=None
    )
    what_is_wrong = forms.CharField(
        label="What they say is wrong, and what it should say",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, concerns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern_id"].choices = [("", "Not a particular concern")] + [
            (c.pk, f"Concern {c.pk}, {c.occurred_at:%-d %B %Y}") for c in concerns
        ]


class CorrectionForm(NHSStyled, forms.Form):
    answer = forms.ChoiceField(
        label="The answer to correct",
        choices=[(name, ANSWER_NAMES.get(name, name)) for name in TEXT_FIELDS],
        required=False,
    )
    text = forms.CharField(
        label="What it should say", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(label="Reason for the correction", required=False)


class RefuseForm(NHSStyled, forms.Form):
    reason = forms.CharField(
        label="Why the record is not corrected",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person is told this, and of their right to add a statement or complain",
    )
