"""A risk as its leaders last approved it: what staff read (issue 22.3) on its pages and
through the API while a change awaits approval."""

from __future__ import annotations

from typing import Any

from isova import records
from isova.models import Action

from .models import Risk


def as_approved(risk: Risk, plan: list[Action], snap: Any) -> tuple[Risk, list[Action]]:
    """Read-only copies of `risk` and its plan as the leader last approved them (what staff
    read, issue 22.3): title, owner, inherent and target scores, treatment and its reasons,
    and the approved steps (their titles and due dates; their progress stays live)."""
    snap = snap if isinstance(snap, dict) else {}
    shown = records.approved_copy(
        risk, snap, fields=("title", "treatment", "treatment_justification")
    )
    inherent = snap.get("inherent") or {}
    shown.inherent_likelihood = inherent.get("likelihood", risk.inherent_likelihood)
    shown.inherent_impact = inherent.get("impact", risk.inherent_impact)
    shown.inherent_score = inherent.get("score", risk.inherent_score)
    shown.inherent_band = inherent.get("band", risk.inherent_band)
    target = snap.get("target") or {}
    shown.target_likelihood = target.get("likelihood", risk.target_likelihood)
    shown.target_impact = target.get("impact", risk.target_impact)
    steps = {s.get("id"): s for s in snap.get("plan") or [] if isinstance(s, dict)}
    approved_plan = [
        records.approved_copy(action, steps[action.pk], fields=("title",), dates=("due_date",))
        for action in plan
        if action.pk in steps  # a step added since the approval was not approved
    ]
    return shown, approved_plan
