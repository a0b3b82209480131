"""Risk reviews due in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from isova.models import Organisation
from isova.registry import UPCOMING_LIMIT, UpcomingItem, registry

from .models import Risk


def items(
    organisation: Organisation, start: datetime.date, end: datetime.date, filters: dict[str, Any]
) -> Iterator[UpcomingItem]:
    """Live risks whose next review falls in the window (one query)."""
    risks = (
        Risk.objects.for_org(organisation)
        .live()
        .filter(next_review_date__range=(start, end))
        .select_related("owner")
        .order_by("next_review_date", "pk")
    )
    if filters.get("owner"):
        risks = risks.filter(owner_id=filters["owner"])
    if filters.get("process"):
        risks = risks.filter(process_id=filters["process"])
    for risk in risks[:UPCOMING_LIMIT]:
        assert risk.next_review_date is not None
        yield UpcomingItem(
            day=risk.next_review_date,
            kind="Risk review",
            title=risk.title,
            url=risk.get_absolute_url(),
            who=risk.owner.get_full_name(),
        )


registry.register("upcoming", items, name="risks")
