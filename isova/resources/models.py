"""What a plan needs: people (hours over months), tools and budget; capacity lives on
`Membership.capacity_hours` and `Organisation.default_capacity_hours`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models

from isova.accounts.models import Organisation, OrgQuerySet


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """How many months from `first`'s month to `last`'s, both counted (Jan..Mar: 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


class PlanPartQuerySet(OrgQuerySet, models.QuerySet[Any]):
    def for_plan(self, plan: models.Model) -> PlanPartQuerySet:
        return self.filter(
            organisation_id=getattr(plan, "organisation_id", None),
            plan_type=ContentType.objects.get_for_model(plan),
            plan_id=plan.pk,
        )


class PlanPart(models.Model):
    """Something a plan needs: linked to the plan (any `ResourcePlan`), whose name and page
    are kept on the row so the workload lists it without loading the plan."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    plan_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    plan_id = models.PositiveBigIntegerField()
    plan = GenericForeignKey("plan_type", "plan_id")
    plan_label = models.CharField("plan", max_length=200)
    plan_url = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def set_plan(self, plan: ResourcePlan) -> None:
        self.plan = plan
        self.plan_label = str(plan)[:200]
        self.plan_url = plan.get_absolute_url()  # type: ignore[attr-defined]


class AllocationQuerySet(PlanPartQuerySet):
    def overlapping(self, first: datetime.date, last: datetime.date) -> AllocationQuerySet:
        """Allocations with hours in any month from `first`'s to `last`'s."""
        return self.filter(start_month__lte=month_start(last), end_month__gte=month_start(first))


class Allocation(PlanPart):
    """A named person's estimated hours for a plan, spread evenly over its months."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="allocations"
    )
    hours = models.DecimalField(
        "estimated hours",
        max_digits=7,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text="In total, over the months below.",
    )
    start_month = models.DateField(help_text="The first day of the first month.")
    end_month = models.DateField(help_text="The first day of the last month.")
    # How many months the hours are spread over (kept so SQL can divide: hours / months).
    months = models.PositiveSmallIntegerField(default=1, editable=False)
    note = models.CharField(max_length=300, blank=True)

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["start_month", "pk"]
        indexes = [
            models.Index(fields=["organisation", "start_month", "end_month"]),
            models.Index(fields=["organisation", "plan_type", "plan_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__gte=models.F("start_month")),
                name="allocation_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="allocation_hours_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.hours} h for {self.plan_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.start_month = month_start(self.start_month)
        self.end_month = month_start(self.end_month)
        self.months = max(months_between(self.start_month, self.end_month), 1)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "start_month",
                "end_month",
                "months",
            }
        super().save(*args, **kwargs)

    @property
    def hours_per_month(self) -> Decimal:
        return self.hours / self.months


class LineKind(models.TextChoices):
    TOOL = "tool", "Tool or equipment"
    BUDGET = "budget", "Budget"


class ResourceLine(PlanPart):
    """A tool or an amount of budget a plan needs: approved with the plan, spent as it runs."""

    kind = models.CharField(max_length=8, choices=LineKind.choices, default=LineKind.BUDGET)
    description = models.CharField(max_length=200)
    amount_approved = models.DecimalField(
        "amount", max_digits=12, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip
    amount_spent = models.DecimalField(
        "spent so far", max_digits=12, decimal_places=2, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )  # fmt: skip

    objects = PlanPartQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "pk"]
        indexes = [models.Index(fields=["organisation", "plan_type", "plan_id"])]
        verbose_name = "tool or budget line"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class ResourcePlan(models.Model):
    """A plan that states the resources it needs (objectives, risk treatment plans, findings'
    corrective actions): subclass it beside `Approvable` and add `**self.resources_snapshot()`
    to `approval_snapshot()`, and the leaders approve the allocation with the plan."""

    allocations = GenericRelation(
        Allocation, content_type_field="plan_type", object_id_field="plan_id"
    )
    resource_lines = GenericRelation(
        ResourceLine, content_type_field="plan_type", object_id_field="plan_id"
    )
    RESOURCE_PLAN: ClassVar[bool] = True

    class Meta:
        abstract = True

    def resource_reference(self) -> str:
        """How an export names this plan and an import finds it again ("OBJ-12", "R-004"):
        override with the register's own reference."""
        return f"{self._meta.model_name.upper()}-{self.pk}"  # type: ignore[union-attr]

    def resources_snapshot(self) -> dict[str, Any]:
        """People, tools and budget as leaders approve them (2 queries). Keys only when there
        is something, so records approved before allocations existed stay unchanged; the
        amount spent is progress, not part of what is approved."""
        people = Allocation.objects.for_plan(self).select_related("person").order_by("pk")
        lines = ResourceLine.objects.for_plan(self).order_by("pk")
        snapshot: dict[str, Any] = {}
        allocated = [
            {
                "id": a.pk,
                "name": f"{a.person.get_full_name()}: {a.hours} h",
                "person": a.person_id,
                "hours": a.hours,
                "from": a.start_month,
                "to": a.end_month,
                "note": a.note,
            }
            for a in people
        ]
        if allocated:
            snapshot["people_allocated"] = allocated
        needed = [
            {
                "id": line.pk,
                "name": line.description,
                "kind": line.kind,
                "amount": line.amount_approved,
            }
            for line in lines
        ]
        if needed:
            snapshot["tools_and_budget"] = needed
        return snapshot


def resource_plan_models() -> list[type[ResourcePlan]]:
    """Every installed model that holds resources, found through the app registry."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, ResourcePlan)]
