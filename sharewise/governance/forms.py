"""Forms for audits, meetings, supervision, lessons and evidence packs. The rules
themselves live in the plain modules; these only turn a page's fields into values."""

from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from sharewise.forms import DatePartsField, NHSStyled
from sharewise.governance.models import Lesson, Sample
from sharewise.organisations.models import Membership, Service


def staff_choices(organisation_id: int):
    return (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(organisation_id=organisation_id).values("user_id"),
            is_active=True,
        )
        .order_by("first_name", "last_name")
    )


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class Problems:
    """Each field's first message by field name, for pages that lay out their own
    fields (a checklist's questions, supervision's prompts)."""

    def problems(self) -> dict[str, str]:
        return {name: errors[0] for name, errors in self.errors.items()}


class PeriodForm(NHSStyled, forms.Form):
    period_from = DatePartsField(label="From", help_text="For example 1 4 2026")
    period_to = DatePartsField(label="To", help_text="For example 31 3 2027")

    # Whether the period is too long or in the future depends on what it is for:
    # governance/jobs.period_problems, called by audits and evidence packs, says.


class SampleForm(PeriodForm):
    kind = forms.ChoiceField(
        label="What to sample", choices=Sample.Kind.choices, widget=forms.RadioSelect
    )
    size = forms.IntegerField(label="How many records", min_value=1, max_value=500, initial=10)


class ActionForm(NHSStyled, forms.Form):
    description = forms.CharField(
        label="What will be done", widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = StaffChoice(
        label="Who will do it", queryset=get_user_model().objects.none(), empty_label="Choose who"
    )
    due = DatePartsField(label="Due by", help_text="For example 27 3 2027")

    def __init__(self, organisation_id, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices(organisation_id)


class DoneForm(NHSStyled, forms.Form):
    note = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 3}))


class MeetingForm(NHSStyled, forms.Form):
    day = DatePartsField(label="Date of the meeting", help_text="For example 14 1 2027")
    at = forms.TimeField(
        label="Time",
        help_text="For example 10:00",
        initial=time(10, 0),
        widget=forms.TimeInput(format="%H:%M"),
    )
    service = forms.ModelChoiceField(
        label="Service",
        queryset=Service.objects.none(),
        required=False,
        empty_label="The whole organisation",
    )

    def __init__(self, organisation_id, *args, due=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = max(due or timezone.localdate(), timezone.localdate())
        self.fields["service"].queryset = Service.objects.filter(
            organisation_id=organisation_id, is_active=True
        )
        self.fields["at"].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-5"

    def held_at(self):
        d = self.cleaned_data
        return timezone.make_aware(datetime.combine(d["day"], d["at"]))


class MinuteForm(NHSStyled, forms.Form):
    item = forms.CharField(widget=forms.HiddenInput)
    discussion = forms.CharField(label="Discussion", widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.CharField(
        label="Decision", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    action = forms.CharField(
        label="Action agreed",
        required=False,
        help_text="Leave blank if no action was agreed",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = StaffChoice(
        label="Action owner",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="Choose who",
    )
    due = DatePartsField(label="Action due by", required=False)

    def __init__(self, organisation_id, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff_choices(organisation_id)


class LessonForm(NHSStyled, forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    source = forms.ChoiceField(
        label="Where it came from", choices=Lesson.Source.choices, widget=forms.RadioSelect
    )
    what_happened = forms.CharField(
        label="What happened",
        help_text="Describe the failure, not the people: the log is shared with inspectors.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    failure_pattern = forms.ChoiceField(
        label="Failure pattern", choices=Lesson.Pattern.choices, widget=forms.RadioSelect
    )
    policy_versions = forms.MultipleChoiceField(
        label="Policy versions this changed",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    measure = forms.ChoiceField(label="Measure of whether it worked")
    changed_on = DatePartsField(label="When the change took effect")
    window_days = forms.IntegerField(
        label="Days to compare before and after", initial=90, min_value=7, max_value=365
    )

    def __init__(self, versions, measures, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_versions"].choices = [
            (
                v.pk,
                f"{v.kind.replace('_', ' ').capitalize()} v{v.version} ({v.created_at:%-d %B %Y})",
            )
            for v in versions
        ]
        self.fields["measure"].choices = measures
        self.fields["window_days"].widget.attrs["class"] = "nhsuk-input nhsuk-input--width-4"


class ChecklistForm(Problems, forms.Form):
    """A sampled record's checklist: the questions' answers are checked by the audit
    itself (audits.record_check), which names the question in its message."""

    notes = forms.CharField(required=False)

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = [q.code for q in questions]
        for code in self.codes:
            self.fields[code] = forms.CharField(required=False)

    def answers(self) -> dict[str, str]:
        return {code: self.cleaned_data[code] for code in self.codes}


class SupervisionForm(Problems, forms.Form):
    items = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    # The challenge questions' answers are checked together, and refused together.
    responses = forms.Field(required=False, widget=forms.HiddenInput)
    reflection = forms.CharField(required=False)
    learning = forms.CharField(required=False)
    next_due = DatePartsField(required=False)

    def __init__(self, prompts, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prompt_count = len(prompts)
        for i in range(self.prompt_count):
            self.fields[f"response_{i}"] = forms.CharField(required=False)

    def session(self) -> dict:
        d = self.cleaned_data
        return {
            "items": d["items"] or [],
            "responses": {str(i): d[f"response_{i}"] for i in range(self.prompt_count)},
            "reflection": d["reflection"],
            "learning": d["learning"],
            "next_due": d["next_due"],
        }


class AssignTrainingForm(NHSStyled, forms.Form):
    """What to assign, to whom and by when; governance/assigning.py checks the choices
    together (a case or a policy, and someone to give it to)."""

    what = forms.ChoiceField(
        label="What to assign",
        choices=[("case", "A practice case"), ("policy", "A policy to read")],
        widget=forms.RadioSelect,
    )
    case_code = forms.ChoiceField(label="Practice case", required=False)
    policy_kind = forms.ChoiceField(label="Policy to read", required=False)
    roles = forms.MultipleChoiceField(
        label="Roles", required=False, widget=forms.CheckboxSelectMultiple
    )
    team_ids = forms.MultipleChoiceField(
        label="Teams",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave blank for the whole organisation",
    )
    staff_ids = forms.MultipleChoiceField(
        label="Named staff", required=False, widget=forms.CheckboxSelectMultiple
    )
    due = DatePartsField(label="Due by", help_text="For example 27 3 2027")
    note = forms.CharField(
        label="Note for staff", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, organisation_id, cases, policies, roles, teams, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_code"].choices = [("", "Choose a case")] + list(cases.items())
        self.fields["policy_kind"].choices = [("", "Choose a policy")] + list(policies.items())
        self.fields["roles"].choices = list(roles.items())
        self.fields["team_ids"].choices = [(str(t.pk), str(t)) for t in teams]
        self.fields["staff_ids"].choices = [
            (str(u.pk), u.get_full_name() or u.username)
            for u in staff_choices(organisation_id).exclude(
                pk__in=Membership.objects.filter(role="administrator").values("user_id")
            )
        ]

    def assignment(self) -> dict:
        return dict(self.cleaned_data)
