"""Management reviews planned in the dashboard's "Upcoming" window (registered in apps.py)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from isova.models import Organisation
from isova.registry import UPCOMING_LIMIT, UpcomingItem, registry

from .models import Review, ReviewStatus


def items(
    organisation: Organisation, start: datetime.date, end: datetime.date, filters: dict[str, Any]
) -> Iterator[UpcomingItem]:
    """Planned management reviews meeting in the window (one query)."""
    reviews = (
        Review.objects.for_org(organisation)
        .filter(status=ReviewStatus.PLANNED, meeting_date__range=(start, end))
        .select_related("chair")
        .order_by("meeting_date", "pk")
    )
    if filters.get("owner"):
        reviews = reviews.filter(chair_id=filters["owner"])
    for review in reviews[:UPCOMING_LIMIT]:
        yield UpcomingItem(
            day=review.meeting_date,
            kind="Management review",
            title=review.title,
            url=review.get_absolute_url(),
            who=review.chair.get_full_name(),
        )


registry.register("upcoming", items, name="reviews")
