"""The one action workflow every app shares, and the models that own actions."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from isova.accounts.models import Organisation, OrgQuerySet


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


def escalated_to_leaders_by(organisation: Organisation, today: datetime.date) -> datetime.date:
    """The latest due date of an overdue action that the escalation ladder has taken to the
    leaders (`escalate_to_leaders_after_days` days overdue or more): the alerts' second rung
    and the dashboard's "escalated to leaders" figure."""
    return today - datetime.timedelta(days=organisation.escalate_to_leaders_after_days)


class ActionQuerySet(OrgQuerySet, models.QuerySet["Action"]):
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
        return self.filter(
            organisation_id=getattr(obj, "organisation_id", None),
            source_type=ContentType.objects.get_for_model(obj),
            source_id=obj.pk,
        )

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
    # The ID this row had in the register it was imported from; re-importing updates by it.
    external_ref = models.CharField("external reference", max_length=100, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "due_date"]),
            models.Index(fields=["organisation", "source_type", "source_id"]),
            # The "All actions" list's order: a page is an index range, not a sort of every
            # action of the organisation (bench scale 1: see bench/ and the README).
            models.Index(fields=["organisation", "due_date", "id"], name="action_org_due_idx"),
            # An organisation's actions of one kind of source (findings, objectives, …).
            models.Index(
                fields=["organisation", "source_type", "source_id"], name="action_org_source_idx"
            ),
            # The dashboard: outstanding actions per owner (busiest person, owner filter) and
            # one kind of source's overdue ones (risk treatments) read this organisation's
            # matching rows only, not every action it has.
            models.Index(
                fields=["organisation", "status", "owner"], name="action_org_status_owner_idx"
            ),
            models.Index(
                fields=["organisation", "source_type", "status", "due_date"],
                name="action_org_source_due_idx",
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
