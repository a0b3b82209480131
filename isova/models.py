"""The shared core: users, organisations and their members, and the one action workflow."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
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
    REQUIRED_FIELDS: ClassVar[list[str]] = []

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


CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    timezone = models.CharField(
        max_length=64,
        default="Europe/London",
        validators=[validate_timezone],
        help_text="Drives what counts as “today” and “overdue” for this organisation.",
    )
    currency = models.CharField(
        max_length=3,
        default="GBP",
        help_text="ISO 4217 code of the currency costs and budgets are in, e.g. GBP, EUR.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The escalation ladder of overdue actions: after this many days overdue to whoever
    # assigned it (or the managers), then to the leaders.
    escalate_to_assigner_after_days = models.PositiveSmallIntegerField(default=3)
    escalate_to_leaders_after_days = models.PositiveSmallIntegerField(default=10)

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

    def format_date(self, day: datetime.date | None) -> str:
        """A date as people here read it: "Tue 15 Dec 2026" (one format for pages and e-mail)."""
        return f"{day:%a} {day.day} {day:%b %Y}" if day else "no date"

    def format_money(self, amount: Decimal | int) -> str:
        """An amount in this organisation's currency: "£1,250.00", "CHF 80.00"."""
        symbol = CURRENCY_SYMBOLS.get(self.currency)
        figure = f"{Decimal(amount):,.2f}"
        return f"{symbol}{figure}" if symbol else f"{self.currency} {figure}"


class Role(models.TextChoices):
    LEADER = "leader", "Leader"
    MANAGER = "manager", "Manager"
    STAFF = "staff", "Staff"
    AUDITOR = "auditor", "Auditor"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_org(self, org: Organisation) -> MembershipQuerySet:
        return self.filter(organisation=org)

    def with_unread(self) -> MembershipQuerySet:
        """Annotate `unread`: the member's unread notifications in that organisation (the
        header's count, read with the memberships each request loads anyway)."""
        unread = (
            Notification.objects.filter(
                organisation=OuterRef("organisation"), recipient=OuterRef("user"), read_at=None
            )
            .order_by()
            .values("recipient")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            unread=Coalesce(Subquery(unread, output_field=models.IntegerField()), 0)
        )


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
    # When the member last opened the leadership dashboard (kept to the hour by
    # isova.dashboard.note_dashboard_seen): the leadership-health figure reads it.
    last_seen_dashboard_at = models.DateTimeField(null=True, blank=True, editable=False)

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
FINISHED_STATUSES = (ActionStatus.DONE, ActionStatus.VERIFIED)


# Age of outstanding actions in days since created (the audits panel's buckets link here).
ACTION_AGE_BUCKETS: dict[str, tuple[int, int | None]] = {
    "0-30": (0, 30),
    "31-60": (31, 60),
    "61-90": (61, 90),
    "90+": (91, None),
}


def overdue_q(today: datetime.date, prefix: str = "") -> models.Q:
    """The one definition of overdue, for filters and aggregates: an action still to do
    (open or in progress) whose due date is before `today`, the organisation's today
    (`Organisation.today()`). `prefix` reaches the action through a relation ("action__")."""
    return models.Q(**{f"{prefix}status__in": OUTSTANDING_STATUSES, f"{prefix}due_date__lt": today})


class ActionQuerySet(models.QuerySet["Action"]):
    def for_org(self, org: Organisation) -> ActionQuerySet:
        return self.filter(organisation=org)

    def aged(self, today: datetime.date, bucket: str) -> ActionQuerySet:
        """Actions created `bucket` days before today ("0-30", "31-60", "61-90", "90+"), the
        dashboard's age buckets, counted in the active time zone (the organisation's)."""
        low, high = ACTION_AGE_BUCKETS[bucket]
        aged = self.filter(created_at__date__lte=today - datetime.timedelta(days=low))
        if high is not None:
            aged = aged.filter(created_at__date__gte=today - datetime.timedelta(days=high))
        return aged

    def created_since(self, day: datetime.date) -> ActionQuerySet:
        """Actions created on or after `day` (in the active time zone: the organisation's)."""
        return self.filter(created_at__date__gte=day)

    def live(self) -> ActionQuerySet:
        """Every action that counts: all but the cancelled ones."""
        return self.exclude(status=ActionStatus.CANCELLED)

    def finished(self) -> ActionQuerySet:
        """Actions whose work is done: done (awaiting verification) or verified."""
        return self.filter(status__in=FINISHED_STATUSES)

    def outstanding(self) -> ActionQuerySet:
        """Actions still to be done: open or in progress."""
        return self.filter(status__in=OUTSTANDING_STATUSES)

    def overdue(self, today: datetime.date) -> ActionQuerySet:
        """Outstanding actions whose due date is before `today` (the organisation's today):
        see `overdue_q`, which every count of overdue actions uses."""
        return self.filter(overdue_q(today))

    def for_source(self, obj: models.Model) -> ActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(obj), source_id=obj.pk)

    def for_source_model(self, model: type[models.Model]) -> ActionQuerySet:
        return self.filter(source_type=ContentType.objects.get_for_model(model))

    def by_urgency(self, today: datetime.date) -> ActionQuerySet:
        """Overdue first, then the rest still outstanding, then finished and cancelled; each
        by due date (no due date last)."""
        rank = models.Case(
            models.When(overdue_q(today), then=0),
            models.When(status__in=OUTSTANDING_STATUSES, then=1),
            default=2,
        )
        return self.alias(urgency=rank).order_by(
            "urgency", models.F("due_date").asc(nulls_last=True), "pk"
        )

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
            # The "All actions" list's order: a page is an index range, not a sort of every
            # action of the organisation (bench scale 1: see bench/ and the README).
            models.Index(fields=["organisation", "due_date", "id"], name="action_org_due_idx"),
            # An organisation's actions of one kind of source (findings, objectives, …).
            models.Index(
                fields=["organisation", "source_type", "source_id"], name="action_org_source_idx"
            ),
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

    @property
    def is_live(self) -> bool:
        """Counts at all (not cancelled): the row-level twin of `ActionQuerySet.live()`."""
        return self.status != ActionStatus.CANCELLED

    @property
    def is_finished(self) -> bool:
        """Done or verified: the row-level twin of `ActionQuerySet.finished()`."""
        return self.status in FINISHED_STATUSES

    def is_overdue(self, today: datetime.date) -> bool:
        return self.is_outstanding and self.due_date is not None and self.due_date < today


class ActionSource(models.Model):
    """A model that owns actions (a finding, an objective, a risk, a review).

    `actions` is the generic relation to the `isova.Action`s whose source is this row; create
    them with `isova.actions.action_create(..., source=obj)`.
    """

    actions = GenericRelation(Action, content_type_field="source_type", object_id_field="source_id")

    class Meta:
        abstract = True

    @classmethod
    def action_source_choices(cls, organisation: Organisation) -> models.QuerySet[Any]:
        """The rows of `organisation` a new action may be linked to (the "New action" form);
        a model narrows it (closed findings, finished objectives take no new actions)."""
        # Every ActionSource belongs to an organisation (the abstract model cannot say so).
        return cls._default_manager.filter(organisation=organisation)  # type: ignore[misc]


def action_source_models() -> list[type[ActionSource]]:
    """Every installed model that owns actions, found through the app registry (the core
    imports no app): objectives, findings, and risks or reviews when those apps have them."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, ActionSource)]


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Waiting to go out in the person's daily digest e-mail (their preference for its kind).
    DIGEST = "digest", "In the daily digest"
    # Shown in the app only: the person turned e-mail off for its kind.
    IN_APP = "in_app", "In the app only"


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_org(self, org: Organisation) -> NotificationQuerySet:
        return self.filter(organisation=org)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)

    def failed(self) -> NotificationQuerySet:
        """E-mails given up on after the last attempt, newest first (for managers to see)."""
        return self.filter(status=NotificationStatus.FAILED).order_by("-failed_at", "-pk")

    def to_sweep(
        self, now: datetime.datetime, older_than: datetime.timedelta
    ) -> NotificationQuerySet:
        """Pending e-mails whose task gave up or whose claim expired (the worker died).

        Fewest attempts first, then oldest: rows that keep failing go to the back of the queue
        and end "failed", so they never starve the good ones.
        """
        return (
            self.filter(status=NotificationStatus.PENDING, sent_at=None, failed_at=None)
            .filter(created_at__lt=now - older_than)
            .filter(Q(claimed_until=None) | Q(claimed_until__lt=now))
            .order_by("attempts", "created_at", "pk")
        )


class Notification(models.Model):
    """One message to one person, delivered in the app and by e-mail.

    `key` names what it is about (e.g. "action:42") and `window` when (a day, an ISO week, or
    a word for once-only alerts), so that the same event, scanned or queued twice, makes one
    row and one e-mail per organisation. Delivery claims the row with a lease
    (`claimed_until`), and writes `sent_at` only once the mail server has accepted it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    day = models.DateField()
    window = models.CharField(max_length=20, default="")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The digest e-mail that carried this one (status DIGEST until then).
    digest = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "recipient", "kind", "key", "window"],
                name="one_notification_per_event_window",
            )
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["recipient", "organisation", "read_at"]),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationMode(models.TextChoices):
    IMMEDIATE = "immediate", "At once"
    DIGEST = "digest", "In the daily digest"
    OFF = "off", "Off"


class NotificationPreference(models.Model):
    """How one person wants one kind of notification e-mailed (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    mode = models.CharField(max_length=10, choices=NotificationMode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.mode}"


class AlertState(models.Model):
    """The last state alerted about for one subject (e.g. an objective's RAG), so that an
    alert goes out once per crossing into a bad state, not every day it stays there."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    subject_key = models.CharField(max_length=100)
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=40)
    changed_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subject_key", "kind"], name="one_alert_state_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_key} {self.kind}: {self.state}"


class CalendarFeed(models.Model):
    """A person's private iCalendar address in one organisation; revoking deletes the row."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"calendar of {self.membership}"


# --- records: versions, sign-offs and the approvable quality policy ----------------------
# The services live in isova/records/; these are the rows they write.


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Superseded"


class RecordVersionQuerySet(models.QuerySet["RecordVersion"]):
    def for_org(self, org: Organisation) -> RecordVersionQuerySet:
        return self.filter(organisation=org)

    def for_record(self, obj: models.Model) -> RecordVersionQuerySet:
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=obj.pk,
        )

    def awaiting_decision(self) -> RecordVersionQuerySet:
        """Submitted versions, oldest submission first (the approvals inbox order)."""
        return self.filter(status=RecordStatus.SUBMITTED).order_by("submitted_at", "pk")

    def for_inbox(self) -> RecordVersionQuerySet:
        """Everything an inbox row shows: the submitter and the record itself (prefetched by
        content type, one query per kind of record, never one per row)."""
        return self.select_related("submitted_by", "content_type").prefetch_related("record")


class RecordVersion(models.Model):
    """One version of an approvable record (v1, v2, …) and where it stands.

    `snapshot` is the record as submitted, and as signed once decided; the current draft's
    contents are the live record. A version is never deleted: an approved one that is changed
    in a way that matters becomes "superseded" and the next number opens as a draft.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="record_versions"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=RecordStatus.choices, default=RecordStatus.DRAFT
    )
    record_label = models.CharField(max_length=200, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    # What differs from the previously approved version, as [{"field", "old", "new"}, …].
    changes = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submit_comment = models.TextField(blank=True)
    # Counts the submissions of this version (a version sent back to draft and submitted
    # again is a new submission): decision forms and notifications name the submission.
    submission = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = RecordVersionQuerySet.as_manager()

    class Meta:
        ordering = ["content_type", "object_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="one_version_number_per_record"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"]),
            models.Index(fields=["content_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_label or 'record'} v{self.number} ({self.get_status_display()})"

    @property
    def snapshot_hash(self) -> str:
        """SHA-256 of the snapshot's canonical JSON: what decision forms carry, so that a
        decision binds the content the signer was shown."""
        from .records.snapshots import snapshot_hash

        return snapshot_hash(self.snapshot)

    @property
    def short_hash(self) -> str:
        """The snapshot hash's first twelve digits: what the signer sees beside the content."""
        return self.snapshot_hash[:12]

    @property
    def content_rows(self) -> list:
        """The snapshot field by field, as a signer reads it (records/rendering.py)."""
        from .records.rendering import content_rows

        return content_rows(self.snapshot)

    @property
    def model_key(self) -> str:
        """The record's model as record URLs name it: "app_label.model"."""
        return f"{self.content_type.app_label}.{self.content_type.model}"


class SignOffChain(models.Model):
    """The head of one organisation's sign-off chain: how long it is and its last hash.

    New sign-offs lock this row (SELECT … FOR UPDATE) so two at once cannot both claim the
    same place in the chain; verification compares it with the chain's last row, so deleting
    the newest sign-offs does not go unnoticed.
    """

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="signoff_chain"
    )
    length = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.organisation}: {self.length} sign-offs"


class SignOff(models.Model):
    """Who signed which version of a record, when, meaning what, chained by SHA-256.

    Append-only: on PostgreSQL a trigger refuses UPDATE and DELETE of this table. `hash`
    covers the canonical JSON `snapshot`, the metadata below and the previous sign-off's hash
    in the same organisation (`sequence` numbers them 1, 2, 3, … per organisation).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    version = models.ForeignKey(RecordVersion, on_delete=models.PROTECT, related_name="signoffs")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    record_label = models.CharField(max_length=200)
    version_number = models.PositiveIntegerField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(max_length=150)
    signer_email = models.EmailField()
    signer_role = models.CharField(max_length=16, choices=Role.choices)
    meaning = models.CharField(max_length=40)
    comment = models.TextField(blank=True)
    signed_at = models.DateTimeField()
    snapshot = models.TextField(help_text="Canonical JSON of the record as signed.")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["organisation", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sequence"], name="one_signoff_per_chain_place"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.meaning} {self.record_label} v{self.version_number}"


class Approvable(models.Model):
    """A record that leaders approve or sign through `isova.records`.

    Subclasses set `APPROVAL_NAME` (how the record is named to people), `MATERIAL_FIELDS`
    (own fields whose change needs a new approval; children in the snapshot always count) and
    implement `approval_snapshot()` (a JSON-able dict of the record and its children as they
    stand, which is what a signer is shown and what the sign-off binds) and
    `get_absolute_url()`. The hooks run inside the records transaction. A record that is only
    ever signed, never submitted (an audit report), sets `SIGN_ONLY = True`.
    """

    APPROVAL_NAME: ClassVar[str] = ""
    MATERIAL_FIELDS: ClassVar[tuple[str, ...]] = ()
    SIGN_ONLY: ClassVar[bool] = False

    if TYPE_CHECKING:
        organisation_id: int
        organisation: Organisation

    class Meta:
        abstract = True

    def approval_snapshot(self) -> dict[str, Any]:
        raise NotImplementedError(f"{type(self).__name__} must define approval_snapshot()")

    def approval_problems(self) -> list[str]:
        """What stops the record being submitted now (empty: nothing)."""
        return []

    def approval_submit_url(self) -> str | None:
        """The record's own submit page, when it has checks of its own (None: the generic one)."""
        return None

    def on_submitted(self, version: RecordVersion) -> None:
        """Called when a version is submitted."""

    def on_approval_decided(self, decision: str, signoff: SignOff) -> None:
        """Called when a leader approved or rejected the submitted version."""

    def on_record_changed(self, version: RecordVersion) -> None:
        """Called when an edit moved a version: an approval superseded (`version` is the new
        draft) or a submission sent back to draft (`version` is that draft)."""

    def get_absolute_url(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define get_absolute_url()")


class QualityPolicy(Approvable):
    """The organisation's quality policy (ISO 9001 5.2): approved by top management."""

    APPROVAL_NAME = "quality policy"
    # Changing what the policy says, who owns it or when it applies needs a new approval;
    # retitling it does not.
    MATERIAL_FIELDS = ("text", "owner", "effective_from")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_policies"
    )
    title = models.CharField(max_length=200)
    text = models.TextField("policy text")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-effective_from", "pk"]
        verbose_name_plural = "quality policies"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("quality_policy_detail", args=[self.pk])

    def approval_snapshot(self) -> dict:
        return {
            "title": self.title,
            "text": self.text,
            "owner": {"id": self.owner_id, "name": self.owner.get_full_name()},
            "effective_from": self.effective_from,
        }


class FormSubmission(models.Model):
    """A create form's one-time token, claimed by its first successful submission.

    isova.idempotency: a second POST of the same form (double click, resend after a slow
    answer) finds the claim and is sent to what the first one made instead of creating again.
    """

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.token)


class EvidencePack(Approvable):
    """The leadership evidence pack (ISO 9001 5.1) as a leader reviewed and signed it.

    `pack` is the pack exactly as shown on the page; the sign-off's snapshot is made from it,
    so the organisation keeps what it presented to the certification auditor.
    """

    APPROVAL_NAME = "leadership evidence pack"
    SIGN_ONLY = True

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="evidence_packs"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    pack = models.JSONField()
    pack_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Leadership evidence {self.period_start:%d %b %Y} – {self.period_end:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("evidence_pack", args=[self.pk])

    def approval_snapshot(self) -> dict[str, Any]:
        return {"pack": self.pack, "pack_hash": self.pack_hash}


class HealthThresholdQuerySet(models.QuerySet["HealthThreshold"]):
    def for_org(self, org: Organisation) -> HealthThresholdQuerySet:
        return self.filter(organisation=org)


class HealthThreshold(models.Model):
    """An organisation's own amber and red thresholds for one leadership health figure
    (`isova.registry.HealthFigure.key`); without a row the figure's defaults apply."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="health_thresholds"
    )
    key = models.CharField(max_length=60)
    amber = models.FloatField()
    red = models.FloatField()

    objects = HealthThresholdQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="one_threshold_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.key}: amber {self.amber:g}, red {self.red:g}"
