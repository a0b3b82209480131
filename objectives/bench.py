"""Bench rows of the objectives app: objectives with three years of monthly values, their
plan actions, goals and approvals (see bench/seeding.py for the contract)."""

from __future__ import annotations

import datetime
import sys
from decimal import Decimal
from typing import Any

from isova.models import RecordStatus
from isova.registry import registry
from objectives.models import (
    Direction,
    Frequency,
    Measurement,
    Objective,
    Status,
    StrategicGoal,
    add_months,
)

NAME = "objectives"

PAGES = [
    ("objectives list", "/objectives/", "leader"),
    ("objectives red", "/objectives/?rag=red", "leader"),
    ("our objectives", "/objectives/ours/", "leader"),
    ("objective reviews", "/objectives/reviews/", "leader"),
]

MONTHS = 36


def seed(ctx: Any) -> dict[str, int]:
    """Strategic goals, objectives (a few submitted, the rest active), three years of their
    monthly measurements, their plan steps and their approvals."""
    from bench.seeding import bulk

    goals = bulk(
        StrategicGoal,
        (
            StrategicGoal(organisation=ctx.organisation, title=f"Strategic goal {i + 1}")
            for i in range(5)
        ),
    )
    start = add_months(ctx.today.replace(day=1), -MONTHS)
    submitted = ctx.n(20)
    objectives = bulk(Objective, _objectives(ctx, goals, start, submitted))
    values = bulk(Measurement, _measurements(ctx, objectives, start))
    actions = ctx.actions(ctx.n(1200), title="Plan step", sources=objectives)
    _approvals(ctx, objectives, submitted)
    return {
        "objectives_strategicgoal": len(goals),
        "objectives_objective": len(objectives),
        "objectives_measurement": len(values),
        "isova_action": len(actions),
    }


def _objectives(
    ctx: Any, goals: list[StrategicGoal], start: datetime.date, submitted: int
) -> list[Objective]:
    """The objectives (unsaved): one in four aims lower; the first `submitted` await approval."""
    rng = ctx.rng
    owners = ctx.with_role("leader") + ctx.with_role("manager")
    objectives = []
    for i in range(ctx.n(400)):
        lower = i % 4 == 0
        baseline = Decimal(rng.randint(40, 80))
        step = Decimal(rng.randint(5, 20))
        objectives.append(
            Objective(
                organisation=ctx.organisation,
                title=f"Bench objective {i + 1}",
                goal=goals[i % len(goals)],
                why="Customers asked for it at the last management review.",
                owner=owners[rng.randrange(len(owners))],
                measure_name="Orders delivered on time" if not lower else "Complaints",
                unit="%",
                direction=Direction.LOWER if lower else Direction.HIGHER,
                baseline=baseline,
                target=baseline - step if lower else baseline + step,
                start_date=start,
                target_date=add_months(start, MONTHS + 12),
                frequency=Frequency.MONTHLY,
                resources="Two people half a day a week.",
                evaluation="Monthly figure from the ERP report.",
                next_review_date=ctx.today + datetime.timedelta(days=rng.randint(-60, 90)),
                status=Status.SUBMITTED if i < submitted else Status.ACTIVE,
            )
        )
    return objectives


def _measurements(ctx: Any, objectives: list[Objective], start: datetime.date) -> list[Measurement]:
    """Each objective's monthly values up to today (unsaved): progress somewhere between
    well behind and ahead, with noise, so a mix of RAG states."""
    rng, today = ctx.rng, ctx.today
    values = []
    for objective in objectives:
        pace = rng.uniform(0.3, 1.2)
        total = objective.target - objective.baseline
        for month in range(MONTHS):
            first = add_months(start, month)
            if first > today:
                break
            share = Decimal(pace * month / (MONTHS + 12) + rng.uniform(-0.05, 0.05))
            values.append(
                Measurement(
                    objective=objective,
                    period=first,
                    period_end=add_months(first, 1) - datetime.timedelta(days=1),
                    value=(objective.baseline + total * share).quantize(Decimal("0.01")),
                )
            )
    return values


def _earlier_target(objective: Objective, steps_back: int) -> dict[str, Any]:
    if steps_back == 0:
        return {}
    sign = -1 if objective.direction == Direction.LOWER else 1
    return {"target": str(objective.target - sign * steps_back)}


def _approvals(ctx: Any, objectives: list[Objective], submitted: int) -> None:
    """n(1800) approvals over the objectives (several versions each, the older ones
    superseded), then the first `submitted` objectives' next version awaiting a decision."""
    leaders = ctx.with_role("leader")
    managers = ctx.with_role("manager") or leaders
    total = ctx.n(1800)
    base, extra = divmod(total, len(objectives))
    for i, objective in enumerate(objectives):
        approvals = base + (1 if i < extra else 0)
        for number in range(1, approvals + 1):
            ctx.sign(
                objective,
                number,
                meaning="approved",
                signer=leaders[(i + number) % len(leaders)],
                at=ctx.now_minus(1000 - number * 150 - (i % 100)),
                status=(
                    RecordStatus.APPROVED
                    if number == approvals and i >= submitted
                    else RecordStatus.SUPERSEDED
                ),
                # Each earlier version aimed less high: the target moved at each approval
                # (the latest approved version is the objective as it stands, unless its
                # next version, the objective now, awaits a decision).
                changes=_earlier_target(objective, approvals - number + (i < submitted)),
            )
        if i < submitted:
            ctx.submitted(
                objective,
                approvals + 1,
                by=managers[i % len(managers)],
                at=ctx.now_minus(i % 20 + 1),
            )


registry.register("bench", sys.modules[__name__], name=NAME)
