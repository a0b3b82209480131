"""Hours committed per person and month against their capacity (ISO 9001 7.1.2).

Two sources of hours, each summed in SQL in one query whatever the organisation's size:
- allocations: a person's estimated hours for a plan, spread evenly over its months
  (`hours / months` in each month from `start_month` to `end_month`);
- actions: an action's estimated effort counts for its owner in the month it is due, done
  or not (an overdue one stays in its month: the workload is the plan, the action list shows
  what is late). Cancelled actions and actions without a due date or an estimate do not
  count.
Capacity is the member's own `capacity_hours`, else the organisation's default.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Case, DecimalField, ExpressionWrapper, F, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.urls import reverse

from isova.accounts.models import Membership, Organisation, User
from isova.actions.models import Action, ActionQuerySet
from isova.records.snapshots import format_decimal

from .models import Allocation, add_months, month_start

HOURS = DecimalField(max_digits=12, decimal_places=2)
MAX_MONTHS = 24


def capacity_of(membership: Membership, organisation: Organisation) -> int:
    if membership.capacity_hours is not None:
        return membership.capacity_hours
    return organisation.default_capacity_hours


def action_month() -> TruncMonth:
    """The month an action's estimated hours count in: the month it is due."""
    return TruncMonth("due_date", output_field=models.DateField())


def counted_actions(organisation: Organisation) -> ActionQuerySet:
    """The organisation's actions whose hours count (live, estimated, with a due date)."""
    return (
        Action.objects.for_org(organisation)
        .live()
        .filter(estimated_effort_hours__isnull=False, due_date__isnull=False)
    )


@dataclass(frozen=True)
class Cell:
    month: datetime.date
    allocated: Decimal
    actions: Decimal
    capacity: int

    @property
    def hours(self) -> Decimal:
        return self.allocated + self.actions

    @property
    def over(self) -> bool:
        return self.hours > self.capacity

    @property
    def over_by(self) -> Decimal:
        return self.hours - self.capacity

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class Row:
    person: User
    membership: Membership
    capacity: int
    cells: list[Cell] = field(default_factory=list)

    @property
    def over_months(self) -> list[Cell]:
        return [cell for cell in self.cells if cell.over]


@dataclass
class Workload:
    months: list[datetime.date]
    rows: list[Row]

    @property
    def over_allocated(self) -> list[Row]:
        return [row for row in self.rows if row.over_months]


def _allocated(
    organisation: Organisation, months: list[datetime.date]
) -> dict[int, dict[datetime.date, Decimal]]:
    """{person id: {month: hours}} of allocations in `months`: one query, one sum per month."""
    share = ExpressionWrapper(F("hours") / F("months"), output_field=HOURS)
    sums = {
        f"m{i}": Sum(
            Case(
                When(start_month__lte=month, end_month__gte=month, then=share),
                default=Value(Decimal(0)),
                output_field=HOURS,
            )
        )
        for i, month in enumerate(months)
    }
    rows = (
        Allocation.objects.for_org(organisation)
        .overlapping(months[0], months[-1])
        .values("person")
        .annotate(**sums)
        .order_by()
    )
    return {
        row["person"]: {month: Decimal(row[f"m{i}"] or 0) for i, month in enumerate(months)}
        for row in rows
    }


def _action_hours(
    organisation: Organisation, months: list[datetime.date]
) -> dict[int, dict[datetime.date, Decimal]]:
    """{owner id: {month: hours}} of counted actions in `months`: one query."""
    rows = (
        counted_actions(organisation)
        .filter(due_date__gte=months[0], due_date__lt=add_months(months[-1], 1))
        .values("owner", workload_month=action_month())
        .annotate(total=Sum("estimated_effort_hours"))
        .order_by()
    )
    out: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    for row in rows:
        month = row["workload_month"]
        if isinstance(month, datetime.datetime):  # some backends truncate to a datetime
            month = month.date()
        out[row["owner"]][month] = Decimal(row["total"] or 0)
    return out


def month_range(first: datetime.date, count: int) -> list[datetime.date]:
    count = max(1, min(count, MAX_MONTHS))
    return [add_months(month_start(first), i) for i in range(count)]


def workload(
    organisation: Organisation,
    first: datetime.date,
    count: int = 6,
    *,
    people: list[int] | None = None,
) -> Workload:
    """Every active member's hours in `count` months from `first`'s: three queries."""
    months = month_range(first, count)
    members = (
        Membership.objects.for_org(organisation)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    if people is not None:
        members = members.filter(user__in=people)
    allocated = _allocated(organisation, months)
    actions = _action_hours(organisation, months)
    zero = Decimal(0)
    rows = []
    for membership in members:
        capacity = capacity_of(membership, organisation)
        mine, acts = allocated.get(membership.user_id, {}), actions.get(membership.user_id, {})
        cells = [
            Cell(month, mine.get(month, zero), acts.get(month, zero), capacity) for month in months
        ]
        rows.append(Row(membership.user, membership, capacity, cells))
    return Workload(months, rows)


@dataclass(frozen=True)
class Commitment:
    """One thing that makes up a person's hours in a month (the cell's detail)."""

    kind: str  # "allocation" or "action"
    pk: int
    title: str
    url: str
    hours: Decimal  # in this month
    detail: str
    obj: Any


def month_detail(
    organisation: Organisation, person: User, month: datetime.date
) -> list[Commitment]:
    """What makes up `person`'s hours in `month`: two queries (allocations, actions)."""
    month = month_start(month)
    allocations = (
        Allocation.objects.for_org(organisation)
        .filter(person=person)
        .overlapping(month, month)
        .order_by("plan_label", "pk")
    )
    actions = (
        counted_actions(organisation)
        .filter(owner=person, due_date__gte=month, due_date__lt=add_months(month, 1))
        .order_by("due_date", "pk")
    )
    items = [
        Commitment(
            "allocation",
            a.pk,
            a.plan_label,
            a.plan_url,
            a.hours_per_month,
            f"{format_decimal(a.hours)} h in {a.start_month:%b %Y}"
            if a.months == 1
            else f"{format_decimal(a.hours)} h over {a.months} months"
            f" ({a.start_month:%b %Y}–{a.end_month:%b %Y})",
            a,
        )
        for a in allocations
    ]
    for action in actions:
        items.append(
            Commitment(
                "action",
                action.pk,
                action.title,
                reverse("action_detail", args=[action.pk]),
                action.estimated_effort_hours or Decimal(0),
                f"Action due {organisation.format_date(action.due_date)}"
                f" ({action.get_status_display().lower()})",
                action,
            )
        )
    return items
