import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Organisation(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class Service(models.Model):
    class Kind(models.TextChoices):
        CARE_HOME = "care_home", "Care home"
        NURSING_HOME = "nursing_home", "Nursing home"
        HOME_CARE = "home_care", "Home care branch"
        SUPPORTED_LIVING = "supported_living", "Supported living"
        DAY_SERVICE = "day_service", "Day service"
        CHILDRENS_HOME = "childrens_home", "Children's home"
        OTHER = "other", "Other"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="service_name_unique")
        ]

    def __str__(self):
        return self.name


class Team(models.Model):
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["service__name", "name"]
        constraints = [models.UniqueConstraint(fields=["service", "name"], name="team_name_unique")]

    def __str__(self):
        return f"{self.name}, {self.service.name}"

    @property
    def organisation_id(self):
        return self.service.organisation_id


class Role(models.TextChoices):
    CARE_WORKER = "care_worker", "Care worker"
    TEAM_MANAGER = "team_manager", "Team manager"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    DATA_PROTECTION_OFFICER = "dpo", "Data protection officer"
    AUDITOR = "auditor", "Auditor"
    ADMINISTRATOR = "administrator", "Administrator"


class Membership(models.Model):
    """A role someone holds, scoped to one team, one service or the whole organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(team__isnull=True),
                name="membership_one_scope",
            ),
            # One per scope kind: SQLite cannot treat NULLs as equal in one constraint.
            models.UniqueConstraint(
                fields=["user", "role", "team"],
                condition=Q(team__isnull=False),
                name="membership_unique_team",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "service"],
                condition=Q(service__isnull=False),
                name="membership_unique_service",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(service__isnull=True, team__isnull=True),
                name="membership_unique_organisation",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.scope_label}"

    @property
    def scope_label(self):
        if self.team_id:
            return str(self.team)
        if self.service_id:
            return str(self.service)
        return f"All of {self.organisation}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the API. Only its SHA-256 is kept; the secret is shown once."""

    PREFIX = "sw_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to tell tokens apart")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When its maker last proved who they were before making it (their second factor,
    # or their password if they have none): the API's most serious actions need this
    # to be recent (stepup.require_for_api).
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def issue(cls, user, name: str, confirmed_at=None) -> tuple["ApiToken", str]:
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            digest=_digest(secret),
            hint=secret[:8],
            confirmed_at=confirmed_at,
        )
        return token, secret

    @classmethod
    def user_for(cls, secret: str):
        """The active user a token belongs to, or None."""
        token = cls.token_for(secret)
        return token.user if token else None

    @classmethod
    def token_for(cls, secret: str):
        """The active token with this secret, of an active user, or None."""
        if not secret or not secret.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.active()
            .select_related("user")
            .filter(digest=_digest(secret), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class TemporaryPassword(models.Model):
    """An administrator set this person's password: they must choose their own at
    their next request before anything else."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="temporary_password"
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)


def staff_name(user) -> str:
    """How a member of staff is named on records and pages: full name, else username."""
    return (user.get_full_name() or user.username) if user else ""
