import hashlib
import secrets
from datetime import timedelta

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


class RoleRequest(models.Model):
    """A role with case access that an administrator asked for someone: it becomes a
    membership only when a safeguarding lead or the data protection officer of the
    organisation, neither the one who asked nor the one receiving it, approves."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_requests"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=Role.choices)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was declined")

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=True) | Q(team__isnull=True),
                name="role_request_one_scope",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.scope_label}"

    @property
    def scope_label(self):
        return Membership(
            organisation=self.organisation, service=self.service, team=self.team
        ).scope_label

    def membership(self) -> Membership:
        return Membership(
            user_id=self.user_id,
            organisation_id=self.organisation_id,
            role=self.role,
            service_id=self.service_id,
            team_id=self.team_id,
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def revoke_all(self) -> int:
        return self.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class ExpiredToken(Exception):
    """A token that was right once but whose time is up."""

    def __init__(self, token):
        when = timezone.localtime(token.expires_at)
        super().__init__(f"This API token expired on {when:%-d %B %Y}")
        self.token = token


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
    expires_at = models.DateTimeField()
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
    def issue(
        cls, user, name: str, days: int | None = None, confirmed_at=None
    ) -> tuple["ApiToken", str]:
        """A new token, expiring after days (the access policy's default when not given;
        callers check a chosen number against its maximum)."""
        if days is None:
            days = token_limits(user).default_days
        secret = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            name=name,
            digest=_digest(secret),
            hint=secret[:8],
            expires_at=timezone.now() + timedelta(days=days),
            confirmed_at=confirmed_at,
        )
        return token, secret

    @classmethod
    def token_for(cls, secret: str):
        """The usable token a secret stands for, with its user, or None. Raises
        ExpiredToken for a token that expired, so the caller can say so."""
        if not secret or not secret.startswith(cls.PREFIX):
            return None
        token = (
            cls.objects.filter(revoked_at__isnull=True)
            .select_related("user")
            .filter(digest=_digest(secret), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        now = timezone.now()
        if token.expires_at <= now:
            raise ExpiredToken(token)
        # Written at most every minute: a script calling in a loop costs no write each time.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token

    @classmethod
    def user_for(cls, secret: str):
        """The active user a usable token belongs to, or None."""
        try:
            token = cls.token_for(secret)
        except ExpiredToken:
            return None
        return token.user if token else None

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

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


class SingleSignOnIdentity(models.Model):
    """Who a member of staff is at their organisation's identity provider: the provider
    (its issuer) and their subject there. Single sign-on matches on this pair alone;
    roles stay in Sharewise."""

    class How(models.TextChoices):
        ADMINISTRATOR = "administrator", "Set by an administrator"
        VERIFIED_EMAIL = "verified_email", "Matched by the email their provider has verified"
        TRUSTED_CLAIM = "trusted_claim", "Matched by the sign-in name their provider gives"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    how = models.CharField(max_length=20, choices=How.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    linked_at = models.DateTimeField(default=timezone.now)
    last_signed_in_at = models.DateTimeField(null=True, blank=True)
    # A link signs nobody in until a safeguarding lead or the data protection officer,
    # neither its maker nor its owner, approves it: whoever holds the identity at the
    # provider gets the account, its records and (with multi-factor there) its second
    # factor.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_identity_one_per_user"),
        ]

    def __str__(self):
        return f"{self.subject} at {self.issuer}"


def token_limits(user):
    """The access policy's token limits for the user's organisation."""
    from sharewise.organisations.access import scope_for
    from sharewise.policy import documents, store

    organisation_id = scope_for(user).organisation_id
    if organisation_id is None:
        return documents.default("access").api_tokens
    return store.in_force(organisation_id, "access")[1].api_tokens


class SignedInSession(models.Model):
    """One browser session of a member of staff, so they can see where they are signed
    in and end a session they do not recognise. Keyed by the session's key; the session
    itself stays in Django's session store."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_active_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_why = models.CharField(max_length=60, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "-last_active_at"],
                name="session_open_by_user",
                condition=Q(ended_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.user} since {self.signed_in_at:%Y-%m-%d %H:%M}"


class KeptDraft(models.Model):
    """What someone had typed into a form when their session ran out, kept for them
    alone until they sign in again and see it restored (or for a day at most)."""

    KEPT_FOR = timedelta(hours=24)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kept_drafts"
    )
    path = models.CharField(max_length=300)
    # Encrypted with a key derived from SECRET_KEY: a database copy alone does not
    # show what was typed.
    fields = models.BinaryField()
    kept_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "path"], name="kept_draft_user_path")]

    def __str__(self):
        return f"Draft of {self.path} kept {self.kept_at:%Y-%m-%d %H:%M}"
