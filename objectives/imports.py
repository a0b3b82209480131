"""Objectives and their values in (from any objectives tracker) and out."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.http import QueryDict

from isova.imports.building import fill, lookup_choices
from isova.imports.exporting import register_sheet
from isova.imports.kinds import Choice, Context, ExportKind, Field, ImportKind, RowProblem, Sheet
from isova.models import Organisation
from isova.registry import registry

from .models import (
    Direction,
    Frequency,
    Measurement,
    Objective,
    Status,
    StrategicGoal,
    parse_period,
    period_bounds,
    period_label,
)

DIRECTIONS = (
    Choice(
        Direction.HIGHER,
        "Higher is better",
        ("higher", "up", "increase", "maximise", "maximize", "more", "higher better", "above"),
    ),
    Choice(
        Direction.LOWER,
        "Lower is better",
        (
            "lower",
            "down",
            "decrease",
            "reduce",
            "minimise",
            "minimize",
            "less",
            "lower better",
            "below",
        ),
    ),
)
FREQUENCIES = (
    Choice(Frequency.WEEKLY, "Weekly", ("week", "every week", "w")),
    Choice(Frequency.MONTHLY, "Monthly", ("month", "every month", "m", "monthly review")),
    Choice(Frequency.QUARTERLY, "Quarterly", ("quarter", "every quarter", "q", "3 monthly")),
)
# "Submitted" is read from the approval records, never set by hand.
STATUSES = (
    Choice(Status.DRAFT, "Draft", ("planned", "proposed", "new", "not started")),
    Choice(
        Status.ACTIVE,
        "Active",
        ("open", "in progress", "on track", "ongoing", "live", "approved", "off track", "behind"),
    ),
    Choice(
        Status.ACHIEVED, "Achieved", ("met", "complete", "completed", "done", "closed achieved")
    ),
    Choice(Status.MISSED, "Missed", ("not met", "failed", "not achieved", "closed missed")),
    Choice(Status.WITHDRAWN, "Withdrawn", ("cancelled", "canceled", "dropped", "abandoned")),
)


def _load_goals(ctx: Context) -> None:
    _goals(ctx)


def _load_objectives(ctx: Context) -> None:
    _objectives(ctx)


def _goals(ctx: Context) -> list[Choice]:
    return lookup_choices(ctx, "goals", StrategicGoal.objects.for_org(ctx.organisation))


FIELDS = (
    Field(
        "title",
        "Title",
        "text",
        True,
        ("objective", "quality objective", "name", "objective title"),
        max_length=200,
    ),
    Field(
        "goal", "Strategic goal", "lookup", False, ("goal", "strategic objective", "theme"), _goals
    ),
    Field(
        "why",
        "Why it matters",
        "text",
        False,
        ("why", "rationale", "purpose", "reason", "description"),
    ),
    Field(
        "owner",
        "Owner",
        "person",
        True,
        ("responsible", "owner email", "accountable", "lead", "objective owner", "assigned to"),
    ),
    Field(
        "measure_name",
        "Measure",
        "text",
        True,
        ("measure", "kpi", "indicator", "metric", "measure name", "how measured"),
        max_length=120,
    ),
    Field("unit", "Unit", "text", True, ("units", "uom", "unit of measure"), max_length=30),
    Field("direction", "Direction", "choice", False, ("better", "polarity", "good is"), DIRECTIONS),
    Field("baseline", "Baseline", "decimal", True, ("start value", "starting value", "current")),
    Field("target", "Target", "decimal", True, ("target value", "goal value", "aim")),
    Field("start_date", "Start date", "date", True, ("start", "from", "begins", "start on")),
    Field(
        "target_date",
        "Target date",
        "date",
        True,
        ("deadline", "due", "due date", "by", "end date", "target by", "completion date"),
    ),
    Field(
        "frequency",
        "Measured",
        "choice",
        False,
        ("frequency", "measured", "reporting", "measurement frequency"),
        FREQUENCIES,
    ),
    Field("amber_tolerance", "Amber tolerance (%)", "decimal", False, ("amber",)),
    Field("red_tolerance", "Red tolerance (%)", "decimal", False, ("red",)),
    Field("resources", "Resources", "text", False, ("resources needed", "what is needed")),
    Field("budget", "Budget", "decimal", False, ("cost", "budget amount")),
    Field(
        "evaluation", "How results are evaluated", "text", False, ("evaluation", "how evaluated")
    ),
    Field("status", "Status", "choice", False, ("objective status", "state"), STATUSES),
    Field("next_review_date", "Next review", "date", False, ("review date", "next review date")),
)


def build(
    ctx: Context, obj: Objective | None, values: dict[str, Any]
) -> tuple[Objective, list[str]]:
    if "goal" in values:
        values["goal"] = ctx.cache["goals"][values["goal"]]
    if obj is None:
        obj = Objective(organisation=ctx.organisation, created_by=ctx.membership.user)
    fill(obj, values)
    if obj.target_date < obj.start_date:
        raise RowProblem("target_date", "The target date is before the start date.")
    for name in ("baseline", "target"):
        value = getattr(obj, name)
        if value is not None and abs(value) >= 10**10:
            raise RowProblem(name, f"{value} is too large for {name}.")
    return obj, []


KIND = ImportKind(
    name="objectives",
    label="Objectives",
    order=40,
    permission="objectives.objective.create",
    fields=FIELDS,
    model=Objective,
    build=build,
    notes_field="why",
    prepare=_load_goals,
    list_url="objectives:index",
    description="Quality objectives: one row per objective (values go in as “Objective values”).",
)


# --- values --------------------------------------------------------------------------------


def _objectives(ctx: Context) -> list[Choice]:
    return lookup_choices(
        ctx,
        "objectives",
        Objective.objects.for_org(ctx.organisation).order_by("pk"),
        label=attrgetter("title"),
        synonyms=lambda o: (o.external_ref,) if o.external_ref else (),
    )


VALUE_FIELDS = (
    Field(
        "objective",
        "Objective",
        "lookup",
        True,
        (
            "objective title",
            "objective reference",
            "kpi",
            "measure",
            "objective ref",
            "objective id",
        ),
        _objectives,
    ),
    Field(
        "period",
        "Period",
        "text",
        True,
        ("month", "week", "quarter", "date", "period start", "reporting period"),
    ),
    Field("value", "Value", "decimal", True, ("actual", "result", "figure", "score", "measured")),
    Field(
        "comment", "Comment", "text", False, ("comments", "note", "notes", "remark"), max_length=500
    ),
)


def _values_key(ctx: Context, values: dict[str, Any]) -> str:
    """ "<objective pk>:<period start>": a period is read against its objective's frequency
    ("2026-Q1", "2026-03", "2026-W09" or any date in it)."""
    objective = ctx.cache["objectives"][values["objective"]]
    text = str(values["period"]).strip()
    try:
        start = parse_period(text, objective.frequency)
    except ValueError:
        from isova.imports.engine import parse_date

        try:
            start = period_bounds(parse_date(text, "dmy"), objective.frequency)[0]
        except ValueError:
            raise RowProblem(
                "period", f"“{text}” is not a period of this {objective.frequency} objective."
            ) from None
    values["period_start"] = start
    return f"{objective.pk}:{start.isoformat()}"


def _existing_values(ctx: Context, keys: list[str]) -> dict[str, Any]:
    ids = {int(k.split(":")[0]) for k in keys}
    rows = Measurement.objects.filter(objective_id__in=ids)
    return {f"{m.objective_id}:{m.period.isoformat()}": m for m in rows}


def build_value(
    ctx: Context, m: Measurement | None, values: dict[str, Any]
) -> tuple[Measurement, list[str]]:
    objective = ctx.cache["objectives"][values["objective"]]
    start, end = period_bounds(values["period_start"], objective.frequency)
    if m is None:
        m = Measurement(objective=objective, period=start, period_end=end, comment="")
    m.value = values["value"]
    m.comment = values.get("comment", m.comment)
    m.recorded_by = ctx.membership.user
    if abs(m.value) >= 10**10:
        raise RowProblem("value", f"{m.value} is too large.")
    return m, []


VALUES_KIND = ImportKind(
    name="objective_values",
    label="Objective values",
    order=45,
    permission="objectives.objective.record_any_value",
    fields=VALUE_FIELDS,
    model=Measurement,
    build=build_value,
    notes_field="comment",
    update_fields=("value", "comment", "recorded_by"),
    prepare=_load_objectives,
    existing=_existing_values,
    key=_values_key,
    list_url="objectives:index",
    description="Values of objectives already in isova: one row per objective and period.",
)


# --- export --------------------------------------------------------------------------------


def sheets(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    objectives = Objective.objects.for_org(organisation).select_related("owner", "goal")
    if params.get("status"):
        objectives = objectives.filter(status=params["status"])
    owner, goal = params.get("owner") or "", params.get("goal") or ""
    if owner.isdigit():
        objectives = objectives.filter(owner_id=int(owner))
    if goal.isdigit():
        objectives = objectives.filter(goal_id=int(goal))
    chosen = list(objectives.order_by("pk"))
    refs = {o.pk: o.external_ref or f"OBJ-{o.pk}" for o in chosen}
    values = Measurement.objects.filter(objective__in=chosen).order_by("objective_id", "period")
    by_pk = {o.pk: o for o in chosen}
    return [
        register_sheet("Objectives", FIELDS, chosen, lambda o: refs[o.pk]),
        Sheet(
            "Objective values",
            ["Objective", "Period", "Value", "Comment"],
            [
                [
                    refs[m.objective_id],
                    period_label(m.period, by_pk[m.objective_id].frequency),
                    m.value,
                    m.comment,
                ]
                for m in values
            ],
        ),
    ]


def values_sheet(organisation: Organisation, params: QueryDict) -> list[Sheet]:
    return sheets(organisation, params)[1:]


registry.register("imports", KIND)
registry.register("imports", VALUES_KIND)
registry.register(
    "exports",
    ExportKind(
        "objectives",
        "Objectives with their values",
        40,
        "objectives.objective.view",
        sheets,
        unapproved=True,
    ),
)
registry.register(
    "exports",
    ExportKind(
        "objective_values", "Objective values", 45, "objectives.objective.view", values_sheet
    ),
)
