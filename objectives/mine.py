"""The objectives a person owns, on their "My work" page (registered with the my_work hook)."""

from __future__ import annotations

import datetime
from typing import Any

from isova import records
from isova.models import Membership
from isova.registry import MyWorkSection, registry

from .approved import as_approved
from .models import Objective, Status

LIMIT = 20


def build(membership: Membership, today: datetime.date) -> dict[str, Any] | None:
    """Open objectives the member owns with their progress, soonest target first (one query);
    staff read them as last approved."""
    queryset = (
        Objective.objects.for_org(membership.organisation)
        .filter(owner_id=membership.user_id, status__in=(Status.DRAFT, Status.ACTIVE))
        .with_progress(today)
        .select_related("owner", "goal")
        .order_by("target_date", "pk")
    )
    approved_only = records.reads_approved_only(membership)
    if approved_only:
        queryset = queryset.with_approved_snapshot()
    rows = list(queryset[: LIMIT + 1])
    if not rows:
        return None
    shown = [as_approved(o) if approved_only else o for o in rows[:LIMIT]]
    return {"objectives": shown, "more": len(rows) > LIMIT, "today": today}


registry.register(
    "my_work",
    MyWorkSection(
        name="objectives",
        title="Objectives you lead",
        order=20,
        template="objectives/_my_work.html",
        build=build,
    ),
)
