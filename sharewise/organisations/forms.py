from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.validators import MaxValueValidator

from sharewise.organisations.access import TEAM_ROLES
from sharewise.organisations.models import Membership, Role, Service, SingleSignOnIdentity, Team

TEXT = {"class": "nhsuk-input"}


class ServiceForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = ["name", "kind", "is_active"]
        labels = {"is_active": "Open (uncheck when the service closes)"}
        widgets = {
            "name": forms.TextInput(attrs=TEXT),
            "kind": forms.Select(attrs={"class": "nhsuk-select"}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Service.objects.filter(organisation=self.instance.organisation, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("There is already a service with this name")
        return name


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["service", "name", "is_active"]
        labels = {"is_active": "Active (uncheck when the team stops)"}
        widgets = {
            "name": forms.TextInput(attrs=TEXT),
            "service": forms.Select(attrs={"class": "nhsuk-select"}),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(organisation=organisation)
        self.fields["service"].empty_label = "Choose a service"

    def clean(self):
        data = super().clean()
        if data.get("service") and data.get("name"):
            clash = Team.objects.filter(service=data["service"], name__iexact=data["name"].strip())
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", "This service already has a team with this name")
        return data


class StaffForm(forms.ModelForm):
    password = forms.CharField(
        label="Temporary password",
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
        help_text="At least 12 characters. Give it to them in person; they should change it.",
    )

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email"]
        widgets = {
            "username": forms.TextInput(
                attrs={**TEXT, "autocomplete": "off", "spellcheck": "false"}
            ),
            "first_name": forms.TextInput(attrs=TEXT),
            "last_name": forms.TextInput(attrs=TEXT),
            "email": forms.EmailInput(attrs=TEXT),
        }
        labels = {"first_name": "Given name", "last_name": "Family name", "email": "Email"}
        help_texts = {"username": "Letters, digits and . _ - only, for example j.okafor"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True

    def clean_password(self):
        password = self.cleaned_data["password"]
        candidate = get_user_model()(
            username=self.data.get("username", ""),
            first_name=self.data.get("first_name", ""),
            last_name=self.data.get("last_name", ""),
        )
        password_validation.validate_password(password, candidate)
        return password

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password"])
        if commit:
            user.save()
        return user


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="Why reset their second factors",
        help_text="How you know they lost their device or app, for example “Phone stolen, "
        "reported to me in person on 3 March”",
        widget=forms.Textarea(attrs={"class": "nhsuk-textarea", "rows": 3}),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(
                "Give a reason of at least 10 characters: say how you know they lost it"
            )
        return reason


class TemporaryPasswordForm(forms.Form):
    password = forms.CharField(
        label="New temporary password",
        help_text="At least 12 characters. Give it to them in person: they must choose "
        "their own when they next sign in.",
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "new-password"}),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, self.member)
        return password


class StaffDetailsForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email", "is_active"]
        widgets = {
            "first_name": forms.TextInput(attrs=TEXT),
            "last_name": forms.TextInput(attrs=TEXT),
            "email": forms.EmailInput(attrs=TEXT),
        }
        labels = {
            "first_name": "Given name",
            "last_name": "Family name",
            "is_active": "Can sign in (uncheck when they leave)",
        }


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])
    scope = forms.ChoiceField(
        label="Where",
        help_text="Safeguarding leads and data protection officers see the whole organisation whatever you choose here.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        choices = [("org", f"All of {organisation}")]
        for service in Service.objects.filter(organisation=organisation).prefetch_related("teams"):
            choices.append((f"service:{service.pk}", f"All of {service.name}"))
            choices += [(f"team:{t.pk}", f"{t.name} ({service.name})") for t in service.teams.all()]
        self.fields["scope"].choices = [("", "Choose where"), *choices]
        for field in self.fields.values():
            field.widget.attrs["class"] = "nhsuk-select"

    def clean(self):
        data = super().clean()
        role, scope = data.get("role"), data.get("scope")
        if role and scope and scope != "org" and role not in TEAM_ROLES:
            # Only care workers and team managers work within a team or service.
            self.add_error(
                "scope",
                f"A {Role(role).label.lower()} works across the whole organisation: "
                f"choose All of {self.organisation}",
            )
        return data

    def membership_for(self, user) -> Membership:
        kind, _, pk = self.cleaned_data["scope"].partition(":")
        membership = Membership(
            user=user, organisation=self.organisation, role=self.cleaned_data["role"]
        )
        if kind == "service":
            membership.service = Service.objects.get(pk=pk, organisation=self.organisation)
        elif kind == "team":
            membership.team = Team.objects.get(pk=pk, service__organisation=self.organisation)
        return membership


class SingleSignOnIdentityForm(forms.Form):
    subject = forms.CharField(
        label="Their identifier at your identity provider",
        max_length=255,
        widget=forms.TextInput(attrs={**TEXT, "autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, member, issuer, subject_claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.member, self.issuer = member, issuer
        self.fields["subject"].help_text = (
            f"The “{subject_claim}” claim your provider ({issuer}) sends for them"
            + (", shown as their Object ID in Microsoft Entra ID" if subject_claim == "oid" else "")
            + ". Once linked, they sign in by this alone."
        )

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        taken = SingleSignOnIdentity.objects.filter(issuer=self.issuer, subject=subject)
        if taken.exclude(user=self.member).exists():
            raise forms.ValidationError(
                "That identity is already linked to another Sharewise account: "
                "remove it there first"
            )
        return subject


class ApiTokenForm(forms.Form):
    """A new API token: what uses it, how long it lasts, and the password again, so a
    session left open is not enough to take a token away."""

    name = forms.CharField(
        label="Name for the token",
        max_length=100,
        help_text="What will use it, for example “Monthly report script”",
        error_messages={"required": "Give the token a name, for example 'Reporting script'"},
        widget=forms.TextInput(attrs=TEXT),
    )
    days = forms.IntegerField(
        label="Days until it expires",
        min_value=1,
        widget=forms.NumberInput(attrs={**TEXT, "class": "nhsuk-input nhsuk-input--width-4"}),
    )
    password = forms.CharField(
        label="Your password",
        help_text="Enter your password again to create a token",
        error_messages={"required": "Enter your password to create a token"},
        widget=forms.PasswordInput(attrs={**TEXT, "autocomplete": "current-password"}),
    )

    def __init__(self, *args, limits, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_days = limits.max_days
        days = self.fields["days"]
        days.max_value = limits.max_days
        days.initial = limits.default_days
        days.help_text = f"Up to {limits.max_days} days. It stops working after that."
        days.widget.attrs.update(min=1, max=limits.max_days)
        days.error_messages.update(
            required=f"Enter how many days the token lasts, from 1 to {limits.max_days}",
            invalid=f"Enter how many days the token lasts as a number, from 1 to {limits.max_days}",
            min_value=f"A token lasts at least 1 day: enter 1 to {limits.max_days}",
            max_value=(
                f"Your organisation lets tokens last up to {limits.max_days} days: "
                f"enter {limits.max_days} or fewer"
            ),
        )
        days.validators = [*days.validators, MaxValueValidator(limits.max_days)]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the token a name, for example 'Reporting script'")
        return name


class DeclineRoleForm(forms.Form):
    reason = forms.CharField(
        label="Why you decline it",
        help_text="The administrator who asked reads this.",
        max_length=1000,
        widget=forms.TextInput(attrs=TEXT),
    )
