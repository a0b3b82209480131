"""The terms of an objective as last approved by the leaders: what every member is shown.

A change awaiting approval lives on the objective row itself; pages for the whole
organisation ("Our objectives") read the last approved snapshot instead, so nobody is told
of a target the leaders have not agreed. An objective made active without going through the
approval (imported, or older than the approval workflow) has no snapshot: its row stands.
"""

from __future__ import annotations

import copy
import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Objective


@dataclass(frozen=True)
class ApprovedTerms:
    title: str
    why: str
    goal: str | None
    owner_name: str
    measure_name: str
    unit: str
    direction: str
    baseline: Decimal
    target: Decimal
    target_date: datetime.date
    progress: float | None  # percent of the way, the latest value against these terms


def _decimal(value: Any, fallback: Decimal) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return fallback


def _date(value: Any, fallback: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return fallback


def approved_terms(objective: Objective) -> ApprovedTerms:
    """The approved snapshot (annotated by `with_approved_snapshot`) read back, or the row."""
    snap = getattr(objective, "approved_snapshot", None) or {}
    owner = snap.get("owner") if isinstance(snap.get("owner"), dict) else None
    baseline = _decimal(snap.get("baseline", objective.baseline), objective.baseline)
    target = _decimal(snap.get("target", objective.target), objective.target)
    last = getattr(objective, "last_value", None)
    progress = getattr(objective, "progress", None)
    if snap and last is not None and target != baseline:
        progress = float((Decimal(str(last)) - baseline) / (target - baseline) * 100)
    return ApprovedTerms(
        title=snap.get("title", objective.title),
        why=snap.get("why", objective.why),
        goal=snap.get("goal") if snap else (objective.goal.title if objective.goal else None),
        owner_name=owner["name"] if owner else objective.owner.get_full_name(),
        measure_name=snap.get("measure_name", objective.measure_name),
        unit=snap.get("unit", objective.unit),
        direction=snap.get("direction", objective.direction),
        baseline=baseline,
        target=target,
        target_date=_date(snap.get("target_date", ""), objective.target_date),
        progress=progress,
    )


# The fields of the approved snapshot that are plain values of the row.
_PLAIN = (
    "title",
    "why",
    "measure_name",
    "unit",
    "direction",
    "frequency",
    "resources",
    "evaluation",
)
_DECIMALS = ("baseline", "target", "budget", "amber_tolerance", "red_tolerance")
_DATES = ("start_date", "target_date")


def as_approved(objective: Objective) -> Objective:
    """A read-only copy of `objective` (from `with_progress().with_approved_snapshot()`) that
    carries the terms the leaders last approved, its progress figures recomputed against them:
    what staff read on the objective's pages while a change awaits approval. An objective
    never approved, or whose row is what was approved, comes back as it is. The copy refuses
    to be saved (`Objective.save`)."""
    from isova.accounts.models import User

    from .models import Rag, StrategicGoal

    snap = getattr(objective, "approved_snapshot", None)
    if not isinstance(snap, dict):
        return objective
    shown = copy.copy(objective)
    shown.shows_approved = True
    for name in _PLAIN:
        if name in snap and snap[name] is not None:
            setattr(shown, name, snap[name])
    for name in _DECIMALS:
        if name in snap and snap[name] is not None:
            setattr(shown, name, _decimal(snap[name], getattr(objective, name)))
    for name in _DATES:
        if name in snap:
            setattr(shown, name, _date(snap[name], getattr(objective, name)))
    owner = snap.get("owner")
    if isinstance(owner, dict) and owner.get("id") != objective.owner_id:
        shown.owner = User(pk=owner.get("id"), full_name=str(owner.get("name", "")))
    goal_title = snap.get("goal")
    live_goal = objective.goal.title if objective.goal else None
    if goal_title != live_goal:
        shown.goal = StrategicGoal(title=goal_title) if goal_title else None
    _recompute_progress(shown, Rag)
    return shown


def _recompute_progress(shown: Any, rag: Any) -> None:
    """progress, planned_now, behind, forecast_misses and rag (as `with_progress` computes
    them in the database) against the terms now on `shown`."""
    baseline, target = float(shown.baseline), float(shown.target)
    span = target - baseline
    last = getattr(shown, "last_value", None)
    reference = getattr(shown, "reference_date", None)
    if reference is None:
        return
    duration = (shown.target_date - shown.start_date).days
    share = 1.0 if duration == 0 else min(max((reference - shown.start_date).days / duration, 0), 1)
    shown.planned_now = baseline + span * share
    if span == 0:
        shown.progress = shown.behind = None
        shown.forecast_misses = False
        return
    shown.progress = None if last is None else (float(last) - baseline) / span * 100
    shown.behind = None if last is None else (shown.planned_now - float(last)) / span * 100
    forecast = getattr(shown, "forecast", None)
    shown.forecast_misses = forecast is not None and (forecast - baseline) / span * 100 < 99.999
    if getattr(shown, "rag", None) in (rag.NO_DATA, rag.STALE) or shown.behind is None:
        return
    if shown.behind <= float(shown.amber_tolerance):
        shown.rag = rag.GREEN
    elif shown.behind <= float(shown.red_tolerance):
        shown.rag = rag.AMBER
    else:
        shown.rag = rag.RED
