from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from sharewise.organisations.access import scope_for
from sharewise.organisations.models import Organisation, Team
from sharewise.people import nhs_number


def validate_nhs_number(value):
    if value and (message := nhs_number.problem(value)):
        raise ValidationError(message)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user, *, include_merged: bool = False):
        """The only way to fetch people: those this user has a need to know about.
        Records merged into another are left out unless include_merged (for their
        concerns, which show on the kept record)."""
        scope = scope_for(user)
        allowed = Q(organisation_id__in=scope.case_wide_org_ids)
        if scope.team_ids:
            enrolled = (
                Enrolment.objects.current_or_recent()
                .filter(team_id__in=scope.team_ids)
                .values("person_id")
            )
            # The teams of a merged record still know the person: by the kept record.
            allowed |= Q(id__in=enrolled) | Q(
                id__in=Person.objects.filter(id__in=enrolled, merged_into__isnull=False).values(
                    "merged_into_id"
                )
            )
        if include_merged:
            kept = Person.objects.filter(allowed, merged_into__isnull=True).values("pk")
            return self.filter(allowed | Q(merged_into__in=kept))
        return self.filter(allowed, merged_into__isnull=True)

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        digits = nhs_number.normalise(text)
        if digits.isdigit() and len(digits) == 10:
            # also the kept record of a merged one holding this number
            merged = Person.objects.filter(nhs_number=digits, merged_into__isnull=False)
            return self.filter(Q(nhs_number=digits) | Q(id__in=merged.values("merged_into_id")))
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                born = timezone.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            return self.filter(date_of_birth=born)
        people = self
        for word in text.split():
            people = people.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        return people


class Person(models.Model):
    """Someone the organisation supports."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="people")
    given_name = models.CharField("Given name", max_length=100)
    family_name = models.CharField("Family name", max_length=100)
    preferred_name = models.CharField(
        "Preferred name", max_length=100, blank=True, help_text="What they like to be called"
    )
    date_of_birth = models.DateField("Date of birth")
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    communication_needs = models.TextField("Communication needs", blank=True)
    contact_safely = models.TextField(
        "How to contact safely",
        blank=True,
        help_text="For example: do not leave messages; only call when support staff are present",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The person's reference in the spreadsheet or system they were imported from.
    external_ref = models.CharField(max_length=100, blank=True)
    # Set while this record is merged into another (see PersonMerge); never chained.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records"
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(
                fields=["organisation", "family_name", "given_name"], name="person_org_name"
            ),
            models.Index(fields=["organisation", "date_of_birth"], name="person_org_dob"),
            models.Index(fields=["nhs_number"], name="person_nhs_number"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "nhs_number"],
                condition=~Q(nhs_number=""),
                name="person_nhs_number_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "external_ref"],
                condition=~Q(external_ref=""),
                name="person_external_ref_unique",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def display_name(self):
        if self.preferred_name and self.preferred_name != self.given_name:
            return f"{self.name} ({self.preferred_name})"
        return self.name

    def clean(self):
        self.nhs_number = nhs_number.normalise(self.nhs_number)
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise ValidationError({"date_of_birth": "Date of birth must be today or in the past"})

    def age(self, on: date | None = None) -> int:
        return age_on(self.date_of_birth, on or timezone.localdate())

    @property
    def is_child(self) -> bool:
        return self.age() < 18

    @property
    def age_group(self) -> str:
        return "Child" if self.is_child else "Adult"

    @property
    def nhs_number_display(self):
        return nhs_number.formatted(self.nhs_number) if self.nhs_number else ""

    def merged_ids(self) -> list[int]:
        """Records merged into this one (see concerns.chronology.person_ids_for)."""
        return list(self.merged_records.values_list("pk", flat=True))

    def record_ids(self) -> list[int]:
        """This record and those merged into it: one person's history."""
        return [self.pk, *self.merged_ids()]


class EnrolmentQuerySet(models.QuerySet):
    def current_or_recent(self, today: date | None = None):
        today = today or timezone.localdate()
        cutoff = today - timedelta(days=settings.SHAREWISE_RECENT_ENROLMENT_DAYS)
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=cutoff))

    def current(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )


class Enrolment(models.Model):
    """A person supported by a team from a start date, until an end date if one is set."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="enrolments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="enrolments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["team", "end_date"], name="enrolment_team_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.person} in {self.team}"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date must be on or after the start date"})
        born = self.person.date_of_birth if self.person_id else None
        if born and self.start_date and self.start_date < born:
            raise ValidationError(
                {"start_date": f"The start date cannot be before they were born ({born:%-d %B %Y})"}
            )
        if (
            self.team_id
            and self.person_id
            and self.team.organisation_id != self.person.organisation_id
        ):
            raise ValidationError({"team": "Choose a team in this person's organisation"})

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class BreakGlassAccess(models.Model):
    """Access to a record outside someone's scope, for one signed-in session, with a
    reason. Every grant is listed for the safeguarding lead to review."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="break_glass_accesses"
    )
    reason = models.TextField()
    session_key = models.CharField(max_length=64)
    granted_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "person", "session_key"], name="breakglass_lookup")]

    def __str__(self):
        return f"{self.user} opened {self.person} at {self.granted_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self):
        return self.reviewed_at is not None


class PersonMerge(models.Model):
    """Two records of one person joined: nothing is moved or deleted, the merged
    record points at the kept one, so undoing restores both exactly."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_kept")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_merged")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merged"], condition=Q(undone_at__isnull=True), name="person_merge_once"
            )
        ]

    def __str__(self):
        return f"Record {self.merged_id} merged into {self.kept_id}"

    @property
    def is_undone(self):
        return self.undone_at is not None


class CareNote(models.Model):
    """An entry from the person's care record (usually imported from the care planning
    system): what a referral could over-share, so it is held apart from concerns and
    sent only when the recipient needs it."""

    class Kind(models.TextChoices):
        MEDICATION = "medication", "Medication"
        DIAGNOSIS = "diagnosis", "Diagnosis"
        NOTE = "note", "Care note"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="care_notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    written_at = models.DateTimeField(default=timezone.now)
    written_by = models.CharField(max_length=200, blank=True)
    # The entry's id in the care planning system it came from: sending it again is safe.
    source_id = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["written_at", "id"]
        indexes = [models.Index(fields=["person", "kind"], name="care_note_person_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "source_id"],
                condition=Q(source_id__isnull=False),
                name="care_note_source_once",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for person {self.person_id}"
