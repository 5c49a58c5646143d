"""The policy forms, made from editing.groups: one field per setting, each error naming
the setting in the same words in the summary and beside the field."""

import hashlib
import json

from django import forms
from pydantic import ValidationError as PolicyError

from sharewise.policy import editing, store


def _number(value) -> str:
    return editing.said(float(value))


def _field(s: editing.Setting, initial) -> forms.Field:
    messages = {
        "required": s.named("is missing: fill it in"),
        "invalid": s.named("must be a whole number, like 7")
        if s.kind == "whole"
        else s.named("must be a number, like 1.5"),
    }
    if s.minimum is not None:
        messages["min_value"] = s.named(f"must be {_number(s.minimum)} or more")
    if s.maximum is not None:
        messages["max_value"] = s.named(f"must be {_number(s.maximum)} or less")
    common = {"label": s.label, "help_text": s.hint, "initial": initial}
    if s.kind in ("whole", "number"):
        whole = s.kind == "whole"
        field_class = forms.IntegerField if whole else forms.FloatField
        validators = []
        if s.above is not None:

            def above(value, s=s):
                if value is not None and value <= s.above:
                    raise forms.ValidationError(s.named(f"must be more than {_number(s.above)}"))

            validators.append(above)
        return field_class(
            min_value=s.minimum,
            max_value=s.maximum,
            validators=validators,
            error_messages=messages,
            widget=forms.TextInput(
                attrs={
                    "inputmode": "numeric" if whole else "decimal",
                    "class": "nhsuk-input nhsuk-input--width-5",
                    "spellcheck": "false",
                }
            ),
            **common,
        )
    if s.kind == "switch":
        return forms.BooleanField(
            required=False,
            widget=forms.CheckboxInput(attrs={"class": "nhsuk-checkboxes__input"}),
            **common,
        )
    if s.kind == "time":
        return forms.TimeField(
            error_messages={**messages, "invalid": s.named("must be a time, like 07:00")},
            widget=forms.TimeInput(
                format="%H:%M",
                attrs={"type": "time", "class": "nhsuk-input nhsuk-input--width-5"},
            ),
            **common,
        )
    if s.kind == "choice":
        return forms.ChoiceField(
            choices=s.choices,
            error_messages={**messages, "invalid_choice": s.named("must be one of the choices")},
            widget=forms.Select(attrs={"class": "nhsuk-select"}),
            **common,
        )
    if s.kind == "choices":
        return forms.MultipleChoiceField(
            choices=s.choices,
            required=False,
            error_messages={"invalid_choice": s.named("must be among the choices")},
            widget=forms.CheckboxSelectMultiple(attrs={"class": "nhsuk-checkboxes__input"}),
            **common,
        )
    if s.kind == "lines":
        return forms.CharField(
            required=False,
            widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 5}),
            **common,
        )
    return forms.CharField(
        error_messages=messages,
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3})
        if s.kind == "long_text"
        else forms.TextInput(attrs={"class": "nhsuk-input"}),
        **common,
    )


def fingerprint(version, document: dict) -> str:
    """Names the change previewed: a save must be the very change shown, on the very
    version it was compared with."""
    text = json.dumps([version.pk, document], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class PolicyForm(forms.Form):
    """Every setting of one policy the form asks about; the rest of the document is
    kept as it is. After is_valid(), `proposed` holds the whole validated document."""

    note = forms.CharField(
        label="What changed and why",
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs={"class": "nhsuk-input"}),
        error_messages={"max_length": "What changed and why must be 500 characters or fewer"},
    )

    def __init__(self, kind: str, document: dict, data=None):
        super().__init__(data)
        self.kind, self.document = kind, document
        self.groups = editing.groups(kind, document)
        self.settings = [s for g in self.groups for s in g.settings]
        for s in self.settings:
            self.fields[s.name] = _field(s, editing.answer(s, document))
        self.proposed = None

    def full_clean(self):
        super().full_clean()
        # A box with an error gets the red border as well as the message.
        for name in self.errors:
            widget = self.fields[name].widget if name in self.fields else None
            css = widget.attrs.get("class", "") if widget else ""
            for kind in ("input", "textarea", "select"):
                if f"nhsuk-{kind}" in css.split() and f"nhsuk-{kind}--error" not in css:
                    widget.attrs["class"] = f"{css} nhsuk-{kind}--error"

    def laid_out(self):
        """(part, group, [(setting, bound field)], has errors) in order, for the template."""
        for g in self.groups:
            fields = [(s, self[s.name]) for s in g.settings]
            yield g.part, g, fields, any(f.errors for _, f in fields)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        answers = {}
        for s in self.settings:
            value = data.get(s.name)
            if s.kind == "lines":
                value = editing.lines(value)
            elif s.kind in ("text", "long_text"):
                value = value.strip()
            answers[s.path] = value
        document = editing.apply(self.document, answers)
        try:
            self.proposed = store.check(self.kind, document)
        except PolicyError as error:
            names = {s.path: s.name for s in self.settings}
            for problem in editing.problems(self.kind, error, document):
                self.add_error(names.get(problem.path), problem.message)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label="A policy file (YAML)",
        help_text="One you downloaded from this page, changed and saved.",
        error_messages={
            "required": "Choose a policy file to upload",
            "empty": "The file you chose is empty",
        },
        widget=forms.ClearableFileInput(
            attrs={"class": "nhsuk-file-upload", "accept": ".yaml,.yml"}
        ),
    )
