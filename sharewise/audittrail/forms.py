from django import forms

from sharewise.forms import DatePartsField


class TrailSearchForm(forms.Form):
    person = forms.IntegerField(
        label="Person's record number",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
    )
    user = forms.CharField(
        label="Username",
        required=False,
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-20"}),
    )
    since = DatePartsField(label="From", required=False)
    until = DatePartsField(label="To (inclusive)", required=False)

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", "The end date must be on or after the start date")
        return data
