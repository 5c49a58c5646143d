from django import forms


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Why the records must be kept",
        help_text="For example: Safeguarding Adults Review under way; inquest; claim. "
        "Nothing about the person can be destroyed while the hold is in place.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "nhsuk-textarea"}),
        max_length=2000,
    )


class LiftForm(forms.Form):
    reason = forms.CharField(
        label="Why the hold can be lifted",
        widget=forms.Textarea(attrs={"rows": 3, "class": "nhsuk-textarea"}),
        max_length=2000,
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label="What you checked before approving",
        help_text="Destruction cannot be undone. The certificate records your note.",
        widget=forms.Textarea(attrs={"rows": 3, "class": "nhsuk-textarea"}),
        max_length=2000,
    )
