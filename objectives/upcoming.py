"""Objective reviews due in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from isova.models import Organisation
from isova.registry import UPCOMING_LIMIT, UpcomingItem, registry

from .models import Objective, Status


def items(
    organisation: Organisation, start: datetime.date, end: datetime.date, filters: dict[str, Any]
) -> Iterator[UpcomingItem]:
    """Active objectives whose next review falls in the window (one query)."""
    objectives = (
        Objective.objects.for_org(organisation)
        .filter(status=Status.ACTIVE, next_review_date__range=(start, end))
        .select_related("owner")
        .order_by("next_review_date", "pk")
    )
    if filters.get("owner"):
        objectives = objectives.filter(owner_id=filters["owner"])
    for objective in objectives[:UPCOMING_LIMIT]:
        assert objective.next_review_date is not None
        yield UpcomingItem(
            day=objective.next_review_date,
            kind="Objective review",
            title=objective.title,
            url=objective.get_absolute_url(),
            who=objective.owner.get_full_name(),
        )


registry.register("upcoming", items, name="objectives")
