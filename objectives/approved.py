"""The terms of an objective as last approved by the leaders: what every member is shown.

A change awaiting approval lives on the objective row itself; pages for the whole
organisation ("Our objectives") read the last approved snapshot instead, so nobody is told
of a target the leaders have not agreed. An objective made active without going through the
approval (imported, or older than the approval workflow) has no snapshot: its row stands.
"""

from __future__ import annotations

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
