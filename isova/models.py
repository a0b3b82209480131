"""The shared core: users, organisations and their members, and the one action workflow."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their e-mail address."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "Django admin access", default=False, help_text="Can log in to the Django admin site."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split()[0]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/London).")


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    timezone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_timezone],
        help_text="Drives what counts as “today” and “overdue” for this organisation.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self) -> datetime.date:
        """Today's date in the organisation's own time zone."""
        return timezone.now().astimezone(self.tzinfo).date()


class Role(models.TextChoices):
    LEADER = "leader", "Leader"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    AUDITOR = "auditor", "Auditor"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_org(self, org: Organisation) -> MembershipQuerySet:
        return self.filter(organisation=org)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)
    job_title = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    VERIFIED = "verified", "Verified"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


OUTSTANDING_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionQuerySet(models.QuerySet["Action"]):
    def for_org(self, org: Organisation) -> ActionQuerySet:
        return self.filter(organisation=org)

    def outstanding(self) -> ActionQuerySet:
        """Actions still to be done: open or in progress."""
        return self.filter(status__in=OUTSTANDING_STATUSES)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        """Outstanding actions whose due date is before `today` (the organisation's today)."""
        return self.outstanding().filter(due_date__lt=today)

    def for_source(self, obj: models.Model) -> ActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(obj), source_id=obj.pk)

    def for_source_model(self, model: type[models.Model]) -> ActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(model))

    def for_list(self) -> ActionQuerySet:
        """Everything a list row shows, in one query."""
        return self.select_related("owner", "assigned_by", "source_type")


class Action(models.Model):
    """One task in the single workflow every app uses (corrective actions, plan steps, …)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_actions"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_actions",
        null=True,
        blank=True,
    )
    due_date = models.DateField(null=True, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN, db_index=True
    )
    estimated_effort_hours = models.DecimalField(
        "estimated effort (hours)", max_digits=7, decimal_places=1, null=True, blank=True
    )
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verification_note = models.TextField(blank=True)

    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(source_type__isnull=True, source_id__isnull=True)
                | Q(source_type__isnull=False, source_id__isnull=False),
                name="action_source_complete_or_empty",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_outstanding and self.due_date is not None and self.due_date < today


class Notification(models.Model):
    """One message to one person, delivered in the app and by e-mail.

    `key` names what it is about (e.g. "action:42") so that the same event, scanned or
    queued twice on one day, makes one row and one e-mail.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    day = models.DateField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key", "day"], name="one_notification_per_event_day"
            )
        ]

    def __str__(self) -> str:
        return self.subject
