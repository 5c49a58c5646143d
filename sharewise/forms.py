"""Form pieces shared by every app: NHS.UK-style date input (day, month, year), and
the plain error messages and error styling every form gets."""

import functools
import re
from datetime import date

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting


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

    def get_context(self, name, value, attrs):
        # The red border of a field in error goes on each of its three boxes.
        attrs = dict(attrs or {})
        error_class = attrs.pop("class", "")
        context = super().get_context(name, value, attrs)
        if error_class:
            for subwidget in context["widget"]["subwidgets"]:
                css = subwidget["attrs"].get("class", "")
                subwidget["attrs"]["class"] = f"{css} {error_class}".strip()
        return context

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


# One way of saying what is wrong: Django's default messages ("This field is
# required.") name nothing; every form gets plain ones naming the field instead, and
# its inputs get the NHS.UK red border, through the form renderer (settings.FORM_RENDERER).

_INTERROGATIVE = re.compile(
    r"^(?P<wh>what|why|how|where|when|which|who)(?P<adj>\s+(?!(?:{aux})\b)\w+)?"
    r"\s+(?P<aux>{aux})\s+(?P<subject>you|it|they|we|he|she|this|there)\b(?P<rest>.*)$".format(
        aux="are|is|do|does|did|was|were|have|has|should|can|could|would|will"
    ),
    re.IGNORECASE,
)


def field_thing(label, name=""):
    """What a field asks for, fit to follow "Enter" or "Select": "What happened?"
    gives "what happened", "Why are you amending this concern" gives "why you are
    amending this concern", "Date of birth" gives "date of birth"."""
    text = str(label or name.replace("_", " ") or "an answer").strip().rstrip("?:").strip()
    text = re.sub(r"\s*\(optional\)$", "", text)
    question = _INTERROGATIVE.match(text)
    if question:
        aux = question["aux"]
        verb = "" if aux.lower() in ("do", "does", "did") else f" {aux}"
        text = (
            f"{question['wh']}{question['adj'] or ''} {question['subject']}{verb}{question['rest']}"
        )
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _asks_to_choose(field):
    widget = field.widget
    return isinstance(
        field, (forms.ChoiceField, forms.BooleanField, forms.FileField, forms.ModelChoiceField)
    ) or getattr(widget, "input_type", None) in ("radio", "checkbox", "file")


@functools.cache
def _django_default_messages():
    """Every message Django's own fields and validators give, keyed by code."""
    from django.core import validators

    defaults = {}
    for cls in [*vars(forms.fields).values(), *vars(forms.models).values()]:
        if isinstance(cls, type) and issubclass(cls, forms.Field):
            for klass in cls.__mro__:
                for code, message in getattr(klass, "default_error_messages", {}).items():
                    defaults.setdefault(code, set()).add(str(message))
    for validator in (
        validators.MaxLengthValidator,
        validators.MinLengthValidator,
        validators.MaxValueValidator,
        validators.MinValueValidator,
        validators.EmailValidator,
        validators.URLValidator,
        validators.ProhibitNullCharactersValidator,
        validators.StepValueValidator,
    ):
        defaults.setdefault(validator.code, set()).add(str(validator.message))
    return defaults


def plain_messages(field, label, name=""):
    """Messages for this field in plain words, naming it, for each code whose message is
    still Django's default; a form's own wording is kept."""
    thing = field_thing(label, name)
    subject = thing[0].upper() + thing[1:]
    choose = _asks_to_choose(field)
    messages = {
        "required": f"{'Select' if choose else 'Enter'} {thing}",
        "invalid_choice": f"Select {thing} from the choices given",  # noqa: S608 (words)
        "invalid_list": f"Select {thing} from the choices given",  # noqa: S608 (words)
        "max_length": f"{subject} must be %(limit_value)d characters or fewer",
        "min_length": f"{subject} must be %(limit_value)d characters or more",
        "max_value": f"{subject} must be %(limit_value)s or less",
        "min_value": f"{subject} must be %(limit_value)s or more",
        "max_digits": f"{subject} must have no more than %(max)s digits",
        "max_decimal_places": f"{subject} must have no more than %(max)s decimal places",
        "null_characters_not_allowed": f"Remove the NUL character from {thing}",
    }
    if isinstance(field, forms.EmailField):
        messages["invalid"] = "Enter an email address in the correct format, like name@example.com"
    elif isinstance(field, forms.URLField):
        messages["invalid"] = "Enter a web address in the correct format, like https://example.org"
    elif isinstance(field, forms.IntegerField):
        messages["invalid"] = f"{subject} must be a whole number, like 12"
    elif isinstance(field, (forms.DecimalField, forms.FloatField)):
        messages["invalid"] = f"{subject} must be a number, like 12.5"
    elif isinstance(field, forms.DateTimeField):
        messages["invalid"] = f"Enter {thing} as a real date and time"
    elif isinstance(field, forms.DateField):
        messages["invalid"] = f"Enter {thing} as a real date, like 27 3 2026"
    elif isinstance(field, forms.TimeField):
        messages["invalid"] = f"Enter {thing} as a time, like 14:05"
    elif isinstance(field, forms.FileField):
        messages["invalid"] = f"Select {thing}: the file could not be read"
        messages["empty"] = f"{subject} is empty: select a file with something in it"
    return messages


class NHSBoundField(BoundField):
    """A field as every form shows it: errors in plain words naming it, and the
    NHS.UK error class on its input when there is one."""

    ERROR_CLASSES = (
        ("nhsuk-textarea", "nhsuk-textarea--error"),
        ("nhsuk-select", "nhsuk-select--error"),
        ("nhsuk-input", "nhsuk-input--error"),
    )

    def __init__(self, form, field, name):
        super().__init__(form, field, name)
        defaults = _django_default_messages()
        for code, message in plain_messages(field, self.label, name).items():
            current = field.error_messages.get(code)
            if current is None or str(current) in defaults.get(code, ()):
                field.error_messages[code] = message

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors and getattr(widget, "input_type", None) not in ("radio", "checkbox"):
            css = attrs.get("class", widget.attrs.get("class", ""))
            fallback = (
                "nhsuk-textarea--error"
                if isinstance(widget, forms.Textarea)
                else "nhsuk-select--error"
                if isinstance(widget, forms.Select)
                else "nhsuk-input--error"
            )
            extra = next(
                (error for base, error in self.ERROR_CLASSES if base in css.split()), fallback
            )
            if extra not in css.split():
                attrs["class"] = f"{css} {extra}".strip()
        return attrs


class FormRenderer(TemplatesSetting):
    bound_field_class = NHSBoundField


def add_errors(form, error, renames=None, *, only_new=False):
    """Put a model or operation ValidationError onto a form: each message beside the
    field it names (after `renames`, from the record's field names to the form's), or at
    the top of the form when the form has no such field. With only_new, a field the form
    already faults keeps its own message."""
    renames = renames or {}
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in by_field.items():
        target = renames.get(name, name)
        target = target if target in form.fields else None
        if only_new and target in form.errors:
            continue
        for message in messages:
            form.add_error(target, message)
