"""People, organisations and their members (roles): who belongs where."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal
from typing import Any, ClassVar, Self, cast

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone


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
    # The day of the last alert scan: a scan after a long gap (go-live, alerts stopped) sends
    # one summary per person instead of an e-mail per old item (isova.notifications.alerts.scan).
    alerts_scanned_on = models.DateField(null=True, blank=True)
    alerts_caught_up_on = models.DateField(null=True, blank=True)
    # A forecast alert fires only when the forecast misses the target by more than this many
    # percent of the way from baseline to target: trivial misses are noise.
    forecast_alert_margin = models.PositiveSmallIntegerField(default=5)
    # Hours a month each member can give to the quality work isova plans (allocations on
    # plans, actions), unless their membership says otherwise (isova.resources: workload).
    default_capacity_hours = models.PositiveSmallIntegerField(
        "default capacity (hours a month)",
        default=40,
        help_text="Hours a month a person can give to planned quality work, unless set for them.",
    )

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


class OrgQuerySet:
    """Rows that belong to one organisation: every app's QuerySet mixes this in
    (`class RiskQuerySet(OrgQuerySet, models.QuerySet["Risk"])`), so `for_org`, the one way
    to scope a query to a tenant, is written once."""

    # The lookup from the row to its organisation, e.g. "risk__organisation".
    org_path: ClassVar[str] = "organisation"

    def for_org(self, org: Organisation) -> Self:
        queryset = cast("models.QuerySet[Any]", self)
        return cast(Self, queryset.filter(**{self.org_path: org}))


def fill_organisation(rows: list[Any], parent: str) -> None:
    """Give each row without one the organisation of its `parent` row (a foreign key of
    ours), in one query for the parents not already loaded."""
    missing = [row for row in rows if row.organisation_id is None]
    if not missing:
        return
    field = type(missing[0])._meta.get_field(parent)
    unknown = set()
    for row in missing:
        if field.is_cached(row):
            row.organisation_id = getattr(row, parent).organisation_id
        else:
            unknown.add(getattr(row, field.attname))
    if unknown:
        organisations = dict(
            field.related_model._base_manager.filter(pk__in=unknown).values_list(
                "pk", "organisation_id"
            )
        )
        for row in missing:
            if row.organisation_id is None:
                row.organisation_id = organisations.get(getattr(row, field.attname))


class OrgChildQuerySet(OrgQuerySet, models.QuerySet[Any]):
    """Rows that belong to a parent row of one organisation (an objective's measurements, a
    risk's assessments, an audit's team) and carry its organisation id themselves, so that
    every table is scoped and indexed by organisation (what a database distributed by
    organisation needs: README, "Beyond one database"). `bulk_create`, which many-to-many
    `add()`/`set()` use for their through rows, fills it from the parent (`ORG_PARENT`)."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        objs = list(objs)
        if objs:
            fill_organisation(objs, self.model.ORG_PARENT)
        return super().bulk_create(objs, *args, **kwargs)


class OrgChild(models.Model):
    """Abstract: a row of a parent's organisation (`ORG_PARENT` names the parent's foreign
    key), which `save()` and `OrgChildQuerySet.bulk_create` fill in: code that makes these
    rows never sets it by hand."""

    ORG_PARENT: ClassVar[str]

    organisation = models.ForeignKey(
        "isova.Organisation", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = OrgChildQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        fill_organisation([self], self.ORG_PARENT)
        super().save(*args, **kwargs)


class MembershipQuerySet(OrgQuerySet, models.QuerySet["Membership"]):
    def with_unread(self) -> MembershipQuerySet:
        """Annotate `unread`: the member's unread notifications in that organisation (the
        header's count, read with the memberships each request loads anyway)."""
        unread = (
            # Looked up by name: notifications build on accounts, never the reverse.
            apps.get_model("isova", "Notification")
            .objects.filter(
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
    # Hours a month this member can give to planned quality work (isova.resources: the
    # workload view); empty: the organisation's `default_capacity_hours`.
    capacity_hours = models.PositiveSmallIntegerField(
        "capacity (hours a month)", null=True, blank=True
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")
        ]
        ordering = ["organisation__name"]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.organisation}"


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
