"""Forms for assigning training, withdrawing an assignment and confirming a policy
was read. The checks themselves live in assignments.make and receipts.confirm."""

from django import forms
from django.contrib.auth import get_user_model

from sharewise.forms import DatePartsField, NHSStyled
from sharewise.organisations.models import Membership, Role, Team
from sharewise.training import applies, casebook
from sharewise.training.assignments import ROLES_ASSIGNED
from sharewise.training.models import Assignment


class StaffChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class TeamChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}, {obj.service.name}"


class AssignmentForm(NHSStyled, forms.Form):
    what = forms.ChoiceField(
        label="What to assign", choices=Assignment.What.choices, widget=forms.RadioSelect
    )
    case_code = forms.ChoiceField(label="Practice case", required=False)
    policy_kind = forms.ChoiceField(
        label="Policy to read",
        required=False,
        choices=[("", "Choose a policy"), *applies.TITLES.items()],
    )
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        choices=[(r.value, r.label) for r in ROLES_ASSIGNED],
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone holding these roles (in the teams below, if you choose any)",
    )
    teams = TeamChoices(
        label="Teams",
        required=False,
        queryset=Team.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone working in these teams (with the roles above, if you choose any)",
    )
    staff = StaffChoices(
        label="Named staff",
        required=False,
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Anyone else, by name",
    )
    due = DatePartsField(label="Due by", help_text="For example 27 3 2027")
    note = forms.CharField(
        label="Note for the staff",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it matters; do not name anyone supported",
    )
    source = forms.CharField(widget=forms.HiddenInput, required=False)
    source_id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, organisation_id, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_code"].choices = [
            ("", "Choose a practice case"),
            *casebook.titles().items(),
        ]
        self.fields["teams"].queryset = (
            Team.objects.filter(service__organisation_id=organisation_id, is_active=True)
            .select_related("service")
            .order_by("service__name", "name")
        )
        self.fields["staff"].queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                pk__in=Membership.objects.filter(organisation_id=organisation_id)
                .exclude(role=Role.ADMINISTRATOR)
                .values("user_id"),
            )
            .order_by("first_name", "last_name")
        )

    def clean(self):
        data = super().clean()
        if data.get("what") == Assignment.What.CASE and not data.get("case_code"):
            self.add_error("case_code", "Choose a practice case")
        if data.get("what") == Assignment.What.POLICY and not data.get("policy_kind"):
            self.add_error("policy_kind", "Choose a policy to read")
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        source = d.get("source") or Assignment.Source.LEAD
        return {
            "what": d["what"],
            "case_code": d.get("case_code") or "",
            "policy_kind": d.get("policy_kind") or "",
            "roles": d.get("roles") or [],
            "team_ids": [t.pk for t in d.get("teams") or []],
            "staff_ids": [u.pk for u in d.get("staff") or []],
            "due": d["due"],
            "note": d.get("note") or "",
            "source": source,
            "source_id": d.get("source_id") if source != Assignment.Source.LEAD else None,
        }


class WithdrawForm(NHSStyled, forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing it?", widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(NHSStyled, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    read = forms.BooleanField(
        label="I have read and understood what changed",
        error_messages={"required": "Tick to confirm you have read and understood it"},
    )
