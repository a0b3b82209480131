"""Resources in and out: the people allocated to plans (CSV/XLSX import and export), and the
plans' tools and budget (export).

A plan is named by its register's reference (`ResourcePlan.resource_reference`: an
objective's external reference or OBJ-<id>, a risk's R-004), a person by e-mail. A row is
one allocation, found again by its plan, person and first month: importing the export back
changes nothing, and a changed row updates that allocation. Every plan whose people change
goes through `records.record_changed`, as on the plan's page: an approved plan asks for
approval again.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict

from isova.accounts.models import Organisation
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.registry import registry

from . import services
from .models import (
    Allocation,
    ResourceLine,
    ResourcePlan,
    month_start,
    months_between,
    resource_plan_models,
)

# --- import ----------------------------------------------------------------------------------


def _plans(ctx: Context) -> dict[str, ResourcePlan]:
    """The organisation's plans by "<content type id>:<id>" (a query per kind of plan, once)."""
    if "plans" not in ctx.cache:
        plans: dict[str, ResourcePlan] = {}
        for model in resource_plan_models():
            type_id = ContentType.objects.get_for_model(model).pk
            manager: Any = model._default_manager
            for plan in manager.filter(organisation=ctx.organisation).order_by("pk"):
                plans[f"{type_id}:{plan.pk}"] = plan
        ctx.cache["plans"] = plans
    return ctx.cache["plans"]


def _prepare(ctx: Context) -> None:
    _plans(ctx)


def _plan_choices(ctx: Context) -> list[Choice]:
    return [
        Choice(key, plan.resource_reference(), (str(plan),)) for key, plan in _plans(ctx).items()
    ]


FIELDS = (
    Field(
        "plan",
        "Plan reference",
        "lookup",
        True,
        (
            "plan ref",
            "objective",
            "objective ref",
            "objective reference",
            "risk",
            "risk ref",
            "risk reference",
            "reference",
            "ref",
        ),
        _plan_choices,
        help="The objective's reference (OBJ-12 or its own) or the risk's (R-004).",
    ),
    Field(
        "person",
        "E-mail",
        "person",
        True,
        ("person e-mail", "person email", "email", "e-mail address", "who", "assignee"),
        invite=False,  # hours go to the person themselves: no one else holds them
    ),
    Field(
        "hours",
        "Hours",
        "decimal",
        True,
        ("estimated hours", "hours total", "effort", "effort hours", "total hours"),
    ),
    Field(
        "start_month",
        "From month",
        "text",
        True,
        ("start month", "first month", "start", "from", "month"),
        help="A month (2027-03, Mar 2027) or any day in it.",
    ),
    Field(
        "end_month",
        "To month",
        "text",
        False,
        ("end month", "last month", "end", "to", "until"),
        help="Empty: the first month only.",
    ),
    Field(
        "note", "Note", "text", False, ("notes", "comment", "comments", "remark"), max_length=300
    ),
)
UPDATE_FIELDS = ("hours", "end_month", "months", "note", "plan_label", "plan_url")

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[ T].*)?$")
_NAMED = ("%b %Y", "%B %Y", "%m/%Y", "%Y/%m")


def parse_month(raw: Any, field: str, label: str) -> datetime.date:
    """The first day of the month `raw` names: 2027-03, 2027-03-15, Mar 2027, 15/03/2027, or
    a date cell of a spreadsheet."""
    if isinstance(raw, datetime.date):
        return month_start(raw)
    text = str(raw).strip()
    match = _MONTH.match(text)
    try:
        if match:
            return datetime.date(int(match[1]), int(match[2]), 1)
        for fmt in _NAMED:
            try:
                return month_start(datetime.datetime.strptime(text, fmt).date())
            except ValueError:
                continue
        from isova.imports.engine import parse_date

        return month_start(parse_date(text, "dmy"))
    except ValueError:
        raise RowProblem(
            field, f"“{text}” is not a month ({label}: 2027-03 or Mar 2027)."
        ) from None


def _key(ctx: Context, values: dict[str, Any]) -> str:
    """ "<plan>:<person id>:<first month>": one allocation of a person to a plan per start."""
    start = parse_month(values["start_month"], "start_month", "from month")
    end = start
    if values.get("end_month"):
        end = parse_month(values["end_month"], "end_month", "to month")
    if end < start:
        raise RowProblem("end_month", "The last month cannot come before the first.")
    values["start_month"], values["end_month"] = start, end
    return f"{values['plan']}:{values['person'].pk}:{start.isoformat()}"


def _existing(ctx: Context, keys: list[str]) -> dict[str, Allocation]:
    plan_ids = {int(k.split(":")[1]) for k in keys}
    rows = Allocation.objects.for_org(ctx.organisation).filter(plan_id__in=plan_ids)
    return {
        f"{a.plan_type_id}:{a.plan_id}:{a.person_id}:{a.start_month.isoformat()}": a for a in rows
    }


def build(
    ctx: Context, allocation: Allocation | None, values: dict[str, Any]
) -> tuple[Allocation, list[str]]:
    plan = _plans(ctx)[values["plan"]]
    if not values["person"].is_active:
        raise RowProblem("person", f"{values['person'].email} is no longer an active member.")
    hours: Decimal = values["hours"]
    if hours <= 0:
        raise RowProblem("hours", "Give the estimated hours (more than 0).")
    start, end = values["start_month"], values["end_month"]
    note = values.get("note", allocation.note if allocation else "")
    warnings = []
    if allocation is None:
        allocation = Allocation(
            organisation=ctx.organisation,
            person=values["person"],
            start_month=start,
            created_by=ctx.membership.user,
        )
        changed = True
    else:
        changed = (allocation.hours, allocation.end_month, allocation.note) != (hours, end, note)
        if changed:
            warnings.append(
                f"Updates {allocation.person.get_full_name()}'s hours for {allocation.plan_label}."
            )
    allocation.set_plan(plan)
    allocation.hours, allocation.end_month, allocation.note = hours, end, note
    allocation.months = max(months_between(start, end), 1)
    if changed:
        ctx.cache.setdefault("changed_plans", {})[values["plan"]] = plan
    return allocation, warnings


def _plans_changed(ctx: Context, rows: list[Allocation]) -> None:
    """Each plan whose people changed is a changed plan (once per import): an approved one
    asks for approval again, as when people are allocated on its page."""
    done = ctx.cache.setdefault("plans_told", set())
    for key, plan in ctx.cache.get("changed_plans", {}).items():
        if key not in done:
            services.plan_changed(plan, ctx.membership.user)
            done.add(key)


KIND = ImportKind(
    name="allocations",
    label="Resource allocations",
    order=80,
    permission="resources.allocation.edit",
    fields=FIELDS,
    model=Allocation,
    build=build,
    notes_field="note",
    update_fields=UPDATE_FIELDS,
    prepare=_prepare,
    existing=_existing,
    key=_key,
    after_create=_plans_changed,
    after_update=_plans_changed,
    derived=("Plan", "Person", "Hours a month"),
    list_url="resources:workload",
    description=(
        "People allocated to objectives and risk treatment plans: one row per person, plan "
        "and first month, with the estimated hours."
    ),
)


# --- export ----------------------------------------------------------------------------------


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    """Every allocation and every tool or budget line of the organisation (2 queries, and one
    per kind of plan for the plans' references)."""
    people = (
        Allocation.objects.for_org(organisation).select_related("person").prefetch_related("plan")
    )
    lines = ResourceLine.objects.for_org(organisation)
    return [
        _allocations_sheet(people.order_by("plan_label", "start_month", "pk")),
        _lines_sheet(lines.order_by("plan_label", "pk")),
    ]


def _allocations_sheet(people: Iterable[Allocation]) -> Sheet:
    return Sheet(
        "Allocations",
        [
            "Plan reference",
            "Plan",
            "Person",
            "E-mail",
            "Hours",
            "From month",
            "To month",
            "Hours a month",
            "Note",
        ],
        [
            [
                a.plan.resource_reference() if a.plan is not None else "",
                a.plan_label,
                a.person.get_full_name(),
                a.person.email,
                a.hours,
                a.start_month,
                a.end_month,
                round(a.hours_per_month, 2),
                a.note,
            ]
            for a in people
        ],
    )


def _lines_sheet(lines: Iterable[ResourceLine]) -> Sheet:
    return Sheet(
        "Tools and budget",
        ["Plan", "Kind", "What", "Amount", "Spent so far"],
        [
            [
                line.plan_label,
                line.get_kind_display(),
                line.description,
                line.amount_approved,
                line.amount_spent,
            ]
            for line in lines
        ],
    )


registry.register("imports", KIND)
registry.register(
    "exports",
    ExportKind("allocations", "Resource allocations", 80, "resources.workload.view", sheets),
)
