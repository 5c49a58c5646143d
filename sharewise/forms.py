"""Form pieces shared by every app: NHS.UK-style date input (day, month, year)."""

from datetime import date

from django import forms


class DatePartsWidget(forms.MultiWidget):
    template_name = "includes/date_parts_widget.html"

    def __init__(self, attrs=None):
        widgets = [
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-2",
                }
            ),
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "nhsuk-input nhsuk-date-input__input nhsuk-input--width-4",
                }
            ),
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class DatePartsField(forms.MultiValueField):
    widget = DatePartsWidget

    def __init__(self, *, error_messages=None, **kwargs):
        error_messages = {"incomplete": "Enter a day, month and year", **(error_messages or {})}
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields, error_messages=error_messages, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        if not all(data_list):
            raise forms.ValidationError("Enter a day, month and year")
        try:
            day, month, year = (int(str(p).strip()) for p in data_list)
            if year < 1000:
                raise ValueError
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError("Enter a real date, for example 27 3 1958") from None


class NHSStyled:
    """Give every widget its NHS.UK frontend class, so templates stay plain."""

    CLASSES = {
        forms.Textarea: "nhsuk-textarea",
        forms.Select: "nhsuk-select",
        forms.TextInput: "nhsuk-input",
        forms.EmailInput: "nhsuk-input",
        forms.NumberInput: "nhsuk-input",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = self.CLASSES.get(type(field.widget))
            if css and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css
