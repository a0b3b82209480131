"""The management review's "adequacy of resources" input (ISO 9001 9.3.2 d), from the workload.

Three parts: who is over-allocated in the six months from the meeting's month, which plans
have work under way (outstanding actions) but no people, tools or budget allocated, and the
budget approved against what has been spent. One query for the members, one each for
allocations and actions (the workload), one per kind of plan, two for the budget.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from isova.accounts.models import Organisation
from isova.actions.models import OUTSTANDING_STATUSES, Action, ActionSource
from isova.registry import ReviewInput, registry

from .models import Allocation, ResourceLine, month_start, resource_plan_models
from .workload import Workload, workload

AHEAD_MONTHS = 6
LISTED = 30  # plans without resources listed by name (all are counted)


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.1')).normalize():f}"


def plans_without_resources(organisation: Organisation) -> tuple[int, list[list[str]]]:
    """Plans with outstanding actions but nothing allocated: (count, [[kind, plan]]).

    One query per kind of plan (objectives, risk treatment plans, ...)."""
    count, rows = 0, []
    for model in resource_plan_models():
        if not issubclass(model, ActionSource):
            continue
        ct = ContentType.objects.get_for_model(model)
        work = Action.objects.filter(
            organisation=organisation,
            source_type=ct,
            source_id=OuterRef("pk"),
            status__in=OUTSTANDING_STATUSES,
        )
        people = Allocation.objects.filter(
            organisation=organisation, plan_type=ct, plan_id=OuterRef("pk")
        )
        lines = ResourceLine.objects.filter(
            organisation=organisation, plan_type=ct, plan_id=OuterRef("pk")
        )
        plans = list(
            model._default_manager.filter(organisation=organisation)
            .filter(Exists(work))
            .exclude(Exists(people))
            .exclude(Exists(lines))
            .order_by("pk")
        )
        count += len(plans)
        kind = str(getattr(model, "APPROVAL_NAME", "") or model._meta.verbose_name)
        rows += [[kind.capitalize(), str(plan)] for plan in plans]
    return count, rows[:LISTED]


def budget(organisation: Organisation) -> dict[str, Any]:
    """Approved and spent, in all and for the lines spent beyond their amount (1 query, 2
    when some are)."""
    lines = ResourceLine.objects.for_org(organisation)
    overspent = Q(amount_spent__gt=F("amount_approved"))
    totals = lines.aggregate(
        approved=Sum("amount_approved"),
        spent=Sum("amount_spent"),
        over=Count("pk", filter=overspent),
    )
    over = lines.filter(overspent).order_by("plan_label", "pk") if totals["over"] else []
    return {
        "approved": totals["approved"] or Decimal(0),
        "spent": totals["spent"] or Decimal(0),
        "over": [
            [
                line.plan_label,
                line.description,
                organisation.format_money(line.amount_approved),
                organisation.format_money(line.amount_spent),
            ]
            for line in over
        ],
    }


def adequacy(organisation: Organisation, since: datetime.date, until: datetime.date) -> dict:
    """9.3.2 d) from the workload, allocations and budget lines (see the module docstring)."""
    load = workload(organisation, month_start(until), AHEAD_MONTHS)
    over_rows = _over_allocated_rows(load)
    bare_count, bare_rows = plans_without_resources(organisation)
    money = budget(organisation)
    if not (over_rows or bare_count or money["approved"] or money["spent"]):
        return {}
    return {
        "figures": [
            ["People over-allocated", len(load.over_allocated)],
            ["Person-months over capacity", len(over_rows)],
            ["Plans with work but no resources", bare_count],
            ["Budget approved", organisation.format_money(money["approved"])],
            ["Budget spent", organisation.format_money(money["spent"])],
        ],
        "tables": _adequacy_tables(until, over_rows, bare_rows, money["over"]),
    }


def _over_allocated_rows(load: Workload) -> list[list[str]]:
    """One row per person and month over capacity."""
    return [
        [
            row.person.get_full_name(),
            f"{cell.month:%b %Y}",
            _hours(cell.hours),
            str(cell.capacity),
            _hours(cell.over_by),
        ]
        for row in load.over_allocated
        for cell in row.over_months
    ]


def _adequacy_tables(
    until: datetime.date, over_rows: list, bare_rows: list, overspent_rows: list
) -> list[dict]:
    """The tables of what is not adequate, each only when it has rows."""
    tables = []
    if over_rows:
        tables.append(
            {
                "title": f"Over-allocated in the {AHEAD_MONTHS} months from {until:%B %Y}",
                "columns": ["Person", "Month", "Hours committed", "Capacity", "Over by"],
                "rows": over_rows,
            }
        )
    if bare_rows:
        tables.append(
            {
                "title": "Plans with work under way but no people, tools or budget allocated",
                "columns": ["Kind", "Plan"],
                "rows": bare_rows,
            }
        )
    if overspent_rows:
        tables.append(
            {
                "title": "Spent beyond the approved amount",
                "columns": ["Plan", "Tool or budget", "Approved", "Spent"],
                "rows": overspent_rows,
            }
        )
    return tables


registry.register(
    "review_inputs",
    ReviewInput(
        key="resources_workload",
        clause="d",
        title="Adequacy of resources: workload, plans and budget",
        order=41,
        template="resources/_review_input.html",
        build=adequacy,
    ),
)
